"""``padu serve`` as a real child process, for tests that kill or stop it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.data import TEST_AUDIT_KEY, TEST_SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(folder: Path, dsns: dict[str, str], performance: str, extra: str = "") -> Path:
    """``folder``/padu.toml over ``dsns`` (e-Kinerja at ``performance``), with the test keys;
    ``extra`` is more TOML, such as a table the defaults leave out."""
    lines = [
        '[padu]\nmode = "development"\nregion = "36.71"\n',
        f'[auth]\nhs256_secret = "{TEST_SECRET}"\n',
        f'[audit]\nhash_key = "{TEST_AUDIT_KEY}"\n',
        "[outbox]\nretry_base_seconds = 0.05\nretry_max_seconds = 0.2\npoll_seconds = 0.05\n",
        f'[state]\ndsn = "{dsns["state"]}"\nconnect_timeout = 0.5\nstatement_timeout = 0.5\n',
    ]
    for source in ("population", "service_requests", "performance", "learning"):
        dsn = performance if source == "performance" else dsns[source]
        lines.append(
            f'[sources.{source}]\ndsn = "{dsn}"\nconnect_timeout = 0.5\nstatement_timeout = 0.5\n'
        )
    path = folder / "padu.toml"
    path.write_text("\n".join((*lines, extra)))
    return path


class Padu:
    """``padu serve`` as a child process."""

    def __init__(self, config: Path, fault: str | None = None, log: Path | None = None) -> None:
        self.port = free_port()
        env = {**os.environ, "PADU_CONFIG": str(config), "PORT": str(self.port)}
        env.pop("PADU_FAULT", None)
        self._log = None if log is None else log.open("w")  # closed in kill() / close()
        if fault:
            env["PADU_FAULT"] = fault
        self.process = subprocess.Popen(
            [sys.executable, "-m", "padu.cli", "serve", "--log-level", "info" if log else "warning"],
            env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if log is None else self._log,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self) -> None:
        # Generous: a loaded CI machine can take many seconds to import and start Padu.
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    await http.get(f"{self.url}/healthz")
                    return
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        raise AssertionError(f"padu did not start (exit code {self.process.poll()})")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.close()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

"""The e-Puskesmas demo web service (demo/e_puskesmas) as a real child process, for tests."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.padu_process import free_port

SERVICE = Path(__file__).parents[2] / "demo" / "e_puskesmas" / "service.py"


@dataclass
class Service:
    """A running demo service: where it is, its key, and a way to stop it."""

    url: str
    key: str
    process: subprocess.Popen[bytes]

    def ask(self, path: str, **params: Any) -> Any:
        """The service's own answer to GET ``path`` (what Padu should pass on)."""
        answer = httpx.get(f"{self.url}{path}", params=params, headers={"X-API-Key": self.key})
        answer.raise_for_status()
        return answer.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@contextmanager
def running(database: Path) -> Iterator[Service]:
    """The demo service on a free port over ``database``, with a key made for this run."""
    port, key = free_port(), secrets.token_hex(16)
    command = [sys.executable, str(SERVICE), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--database", str(database), "--api-key", key],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    service = Service(f"http://127.0.0.1:{port}", key, process)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, "the e-Puskesmas demo service exited"
            try:
                if httpx.get(f"{service.url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the e-Puskesmas demo service did not start"
            time.sleep(0.1)
        yield service
    finally:
        service.stop()


def source_settings(service: Service, **extra: Any) -> dict[str, Any]:
    """``[sources.health]`` for ``service``."""
    return {
        "kind": "http",
        "url": service.url,
        "auth": "api_key",
        "token": service.key,
        "health_path": "/health",
        "connect_timeout": 1,
        "statement_timeout": 5,
        **extra,
    }

"""``padu supergraph``: every subgraph as its own process, composed, behind a real gateway.

One command for a local federated graph (``make supergraph``): each subgraph of
``padu.schema.federation`` is served by its own ``padu serve --subgraph NAME`` on a port of its
own, their SDL (``_service``) is composed with ``@apollo/composition`` (``gateway/compose.mjs``)
and the supergraph is served by Hive Gateway or Apollo Gateway (``gateway/hive.mjs`` or
``gateway/apollo.mjs``, npm packages pinned in ``gateway/package-lock.json``), which forwards the
caller's ``Authorization``. The subgraphs answer only requests carrying the gateway's secret:
``PADU_GATEWAY_SECRET`` when set, else one generated for this run (development only).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from padu.config import Config

ROOT = Path(__file__).resolve().parents[1]
GATEWAY_DIR = ROOT / "gateway"
GATEWAYS = {"hive": "hive.mjs", "apollo": "apollo.mjs"}
READY_SECONDS = 60.0


class SupergraphError(RuntimeError):
    """A part of the supergraph did not start; the message says which and why."""


@dataclass(frozen=True)
class Part:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


def node_installed() -> None:
    """The gateway's npm packages are installed by ``npm ci --prefix gateway`` (make does it)."""
    if not (GATEWAY_DIR / "node_modules").is_dir():
        raise SupergraphError(
            "the gateway's npm packages are not installed: run `npm ci --prefix gateway` "
            "(or `make supergraph`, which does)"
        )


def _wait(url: str, process: subprocess.Popen[bytes], what: str, graphql: bool = False) -> None:
    """Until ``url`` answers (a GET, or with ``graphql`` a POST of ``{ __typename }``)."""
    body = json.dumps({"query": "{ __typename }"}).encode() if graphql else None
    headers = {"Content-Type": "application/json"} if graphql else {}
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SupergraphError(f"{what} stopped at start-up (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SupergraphError(f"{what} did not answer {url} within {READY_SECONDS:.0f} s")


def port_free(port: int) -> None:
    """Refuse a port something already listens on (a supergraph still running, say): its
    answers would be taken for a subgraph's."""
    with socket.socket() as probe:
        # As the servers bind: a port whose last connections are closing is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SupergraphError(
                f"port {port} is in use (another supergraph still running?); stop it, or "
                "choose other ports with --port and --first-port"
            ) from None


def start_subgraphs(
    names: tuple[str, ...], first_port: int, env: Mapping[str, str]
) -> tuple[list[Part], list[subprocess.Popen[bytes]]]:
    for offset in range(len(names)):
        port_free(first_port + offset)
    parts, processes = [], []
    for offset, name in enumerate(names):
        part = Part(name, first_port + offset)
        child_env = {**env, "PADU_SUBGRAPH": name, "PORT": str(part.port)}
        command = [sys.executable, "-m", "padu.cli", "serve", "--log-level", "warning"]
        processes.append(subprocess.Popen(command, env=child_env, start_new_session=True))
        parts.append(part)
    for part, process in zip(parts, processes, strict=True):
        _wait(f"http://127.0.0.1:{part.port}/healthz", process, f"subgraph {part.name}")
    return parts, processes


def subgraph_sdl(part: Part, env: Mapping[str, str]) -> str:
    """A running subgraph's SDL, as it answers ``_service`` (the gateway's secret sent)."""
    body = json.dumps({"query": "{ _service { sdl } }"}).encode()
    headers = {"Content-Type": "application/json"}
    if env.get("PADU_GATEWAY_SECRET"):
        headers["X-Padu-Gateway-Secret"] = env["PADU_GATEWAY_SECRET"]
    request = urllib.request.Request(part.url, body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            sdl: str = json.load(response)["data"]["_service"]["sdl"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SupergraphError(f"subgraph {part.name} did not give its SDL: {exc}") from None
    return sdl


def compose(parts: list[Part], folder: Path, env: Mapping[str, str]) -> Path:
    """The supergraph SDL of the running subgraphs, composed by ``gateway/compose.mjs``."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = []
    for part in parts:
        sdl = folder / f"{part.name}.graphql"
        sdl.write_text(subgraph_sdl(part, env), encoding="utf-8")
        listing.append({"name": part.name, "url": part.url, "sdl": str(sdl)})
    (folder / "subgraphs.json").write_text(json.dumps(listing, indent=2))
    out = folder / "supergraph.graphql"
    done = subprocess.run(
        ["node", str(GATEWAY_DIR / "compose.mjs"), str(folder / "subgraphs.json"), str(out)],
        env=dict(env),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SupergraphError(f"composition failed:\n{done.stderr.strip()}")
    for line in done.stderr.splitlines():
        print(f"padu supergraph: composition {line}", file=sys.stderr)
    return out


def start_gateway(
    gateway: str, supergraph: Path, port: int, env: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    script = GATEWAY_DIR / GATEWAYS[gateway]
    command = ["node", str(script), "--supergraph", str(supergraph), "--port", str(port)]
    return subprocess.Popen(command, env=dict(env), start_new_session=True)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def supergraph(
    config: Config, names: tuple[str, ...], gateway: str, port: int, first_port: int
) -> Iterator[str]:
    """Subgraphs and a gateway running; yields the gateway's GraphQL URL. Stops them all."""
    node_installed()
    port_free(port)
    env = {**os.environ}
    env.setdefault("PADU_GATEWAY_SECRET", f"development-only-{secrets.token_urlsafe(24)}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        parts, processes = start_subgraphs(names, first_port, env)
        composed = compose(parts, config.state_dir / "supergraph", env)
        server = start_gateway(gateway, composed, port, env)
        processes.append(server)
        url = f"http://127.0.0.1:{port}/graphql"
        _wait(url, server, f"the {gateway} gateway", graphql=True)
        yield url
    finally:
        stop(processes)

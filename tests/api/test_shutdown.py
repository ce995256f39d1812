"""SIGTERM: requests in flight finish, then the dispatcher stops and the pools close."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import asyncpg
import httpx

from padu.config import parse_config
from padu.principal import Role
from tests.conftest import ADMIN_ID, TEST_SETTINGS, bearer, drop_databases, fresh_databases
from tests.data import BUDI
from tests.padu_process import Padu, write_config


async def test_sigterm_lets_the_request_in_flight_finish(server_dsn: str, tmp_path: Path) -> None:
    dsns = await fresh_databases(server_dsn)
    log = tmp_path / "padu.log"
    padu = Padu(write_config(tmp_path, dsns, dsns["performance"]), log=log)
    holder = await asyncpg.connect(dsns["population"])
    try:
        await padu.ready()
        headers = bearer(parse_config(TEST_SETTINGS, "t.toml", {}), Role.ADMIN, ADMIN_ID)
        async with httpx.AsyncClient(timeout=10) as http:
            async with holder.transaction():
                await holder.execute("LOCK TABLE penduduk IN ACCESS EXCLUSIVE MODE")
                in_flight = asyncio.create_task(http.post(
                    f"{padu.url}/graphql", headers=headers,
                    json={"query": "query($n: NIK!) { resident(nik: $n) { fullName } }",
                          "variables": {"n": BUDI}},
                ))  # fmt: skip
                await asyncio.sleep(0.15)  # the request is waiting on the lock
                padu.process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.15)
            # the lock is released here, before the 0.5 s statement timeout
            response = await in_flight
        assert response.status_code == 200
        assert response.json()["data"] == {"resident": {"fullName": "Budi Santoso"}}
        # uvicorn finishes the lifespan shutdown, then re-raises the signal it caught.
        assert await asyncio.to_thread(padu.process.wait, 10) in (0, -signal.SIGTERM)
        padu.close()
        lines = log.read_text()
        assert "Waiting for application shutdown." in lines
        assert "Application shutdown complete." in lines  # dispatcher stopped, pools closed
    finally:
        await holder.close()
        if padu.process.poll() is None:
            padu.kill()
        padu.close()
        await drop_databases(server_dsn, dsns)

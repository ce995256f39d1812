"""The speed-of-light reference: a hand-written Starlette + asyncpg + orjson endpoint that
answers the benchmark queries with exactly the JSON Padu gives. Not part of Padu.

Run: DSNs in PADU_POPULATION_DSN … (as for padu), then
    uvicorn bench.raw_baseline:app --loop uvloop --http httptools --port 8100
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POOLS: dict[str, asyncpg.Pool] = {}
GENDER = {"LAKI-LAKI": "MALE", "PEREMPUAN": "FEMALE"}


def _json(data: Any) -> Response:
    return Response(orjson.dumps({"data": data}), media_type="application/json")


async def q1(request: Request) -> Response:
    """50 residents x 6 fields, in NIK order."""
    rows = await POOLS["population"].fetch(
        "SELECT nik, nama_lengkap, jenis_kelamin, tanggal_lahir, pekerjaan, no_kk "
        "FROM penduduk ORDER BY nik LIMIT 50"
    )
    nodes = [
        {"nik": r["nik"], "fullName": r["nama_lengkap"], "gender": GENDER[r["jenis_kelamin"]],
         "birthDate": r["tanggal_lahir"].isoformat(), "occupation": r["pekerjaan"],
         "familyCardNumber": r["no_kk"]}
        for r in rows
    ]  # fmt: skip
    return _json({"residents": {"nodes": nodes}})


async def q2(request: Request) -> Response:
    """A resident by NIK with address."""
    nik = request.query_params["nik"]
    row = await POOLS["population"].fetchrow(
        "SELECT p.nik, p.nama_lengkap, k.alamat, k.rt, k.rw, k.kode_kelurahan "
        "FROM penduduk p JOIN keluarga k ON k.no_kk = p.no_kk WHERE p.nik = $1",
        nik,
    )
    resident = None
    if row is not None:
        resident = {
            "nik": row["nik"], "fullName": row["nama_lengkap"],
            "address": {"street": row["alamat"], "rt": row["rt"], "rw": row["rw"]},
        }  # fmt: skip
    return _json({"resident": resident})


async def q4(request: Request) -> Response:
    """Service requests x 8 fields, newest first."""
    limit = int(request.query_params.get("first", "100"))
    rows = await POOLS["service_requests"].fetch(
        "SELECT id_permohonan, no_tiket, kode_kategori, status, judul, dibuat_pada, batas_waktu, "
        "(status IN ('menunggu','verifikasi','proses') AND batas_waktu < now()) AS terlambat "
        "FROM permohonan ORDER BY dibuat_pada DESC, id_permohonan DESC LIMIT $1",
        limit,
    )
    status = {"menunggu": "SUBMITTED", "verifikasi": "VERIFIED", "proses": "IN_PROGRESS",
              "selesai": "RESOLVED", "ditolak": "REJECTED"}  # fmt: skip
    category = {"KTP_EL": "KTP_EL", "KIA": "CHILD_ID_CARD", "KK": "FAMILY_CARD",
                "AKTA_KELAHIRAN": "BIRTH_CERTIFICATE", "AKTA_KEMATIAN": "DEATH_CERTIFICATE",
                "PINDAH_DATANG": "RELOCATION", "PENGADUAN": "COMPLAINT",
                "INFORMASI": "INFORMATION"}  # fmt: skip
    nodes = [
        {"id": str(r["id_permohonan"]), "ticketNumber": r["no_tiket"],
         "category": category[r["kode_kategori"]], "status": status[r["status"]],
         "title": r["judul"], "submittedAt": r["dibuat_pada"].isoformat(),
         "dueAt": r["batas_waktu"].isoformat(), "overdue": r["terlambat"]}
        for r in rows
    ]  # fmt: skip
    return _json({"serviceRequests": {"nodes": nodes}})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    for name in ("population", "service_requests"):
        POOLS[name] = await asyncpg.create_pool(os.environ[f"PADU_{name.upper()}_DSN"], max_size=10)
    yield
    for pool in POOLS.values():
        await pool.close()


app = Starlette(routes=[Route("/q1", q1), Route("/q2", q2), Route("/q4", q4)], lifespan=lifespan)

"""The speed-of-light reference: a hand-written Starlette + asyncpg + orjson endpoint that
answers the benchmark queries with exactly the JSON Padu gives. Not part of Padu.

Run: DSNs in PADU_POPULATION_DSN … (as for padu), then
    uvicorn bench.raw_baseline:app --loop uvloop --http httptools --port 8100
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from padu.resolvers.pagination import CursorSeal

# The benchmark's development key (bench/run.py's SECRET, its [audit] hash_key).
SEAL = CursorSeal(b"bench-only-hs256-secret-not-for-production")

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


@lru_cache(maxsize=4096)
def global_id(type_name: str, key: object) -> str:
    """A request's global id, as Padu gives it (its key sealed, padu.resolvers.entities)."""
    return SEAL.seal("node", f"{type_name}:{key}".encode())


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
        {"id": global_id("ServiceRequest", r["id_permohonan"]), "ticketNumber": r["no_tiket"],
         "category": category[r["kode_kategori"]], "status": status[r["status"]],
         "title": r["judul"], "submittedAt": r["dibuat_pada"].isoformat(),
         "dueAt": r["batas_waktu"].isoformat(), "overdue": r["terlambat"]}
        for r in rows
    ]  # fmt: skip
    return _json({"serviceRequests": {"nodes": nodes}})


PREDICATE = {"Sangat Baik": "VERY_GOOD", "Baik": "GOOD", "Butuh Perbaikan": "NEEDS_IMPROVEMENT",
             "Kurang": "POOR", "Sangat Kurang": "VERY_POOR"}  # fmt: skip
Q1_2026 = (date(2026, 1, 1), date(2026, 4, 1))
WIB = timezone(timedelta(hours=7))  # e-learning counts years in western Indonesian time
YEAR_2026 = (int(datetime(2026, 1, 1, tzinfo=WIB).timestamp()),
             int(datetime(2027, 1, 1, tzinfo=WIB).timestamp()))  # fmt: skip
JP_REQUIRED = 20


async def _performance(nips: list[str]) -> dict[str, dict[str, Any]]:
    """Officers that exist, with their 2026 Q1 predicate and activity count: one round trip."""
    rows = await POOLS["performance"].fetch(
        "SELECT g.nip, pk.predikat, (SELECT count(*) FROM aktivitas a WHERE a.nip = g.nip"
        "  AND a.tanggal >= $2 AND a.tanggal < $3) AS n "
        "FROM pegawai g LEFT JOIN penilaian_kinerja pk ON pk.nip = g.nip AND pk.tahun = 2026"
        "  AND pk.periode = 'TW1' WHERE g.nip = ANY($1::text[])",
        nips, *Q1_2026,
    )  # fmt: skip
    return {r["nip"]: {"predicate": PREDICATE.get(r["predikat"]), "activityCount": r["n"]}
            for r in rows}  # fmt: skip


async def _learning(nips: list[str]) -> dict[str, dict[str, Any]]:
    """JP completed in 2026 by each NIP (Moodle idnumber): one round trip."""
    rows = await POOLS["learning"].fetch(
        "SELECT u.idnumber AS nip, coalesce(sum(d.intvalue), 0) AS jp "
        "FROM mdl_user u JOIN mdl_course_completions cc ON cc.userid = u.id"
        "  AND cc.timecompleted >= $2 AND cc.timecompleted < $3 "
        "JOIN mdl_customfield_data d ON d.instanceid = cc.course "
        "JOIN mdl_customfield_field f ON f.id = d.fieldid AND f.shortname = 'jp' "
        "WHERE u.idnumber = ANY($1::text[]) AND u.deleted = 0 GROUP BY u.idnumber",
        nips, *YEAR_2026,
    )  # fmt: skip
    return {r["nip"]: int(r["jp"]) for r in rows}


async def q3(request: Request) -> Response:
    """20 residents -> 5 newest requests each -> assignee -> performance and learning."""
    niks = [r["nik"] for r in await POOLS["population"].fetch(
        "SELECT nik FROM penduduk ORDER BY nik LIMIT 20")]  # fmt: skip
    rows = await POOLS["service_requests"].fetch(
        "SELECT n.nik, p.no_tiket, p.nip_petugas FROM unnest($1::text[]) n(nik)"
        " CROSS JOIN LATERAL (SELECT no_tiket, nip_petugas FROM permohonan"
        "  WHERE nik_pemohon = n.nik ORDER BY dibuat_pada DESC, id_permohonan DESC LIMIT 5) p",
        niks,
    )  # fmt: skip
    nips = sorted({r["nip_petugas"] for r in rows if r["nip_petugas"]})
    performance, learning = await asyncio.gather(_performance(nips), _learning(nips))

    def assignee(nip: str | None) -> dict[str, Any] | None:
        if nip is None or nip not in performance:
            return None
        jp = learning.get(nip, 0)
        return {"nip": nip, "performance": performance[nip],
                "learning": {"jpCompleted": jp, "compliant": jp >= JP_REQUIRED}}  # fmt: skip

    requests: dict[str, list[dict[str, Any]]] = {nik: [] for nik in niks}
    for r in rows:
        requests[r["nik"]].append(
            {"ticketNumber": r["no_tiket"], "assignee": assignee(r["nip_petugas"])}
        )
    nodes = [{"nik": nik, "serviceRequests": {"nodes": requests[nik]}} for nik in niks]
    return _json({"residents": {"nodes": nodes}})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    for name in ("population", "service_requests", "performance", "learning"):
        POOLS[name] = await asyncpg.create_pool(
            os.environ[f"PADU_{name.upper()}_DSN"], min_size=1, max_size=8
        )
    yield
    for pool in POOLS.values():
        await pool.close()


app = Starlette(
    routes=[Route("/q1", q1), Route("/q2", q2), Route("/q3", q3), Route("/q4", q4)],
    lifespan=lifespan,
)

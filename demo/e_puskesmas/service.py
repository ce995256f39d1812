"""e-Puskesmas demo: a city health-centre system's JSON web service over its own SQLite database.

A stand-in for the application another team would run. Padu reaches it only over HTTP (the
contract is in README.md beside this file); it never imports Padu and Padu never imports it.

    python demo/e_puskesmas/service.py --host 127.0.0.1 --port 8701 --database PATH --api-key KEY
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import signal
import socket
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("e_puskesmas")

# One puskesmas per kecamatan of Kota Tangerang (36.71), named after its district.
DISTRICTS = (
    ("36.71.01", "Tangerang"),
    ("36.71.02", "Jatiuwung"),
    ("36.71.03", "Batuceper"),
    ("36.71.04", "Benda"),
    ("36.71.05", "Cipondoh"),
    ("36.71.06", "Ciledug"),
    ("36.71.07", "Karawaci"),
    ("36.71.08", "Periuk"),
    ("36.71.09", "Cibodas"),
    ("36.71.10", "Neglasari"),
    ("36.71.11", "Pinang"),
    ("36.71.12", "Karang Tengah"),
    ("36.71.13", "Larangan"),
)
# (kode, nama, kode_kecamatan): "PKM-3671010" is the puskesmas of kecamatan 36.71.01.
PUSKESMAS = tuple(
    (f"PKM-{code.replace('.', '')}0", f"Puskesmas {name}", code) for code, name in DISTRICTS
)
# A NIK's first six digits name the district that issued it (3671DD…).
HOME_PUSKESMAS = {code.replace(".", ""): kode for kode, _, code in PUSKESMAS}

DIAGNOSES = {
    "UMUM": ("J06.9 ISPA", "A09 Diare dan gastroenteritis", "R50.9 Demam", "K30 Dispepsia",
             "L30.9 Dermatitis"),
    "KIA": ("Z34.0 Kehamilan normal", "Z39.2 Pemeriksaan nifas", "Z00.1 Pemeriksaan bayi",
            "O21.0 Hiperemesis gravidarum ringan"),
    "IMUNISASI": ("Z23 Imunisasi", "Z24.0 Imunisasi polio", "Z24.4 Imunisasi campak",
                  "Z27.1 Imunisasi DPT"),
    "GIGI": ("K02.1 Karies dentin", "K04.0 Pulpitis", "K05.1 Gingivitis kronis",
             "K08.1 Kehilangan gigi"),
    "LANSIA": ("I10 Hipertensi esensial", "E11.9 Diabetes melitus tipe 2", "M19.9 Osteoartritis",
               "E78.5 Hiperlipidemia"),
}  # fmt: skip
LAYANAN = tuple(DIAGNOSES)

# The days a demo visit falls on, 2026-01-01 to 2026-11-28, as stored (YYYY-MM-DD).
SEASON = tuple(
    (date(2026, 1, 1) + timedelta(days=day)).isoformat()
    for day in range((date(2026, 11, 28) - date(2026, 1, 1)).days + 1)
)
# Visits per resident, indexed by the hash: one in ten has none, most have one to three.
VISIT_COUNTS = (0, 1, 1, 1, 2, 2, 2, 3, 3, 4)

# Query parameter (and batch `where` key) → column of kunjungan it must equal.
FILTERS = {"nik": "nik", "layanan": "layanan", "puskesmas": "kode_puskesmas", "tanggal": "tanggal"}
QUERY_PARAMETERS = ("after", "limit", *FILTERS)
DEFAULT_LIMIT, MAX_LIMIT = 20, 500
MAX_KEYS = 1000
MAX_RESIDENTS = 1_000_000
MAX_ID = 2**63 - 1  # SQLite's INTEGER
NIK = re.compile(r"[0-9]{16}")
DIGITS = re.compile(r"[0-9]{1,19}")  # longer cannot be an id, and int() of huge strings raises

SCHEMA = """
CREATE TABLE IF NOT EXISTS puskesmas (
    kode TEXT PRIMARY KEY,
    nama TEXT NOT NULL,
    kode_kecamatan TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kunjungan (
    id INTEGER PRIMARY KEY,
    nik TEXT NOT NULL,
    tanggal TEXT NOT NULL,  -- YYYY-MM-DD
    kode_puskesmas TEXT NOT NULL REFERENCES puskesmas,
    layanan TEXT NOT NULL,
    diagnosis TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kunjungan_nik_id ON kunjungan (nik, id);
"""
VISIT_COLUMNS = "k.id, k.nik, k.tanggal, k.layanan, p.kode, p.nama, k.diagnosis"

Row = tuple[Any, ...]
Visit = dict[str, Any]


class BadRequest(Exception):
    """A request this service will not answer; the message tells the client why."""


def visits_of(nik: str) -> list[tuple[str, str, str, str]]:
    """The resident's demo visits as (tanggal, kode_puskesmas, layanan, diagnosis), by date.

    Everything comes from sha256 of the NIK: the count from the first byte, then five bytes
    per visit (two for the day, one each for puskesmas, layanan and diagnosis).
    """
    digest = hashlib.sha256(nik.encode()).digest()
    home = HOME_PUSKESMAS.get(nik[:6])
    visits = []
    for number in range(VISIT_COUNTS[digest[0] % len(VISIT_COUNTS)]):
        part = digest[1 + 5 * number : 6 + 5 * number]
        tanggal = SEASON[int.from_bytes(part[:2], "big") % len(SEASON)]
        kode = home or PUSKESMAS[part[2] % len(PUSKESMAS)][0]
        layanan = LAYANAN[part[3] % len(LAYANAN)]
        diagnoses = DIAGNOSES[layanan]
        visits.append((tanggal, kode, layanan, diagnoses[part[4] % len(diagnoses)]))
    return sorted(visits)


def _conditions(filters: Mapping[str, str], after: int | None) -> tuple[str, list[Any]]:
    """SQL for ``filters`` (names already checked against FILTERS) and the id cursor."""
    clauses = [f"k.{FILTERS[name]} = ?" for name in filters]
    values: list[Any] = list(filters.values())
    if after is not None:
        clauses.append("k.id > ?")
        values.append(after)
    return " AND ".join(clauses) or "TRUE", values


def _visit(row: Row) -> Visit:
    visit_id, nik, tanggal, layanan, kode, nama, diagnosis = row
    return {
        "id": visit_id,
        "nik": nik,
        "tanggal": tanggal,
        "layanan": layanan,
        "puskesmas": {"kode": kode, "nama": nama},
        "diagnosis": diagnosis,
    }


class Database:
    """The e-Puskesmas SQLite file: its schema, the demo seed and the visit queries.

    Every call opens its own connection and runs in one transaction, so the two statements of
    a page (the page and its total) read one snapshot even while a seed replaces the visits.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _transaction(self, mode: str = "DEFERRED") -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute(f"BEGIN {mode}")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def create(self) -> None:
        """Create the file, the tables and the fixed puskesmas rows when missing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
            # WAL: readers keep answering from the old visits while a seed rewrites them.
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(SCHEMA)
        with self._transaction("IMMEDIATE") as db:
            query = """
                INSERT INTO puskesmas (kode, nama, kode_kecamatan) VALUES (?, ?, ?)
                ON CONFLICT (kode) DO UPDATE
                SET nama = excluded.nama, kode_kecamatan = excluded.kode_kecamatan
            """
            db.executemany(query, PUSKESMAS)

    def seed(self, residents: Sequence[str]) -> int:
        """Replace every visit by the demo visits of ``residents``; returns how many."""
        rows = (
            (nik, *visit)
            for nik in sorted(set(residents))
            for visit in visits_of(nik)
        )  # fmt: skip
        numbered = ((number, *row) for number, row in enumerate(rows, start=1))
        with self._transaction("IMMEDIATE") as db:
            db.execute("DELETE FROM kunjungan")
            query = """
                INSERT INTO kunjungan (id, nik, tanggal, kode_puskesmas, layanan, diagnosis)
                VALUES (?, ?, ?, ?, ?, ?)
            """
            db.executemany(query, numbered)
            return self._count(db)

    def count(self) -> int:
        """How many visits there are."""
        with self._transaction() as db:
            return self._count(db)

    @staticmethod
    def _count(db: sqlite3.Connection) -> int:
        (count,) = db.execute("SELECT count(*) FROM kunjungan").fetchone()
        return int(count)

    def page(self, filters: Mapping[str, str], after: int | None, limit: int) -> dict[str, Any]:
        """The first ``limit`` matching visits after ``after`` by id, and the total matching."""
        where, values = _conditions(filters, None)
        page_where, page_values = _conditions(filters, after)
        with self._transaction() as db:
            query = f"SELECT count(*) FROM kunjungan AS k WHERE {where}"
            (total,) = db.execute(query, values).fetchone()
            query = f"""
                SELECT {VISIT_COLUMNS}
                FROM kunjungan AS k JOIN puskesmas AS p ON p.kode = k.kode_puskesmas
                WHERE {page_where}
                ORDER BY k.id
                LIMIT ?
            """
            rows = db.execute(query, [*page_values, limit]).fetchall()
        return {"items": [_visit(row) for row in rows], "total": total}

    def pages_by_nik(
        self, niks: Sequence[str], filters: Mapping[str, str], after: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """``page`` for each NIK (distinct, in order), in two statements whatever their number."""
        where, values = _conditions(filters, None)
        page_where, page_values = _conditions(filters, after)
        keys = json.dumps(list(niks))
        with self._transaction() as db:
            query = f"""
                SELECT k.nik, count(*)
                FROM kunjungan AS k
                WHERE k.nik IN (SELECT value FROM json_each(?)) AND {where}
                GROUP BY k.nik
            """
            totals = dict(db.execute(query, [keys, *values]).fetchall())
            query = f"""
                SELECT {VISIT_COLUMNS}
                FROM (
                    SELECT k.*, ROW_NUMBER() OVER (PARTITION BY k.nik ORDER BY k.id) AS position
                    FROM kunjungan AS k
                    WHERE k.nik IN (SELECT value FROM json_each(?)) AND {page_where}
                ) AS k JOIN puskesmas AS p ON p.kode = k.kode_puskesmas
                WHERE k.position <= ?
                ORDER BY k.nik, k.id
            """
            rows = db.execute(query, [keys, *page_values, limit]).fetchall()
        items: dict[str, list[Visit]] = {nik: [] for nik in niks}
        for row in rows:
            items[row[1]].append(_visit(row))
        return [
            {"key": nik, "items": visits, "total": totals.get(nik, 0)}
            for nik, visits in items.items()
        ]


def _number(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an integer in ``low..high`` (JSON ``true`` is not), else BadRequest."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def _query_number(name: str, value: str, low: int, high: int) -> int:
    return _number(name, int(value) if DIGITS.fullmatch(value) else value, low, high)


def _where(where: object) -> dict[str, str]:
    """The filters of a batch: ``where`` as a JSON object of filters but ``nik``, the key."""
    if where is None:
        return {}
    if not isinstance(where, dict):
        raise BadRequest("where must be a JSON object")
    for name, value in where.items():
        if name not in FILTERS or name == "nik":
            known = ", ".join(other for other in FILTERS if other != "nik")
            raise BadRequest(f"unknown where key {name!r}; known: {known}")
        if not isinstance(value, str):
            raise BadRequest(f"where.{name} must be a string, got {value!r}")
    return where


def _list_query(request: Request) -> tuple[dict[str, str], int | None, int]:
    """The filters, ``after`` and ``limit`` of ``GET /kunjungan``."""
    given: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in QUERY_PARAMETERS:
            known = ", ".join(QUERY_PARAMETERS)
            raise BadRequest(f"unknown query parameter {name!r}; known: {known}")
        if name in given:
            raise BadRequest(f"query parameter {name} is given more than once")
        given[name] = value
    after = given.pop("after", None)
    limit = given.pop("limit", None)
    return (
        given,
        None if after is None else _query_number("after", after, 0, MAX_ID),
        DEFAULT_LIMIT if limit is None else _query_number("limit", limit, 1, MAX_LIMIT),
    )


async def _body(request: Request, required: set[str], optional: set[str]) -> dict[str, Any]:
    """The request's JSON object, with every ``required`` member and no unknown one."""
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        raise BadRequest("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    if missing := sorted(required - body.keys()):
        raise BadRequest(f"the body lacks {', '.join(missing)}")
    if unknown := sorted(body.keys() - required - optional):
        raise BadRequest(f"unknown member {', '.join(unknown)} in the body")
    return body


class RequireApiKey:
    """Answers 401 to every request but the health check that lacks the service's X-API-Key."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self.api_key = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/health":
            given = dict(scope["headers"]).get(b"x-api-key")
            if given is None or not hmac.compare_digest(given, self.api_key):
                reason = "missing X-API-Key header" if given is None else "wrong API key"
                await JSONResponse({"error": reason}, 401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Service:
    """The HTTP endpoints over one Database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        # One seed at a time: a second one waits here rather than on SQLite's busy timeout.
        self.seeding = asyncio.Lock()

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "up"})

    async def seeded(self, request: Request) -> JSONResponse:
        return JSONResponse({"visits": await asyncio.to_thread(self.database.count)})

    async def seed(self, request: Request) -> JSONResponse:
        residents = (await _body(request, {"residents"}, set()))["residents"]
        if not isinstance(residents, list) or len(residents) > MAX_RESIDENTS:
            raise BadRequest(f"residents must be a list of at most {MAX_RESIDENTS:,} NIKs")
        for nik in residents:
            if not isinstance(nik, str) or not NIK.fullmatch(nik):
                raise BadRequest(f"residents must be NIKs of 16 digits, got {nik!r}")
        async with self.seeding:
            visits = await asyncio.to_thread(self.database.seed, residents)
        return JSONResponse({"visits": visits})

    async def visits(self, request: Request) -> JSONResponse:
        filters, after, limit = _list_query(request)
        page = await asyncio.to_thread(self.database.page, filters, after, limit)
        return JSONResponse(page)

    async def visits_by_key(self, request: Request) -> JSONResponse:
        body = await _body(request, {"by", "keys"}, {"where", "after", "limit"})
        if body["by"] != "nik":
            raise BadRequest(f"by must be 'nik', got {body['by']!r}")
        keys = body["keys"]
        if not isinstance(keys, list) or not 1 <= len(keys) <= MAX_KEYS:
            raise BadRequest(f"keys must be a list of 1 to {MAX_KEYS} NIKs")
        if not all(isinstance(key, str) for key in keys):
            raise BadRequest("keys must be strings")
        filters = _where(body.get("where"))
        after = body.get("after")
        after = None if after is None else _number("after", after, 0, MAX_ID)
        limit = _number("limit", body.get("limit", DEFAULT_LIMIT), 1, MAX_LIMIT)
        niks = list(dict.fromkeys(keys))
        groups = await asyncio.to_thread(self.database.pages_by_nik, niks, filters, after, limit)
        return JSONResponse({"groups": groups})


async def _bad_request(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, 400)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the service's log, never to the client.
    return JSONResponse({"error": "internal error"}, 500)


def create_app(database: Database, api_key: str) -> Starlette:
    """The e-Puskesmas web service over ``database``, guarded by ``api_key``."""
    service = Service(database)
    return Starlette(
        routes=[
            Route("/health", service.health, methods=["GET"]),
            Route("/demo/seed", service.seeded, methods=["GET"]),
            Route("/demo/seed", service.seed, methods=["POST"]),
            Route("/kunjungan", service.visits, methods=["GET"]),
            Route("/kunjungan/cari", service.visits_by_key, methods=["POST"]),
        ],
        middleware=[Middleware(RequireApiKey, api_key=api_key)],
        exception_handlers={
            BadRequest: _bad_request,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )


class Server(uvicorn.Server):
    """uvicorn's server, announcing readiness in one line and exiting 0 when told to stop."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            log.info("e-Puskesmas demo service on http://%s:%d", self.config.host, self.config.port)

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn's own version raises the signal again after its graceful shutdown, so the
        # process would end killed by SIGTERM or with a KeyboardInterrupt trace.
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {stop: signal.signal(stop, self.handle_exit) for stop in stops}
        try:
            yield
        finally:
            for stop, handler in previous.items():
                signal.signal(stop, handler)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line, create the database if missing and serve until stopped."""
    parser = argparse.ArgumentParser(description="e-Puskesmas demo web service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--database", type=Path, required=True, help="SQLite file (created)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("EPUSKESMAS_API_KEY"),
        help="the X-API-Key clients must send (default: $EPUSKESMAS_API_KEY)",
    )
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("no API key: pass --api-key or set EPUSKESMAS_API_KEY")
    database = Database(args.database)
    try:
        database.create()
    except (OSError, sqlite3.Error) as exc:
        parser.error(f"cannot open database {args.database}: {exc}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    app = create_app(database, args.api_key)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="off"
    )
    Server(config).run()


if __name__ == "__main__":
    main()

"""Service-request (LAKSA-like) demo data: categories, requests and their event timelines."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from padu.sources.demo import service_texts as texts
from padu.sources.demo.performance import AKTIVITAS, Staff, ticket_credit
from padu.sources.demo.population import Requesters
from padu.sources.demo.world import (
    CHUNK_ROWS,
    CITIES,
    STREETS,
    Chunk,
    Row,
    Table,
    World,
    after,
    office_time,
)
from padu.workdays import add_working_days

KATEGORI_LAYANAN = Table(
    "service_requests",
    "kategori_layanan",
    ("kode", "nama", "sla_hari_kerja", "menit_kerja"),
)
PERMOHONAN = Table(
    "service_requests",
    "permohonan",
    (
        "id_permohonan",
        "no_tiket",
        "kode_kategori",
        "status",
        "judul",
        "uraian",
        "nik_pemohon",
        "kode_kelurahan",
        "kode_kecamatan",
        "nip_petugas",
        "dibuat_pada",
        "batas_waktu",
        "selesai_pada",
    ),
    serial="id_permohonan",
)
RIWAYAT_PERMOHONAN = Table(
    "service_requests",
    "riwayat_permohonan",
    ("id_permohonan", "status", "catatan", "nip_pelaku", "waktu"),
)
TABLES = (KATEGORI_LAYANAN, PERMOHONAN, RIWAYAT_PERMOHONAN)


@dataclass(frozen=True)
class Category:
    """A service category with its service standard and the officer minutes it earns."""

    code: str
    name: str
    sla_working_days: int
    officer_minutes: int


CATEGORIES = (
    Category("KTP_EL", "Perekaman dan pencetakan KTP-el", 3, 30),
    Category("KIA", "Kartu Identitas Anak", 3, 20),
    Category("KK", "Penerbitan Kartu Keluarga", 1, 30),
    Category("AKTA_KELAHIRAN", "Akta Kelahiran", 1, 30),
    Category("AKTA_KEMATIAN", "Akta Kematian", 3, 30),
    Category("PINDAH_DATANG", "Surat Pindah / Datang", 3, 45),
    Category("PENGADUAN", "Pengaduan Masyarakat", 5, 60),
    Category("INFORMASI", "Permintaan Informasi Publik", 10, 15),
)
"""The service catalogue, as rows of ``kategori_layanan``."""

_WEIGHTS = (25, 10, 15, 12, 4, 10, 16, 8)
# Share of requests turned down at verification, by category.
_REJECT = {"PENGADUAN": 0.08, "INFORMASI": 0.10}
_STAGES = ("menunggu", "verifikasi", "proses")
# Every STALL_EVERY-th request stops at a stage and stays open (mostly past its due date), so
# every status and an overdue backlog show up even at the smallest scale.
_STALL_EVERY = 40


@dataclass(frozen=True)
class _Event:
    status: str
    moment: datetime
    nip: str | None
    note: str


def generate(world: World, requesters: Requesters, crew: Staff) -> Iterator[Chunk]:
    """Yield categories, requests, their events, and e-Kinerja credits for resolved ones."""
    yield KATEGORI_LAYANAN, [astuple(c) for c in CATEGORIES]
    rng = world.rng("service_requests")
    villages = world.region.villages
    desks = {u.code: [o.nip for o in crew.desk(u.code)] for u in crew.units}
    kecamatan = {d.code: crew.kecamatan(d.code) for d in world.region.districts}
    sequence: Counter[int] = Counter()
    requests: list[Row] = []
    events: list[Row] = []
    credits: list[Row] = []
    for number, created in enumerate(_submissions(rng, world), start=1):
        category = rng.choices(CATEGORIES, _WEIGHTS)[0]
        nik, home = requesters.pick(rng)
        # Complaints are sometimes about another part of the city than where one lives.
        village = villages[home] if rng.random() < 0.9 else rng.choice(villages)
        if category.code == "PENGADUAN":
            unit = kecamatan[village.district_code]
        else:
            unit = "DISKOMINFO" if category.code == "INFORMASI" else "DISDUKCAPIL"
        officer = rng.choice(desks[unit])
        stall = _STAGES[number // _STALL_EVERY % 3] if number % _STALL_EVERY == 0 else None
        timeline = [
            e
            for e in _timeline(rng, category, created, officer, stall)
            if e.moment <= world.horizon
        ]
        last = timeline[-1]
        sequence[created.year] += 1
        ticket = f"LKS-{created.year}-{sequence[created.year]:06d}"
        title, description = rng.choice(texts.REQUESTS[category.code])
        words = _words(rng, world, village.name, created)
        requests.append(
            (
                number,
                ticket,
                category.code,
                last.status,
                title.format(**words),
                description.format(**words),
                nik,
                village.code,
                village.district_code,
                officer if len(timeline) > 1 else None,
                created,
                add_working_days(created, category.sla_working_days),
                last.moment if last.status in ("selesai", "ditolak") else None,
            )
        )
        events.extend((number, e.status, e.note, e.nip, e.moment) for e in timeline)
        if last.status == "selesai":
            credits.append(
                ticket_credit(
                    world,
                    officer,
                    ticket,
                    last.moment,
                    category.name,
                    category.officer_minutes,
                )
            )
        if len(events) >= CHUNK_ROWS:
            yield PERMOHONAN, requests
            yield RIWAYAT_PERMOHONAN, events
            yield AKTIVITAS, credits
            requests, events, credits = [], [], []
    if requests:
        yield PERMOHONAN, requests
        yield RIWAYAT_PERMOHONAN, events
        yield AKTIVITAS, credits


def _submissions(rng: random.Random, world: World) -> Iterator[datetime]:
    """Submission moments in time order, exactly ``service_requests`` of them.

    Weekdays are busy, weekends see only online submissions, and use grows over time.
    """
    days = [world.start + timedelta(days=i) for i in range((world.as_of - world.start).days + 1)]
    weights = [(1.0 if d.weekday() < 5 else 0.12) * (1 + i / len(days)) for i, d in enumerate(days)]
    total, running, issued = sum(weights), 0.0, 0
    for day, weight in zip(days, weights, strict=True):
        running += weight
        due = round(world.scale.service_requests * running / total)
        opens, closes = (8, 16) if day.weekday() < 5 else (7, 21)
        yield from sorted(office_time(rng, day, opens, closes) for _ in range(due - issued))
        issued = due


def _timeline(
    rng: random.Random,
    category: Category,
    created: datetime,
    officer: str,
    stall: str | None,
) -> list[_Event]:
    """The planned events of a request, before cutting off what lies after the horizon."""
    group = category.code if category.code in ("PENGADUAN", "INFORMASI") else "civil"
    submitted = texts.COMPLAINT_SUBMITTED if group == "PENGADUAN" else texts.SUBMITTED
    events = [_Event("menunggu", created, None, rng.choice(submitted))]
    sla = category.sla_working_days
    late = rng.random() < (0.25 if group == "PENGADUAN" else 0.08)
    # On time means done on a working day before the due day; nobody works at weekends.
    span = rng.randint(sla + 1, sla + 8) if late else rng.randint(0, sla - 1)
    # Verification starts within three working days (the LAPOR! standard).
    wait = rng.choice((0, 0, 1, 1, 2))
    if created.weekday() >= 5:
        span, wait = max(span, 1), max(wait, 1)
    verify_day = add_working_days(created.date(), min(wait, span))
    verified = after(rng, created, verify_day)
    events.append(_Event("verifikasi", verified, officer, texts.VERIFYING))
    if rng.random() < _REJECT.get(category.code, 0.04):
        rejected = after(rng, verified, add_working_days(verify_day, rng.choice((0, 1))))
        events.append(_Event("ditolak", rejected, officer, rng.choice(texts.REJECTED[group])))
    else:
        done_day = add_working_days(created.date(), span)
        process_day = min(add_working_days(verify_day, rng.choice((0, 0, 1))), done_day)
        processed = after(rng, verified, process_day)
        done = after(rng, processed, done_day)
        events.append(_Event("proses", processed, officer, texts.IN_PROGRESS[group]))
        events.append(_Event("selesai", done, officer, texts.DONE[group]))
    if stall is not None:
        return events[: _STAGES.index(stall) + 1]
    return events


def _words(rng: random.Random, world: World, village: str, created: datetime) -> dict[str, object]:
    """Values for the text placeholders of one request."""
    return {
        "village": village,
        "street": f"Jl. {rng.choice(STREETS)}",
        "rt": f"{rng.randint(1, 15):03d}",
        "rw": f"{rng.randint(1, 12):03d}",
        "days": rng.randint(2, 30),
        "city": rng.choice(CITIES),
        "region": world.region.name,
        "year": created.year,
        "child_age": rng.randint(1, 16),
        "n": rng.randint(1, 4),
        "hospital": rng.choice(
            (
                f"RSUD {world.region.name}",
                f"Puskesmas {village}",
                "rumah sakit swasta",
                "klinik bersalin",
            )
        ),
    }

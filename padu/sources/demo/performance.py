"""e-Kinerja demo data: units, officers, activity log and PermenPANRB 6/2022 ratings."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from padu.identifiers import make_nip
from padu.sources.demo.world import (
    Chunk,
    Row,
    Table,
    World,
    chunks,
    person_name,
    random_day,
    stochastic_round,
    years_before,
)

UNIT_KERJA = Table("performance", "unit_kerja", ("kode_unit", "nama_unit", "jenis_unit"))
PEGAWAI = Table(
    "performance",
    "pegawai",
    ("nip", "nama", "jabatan", "kode_unit", "jenis_kepegawaian", "golongan", "aktif"),
)
AKTIVITAS = Table(
    "performance",
    "aktivitas",
    ("nip", "tanggal", "uraian", "kategori", "durasi_menit", "bukti", "ref_tiket"),
)
PENILAIAN_KINERJA = Table(
    "performance",
    "penilaian_kinerja",
    ("nip", "tahun", "periode", "hasil_kerja", "perilaku", "predikat"),
)
TABLES = (UNIT_KERJA, PEGAWAI, AKTIVITAS, PENILAIAN_KINERJA)

_PREDICATES = {
    ("DIATAS", "DIATAS"): "Sangat Baik",
    ("DIATAS", "SESUAI"): "Baik",
    ("SESUAI", "DIATAS"): "Baik",
    ("SESUAI", "SESUAI"): "Baik",
    ("DIBAWAH", "DIATAS"): "Butuh Perbaikan",
    ("DIBAWAH", "SESUAI"): "Butuh Perbaikan",
    ("DIATAS", "DIBAWAH"): "Kurang",
    ("SESUAI", "DIBAWAH"): "Kurang",
    ("DIBAWAH", "DIBAWAH"): "Sangat Kurang",
}


def predicate(work_result: str, behaviour: str) -> str:
    """The PermenPANRB 6/2022 predicate for a work-result rating and a behaviour rating."""
    return _PREDICATES[work_result, behaviour]


AGENCIES = (
    ("SETDA", "Sekretariat Daerah", "sekretariat"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan"),
    ("BPKD", "Badan Pengelolaan Keuangan Daerah", "badan"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "badan"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas"),
    ("DINKES", "Dinas Kesehatan", "dinas"),
    ("DISDIK", "Dinas Pendidikan", "dinas"),
    ("DISHUB", "Dinas Perhubungan", "dinas"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "dinas"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas"),
    ("DINSOS", "Dinas Sosial", "dinas"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas"),
    ("DLH", "Dinas Lingkungan Hidup", "dinas"),
)
"""The city's agencies (OPD) as (kode_unit, nama_unit, jenis_unit); kecamatan units come on top."""

# Relative headcount: schools and health centres employ most of a city's ASN.
_HEADCOUNT = {
    "DISDIK": 30.0,
    "DINKES": 18.0,
    "DISDUKCAPIL": 5.0,
    "DLH": 5.0,
    "DISHUB": 4.0,
    "DPUPR": 4.0,
    "SETDA": 4.0,
    "BPKD": 3.0,
}
_HEADS = {
    "dinas": "Kepala Dinas",
    "badan": "Kepala Badan",
    "sekretariat": "Sekretaris Daerah",
    "kecamatan": "Camat",
}
_DEPUTIES = {
    "dinas": (
        "Sekretaris Dinas",
        "Kepala Subbagian Umum dan Kepegawaian",
        "Kepala Subbagian Keuangan",
    ),
    "badan": (
        "Sekretaris Badan",
        "Kepala Subbagian Umum dan Kepegawaian",
        "Kepala Subbagian Keuangan",
    ),
    "sekretariat": (
        "Asisten Pemerintahan dan Kesejahteraan Rakyat",
        "Kepala Bagian Organisasi",
        "Kepala Bagian Hukum",
    ),
    "kecamatan": ("Sekretaris Camat", "Kepala Seksi Pemerintahan", "Kepala Seksi Pelayanan Umum"),
}
_FUNCTIONAL = {
    "DISDUKCAPIL": (
        "Verifikator Dokumen Kependudukan",
        "Administrator Database Kependudukan",
        "Pengadministrasi Kependudukan",
        "Operator Perekaman KTP-el",
    ),
    "DISKOMINFO": (
        "Pranata Komputer Ahli Pertama",
        "Pranata Komputer Ahli Muda",
        "Pranata Hubungan Masyarakat",
        "Pengelola Layanan Informasi Publik",
    ),
    "DINKES": (
        "Dokter Ahli Pertama",
        "Perawat Terampil",
        "Bidan Terampil",
        "Apoteker Ahli Pertama",
        "Epidemiolog Kesehatan",
    ),
    "DISDIK": ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya", "Pengawas Sekolah"),
    "DISHUB": ("Penguji Kendaraan Bermotor", "Petugas Pengatur Lalu Lintas", "Analis Transportasi"),
    "DPUPR": ("Teknik Jalan dan Jembatan", "Pengawas Bangunan", "Penata Ruang"),
    "DLH": ("Pengendali Dampak Lingkungan", "Pengawas Persampahan"),
    "DINSOS": ("Pekerja Sosial", "Penyuluh Sosial"),
    "DPMPTSP": ("Analis Perizinan", "Verifikator Perizinan"),
    "BPKD": ("Analis Keuangan", "Pengelola Barang Milik Daerah"),
    "BAPPEDA": ("Perencana Ahli Pertama", "Perencana Ahli Muda"),
    "BKPSDM": ("Analis Sumber Daya Manusia Aparatur", "Widyaiswara Ahli Muda"),
    "kecamatan": ("Staf Pelayanan", "Analis Pelayanan Masyarakat", "Pengelola Data Kependudukan"),
}
_GENERAL = (
    "Analis Kebijakan Ahli Muda",
    "Pengadministrasi Umum",
    "Arsiparis Terampil",
    "Pranata Keuangan",
)
_DEGREES = ("S.E.", "S.H.", "S.Sos.", "S.IP.", "S.T.", "S.Kom.", "A.Md.", "S.AP.")
_GRADES = (
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
)
_PPPK_GRADES = ("V", "VII", "IX", "X", "XI")
_RATINGS = ("DIATAS", "SESUAI", "DIBAWAH")
_QUARTERS = (("TW1", 3, 31), ("TW2", 6, 30), ("TW3", 9, 30), ("TW4", 12, 31))
_DUTIES = {
    "DISDUKCAPIL": (
        "Memverifikasi berkas permohonan akta kelahiran",
        "Melaksanakan perekaman KTP-el keliling di Kelurahan {village}",
        "Memutakhirkan data kependudukan hasil konsolidasi semester",
    ),
    "DISKOMINFO": (
        "Memelihara server dan jaringan pusat data",
        "Memperbarui konten portal resmi",
        "Menangani insiden keamanan aplikasi layanan",
    ),
    "DINKES": (
        "Melaksanakan pelayanan posyandu di Kelurahan {village}",
        "Melakukan surveilans penyakit menular",
        "Melayani pasien di puskesmas",
    ),
    "DISDIK": (
        "Melaksanakan pembelajaran tatap muka",
        "Menyusun modul ajar semester",
        "Menilai hasil asesmen sumatif peserta didik",
    ),
    "kecamatan": (
        "Melaksanakan pelayanan PATEN kecamatan",
        "Memfasilitasi musrenbang Kelurahan {village}",
        "Memantau kebersihan lingkungan Kelurahan {village}",
    ),
}
_ROUTINE = (
    "Menyusun laporan kinerja bulanan",
    "Mengikuti rapat koordinasi pimpinan",
    "Menyiapkan bahan paparan pimpinan",
    "Mengelola arsip surat masuk dan keluar",
    "Menyusun nota dinas tindak lanjut hasil rapat",
    "Melakukan monitoring dan evaluasi program kegiatan",
)
_LEARNING = (
    "Mengikuti webinar transformasi digital pemerintahan",
    "Mengikuti bimbingan teknis penyusunan SKP",
    "Mengikuti sosialisasi SPBE",
    "Mengikuti pelatihan pelayanan prima",
)


@dataclass(frozen=True)
class Unit:
    """An organisational unit (OPD or kecamatan)."""

    code: str
    name: str
    kind: str
    district: str | None = None


@dataclass(frozen=True)
class Officer:
    """An ASN officer as the generators need it; ``serves_until`` is ``as_of`` unless they left."""

    nip: str
    name: str
    first_name: str
    last_name: str
    position: str
    unit: str
    kind: str
    grade: str
    active: bool
    head: bool
    appointed: date
    serves_until: date


@dataclass(frozen=True)
class Staff:
    """The units and officers of the region, with who handles work for each unit."""

    units: tuple[Unit, ...]
    officers: tuple[Officer, ...]

    def desk(self, unit: str) -> tuple[Officer, ...]:
        """Active officers who handle a unit's casework: its staff, else its head."""
        members = [o for o in self.officers if o.unit == unit and o.active]
        return tuple(o for o in members if not o.head) or tuple(members)

    def kecamatan(self, district: str) -> str:
        """The unit code of a district's kecamatan office."""
        return next(u.code for u in self.units if u.district == district)


def units(world: World) -> tuple[Unit, ...]:
    """The agencies plus one kecamatan unit per district of the region."""
    return tuple(Unit(*agency) for agency in AGENCIES) + tuple(
        Unit(f"KEC-{i:02d}", f"Kecamatan {d.name}", "kecamatan", d.code)
        for i, d in enumerate(world.region.districts, start=1)
    )


def staff(world: World) -> Staff:
    """Generate every officer: one head per unit, then staff spread by typical headcount."""
    rng = world.rng("performance/staff")
    all_units = units(world)
    if world.scale.officers < len(all_units):
        raise ValueError(f"need at least {len(all_units)} officers, one to head each unit")
    members: dict[str, int] = Counter()
    serials: Counter[str] = Counter()
    officers = []
    for unit in _placements(rng, all_units, world.scale.officers):
        rank = members[unit.code]
        members[unit.code] += 1
        head = rank == 0
        deputies = _DEPUTIES[unit.kind]
        structural = head or (rank <= len(deputies) and rng.random() < 0.25)
        if head:
            position = _HEADS[unit.kind]
        elif structural:
            position = deputies[rank - 1]
        else:
            own = _FUNCTIONAL.get(unit.code if unit.kind != "kecamatan" else "kecamatan", ())
            position = rng.choice(own if own and rng.random() < 0.8 else _GENERAL)
        officers.append(_officer(rng, world, unit, position, head, structural, serials))
    return Staff(all_units, tuple(officers))


def _placements(rng: random.Random, all_units: tuple[Unit, ...], count: int) -> list[Unit]:
    """Unit of each officer: heads first, guaranteed desks for units that serve requests."""
    by_code = {u.code: u for u in all_units}
    placed = list(all_units)
    desks = (
        [by_code["DISDUKCAPIL"]] * 3
        + [by_code["DISKOMINFO"]] * 2
        + [u for u in all_units if u.kind == "kecamatan"]
    )
    placed += desks[: count - len(placed)]
    weights = [_HEADCOUNT.get(u.code, 1.2 if u.kind == "kecamatan" else 2.0) for u in all_units]
    placed += rng.choices(all_units, weights, k=count - len(placed))
    return placed


def _officer(
    rng: random.Random,
    world: World,
    unit: Unit,
    position: str,
    head: bool,
    structural: bool,
    serials: Counter[str],
) -> Officer:
    female = rng.random() < (0.3 if head else 0.52)
    # PPPK (contract ASN) exist since 2021; heads and structural posts are PNS.
    pppk = not structural and rng.random() < 0.28 and world.start.year > 2021
    last_month = (world.start.year - 1) * 12 + 11
    first_month = 2021 * 12 if pppk else 1990 * 12
    month = rng.randint(first_month, min(last_month, 2005 * 12) if head else last_month)
    # TMT (appointment) is always the first of a month.
    appointed = date(month // 12, month % 12 + 1, 1)
    birth = random_day(
        rng,
        max(years_before(appointed, 35) + timedelta(days=1), date(1965, 1, 1)),
        min(years_before(appointed, 20), date(2000, 12, 31)),
    )
    key = f"{birth:%Y%m%d}{appointed:%Y%m}{female:d}"
    serials[key] += 1
    nip = make_nip(birth, appointed, female, serials[key])
    given, family = person_name(rng, female)
    prefix = (
        "dr. "
        if position.startswith("Dokter")
        else (("Hj. " if female else "H. ") if head and rng.random() < 0.3 else "")
    )
    degree = _degree(rng, position, head)
    name = f"{prefix}{given} {family}".strip() + (f", {degree}" if degree else "")
    if pppk:
        grade = rng.choices(_PPPK_GRADES, (10, 15, 55, 12, 8))[0]
    else:
        # Graduates start at III/a, others at II/a, and rise a step every four years up to
        # IV/a; higher grades belong to structural posts.
        lowest, highest = (10, 11) if head else (7, 9) if structural else (0, 8)
        step = (4 if rng.random() < 0.75 else 0) + (world.as_of.year - appointed.year) // 4
        grade = _GRADES[max(lowest, min(step, highest))]
    active = head or rng.random() > 0.03
    until = world.as_of if active else random_day(rng, date(world.as_of.year, 1, 1), world.as_of)
    return Officer(
        nip,
        name,
        given,
        family or given,
        position,
        unit.code,
        "PPPK" if pppk else "PNS",
        grade,
        active,
        head,
        appointed,
        until,
    )


def _degree(rng: random.Random, position: str, head: bool) -> str:
    if position.startswith("Dokter"):
        return ""  # the "dr." in front is the degree
    if position.startswith("Guru"):
        return "S.Pd."
    if position.startswith("Pranata Komputer"):
        return "S.Kom."
    if position.startswith(("Perawat", "Bidan")):
        return "A.Md.Kep." if position.startswith("Perawat") else "A.Md.Keb."
    if head:
        return f"{rng.choice(_DEGREES[:5])}, {rng.choice(('M.Si.', 'M.M.', 'M.AP.', 'M.H.'))}"
    return rng.choice(_DEGREES) if rng.random() < 0.85 else ""


def generate(world: World, crew: Staff) -> Iterator[Chunk]:
    """Yield units, officers, their quarterly ratings and their routine activity log."""
    yield UNIT_KERJA, [(u.code, u.name, u.kind) for u in crew.units]
    yield from chunks(
        PEGAWAI,
        ((o.nip, o.name, o.position, o.unit, o.kind, o.grade, o.active) for o in crew.officers),
    )
    yield from chunks(PENILAIAN_KINERJA, _ratings(world, crew))
    yield from chunks(AKTIVITAS, _activities(world, crew))


def ticket_credit(
    world: World,
    nip: str,
    ticket: str,
    resolved: datetime,
    service: str,
    minutes: int,
) -> Row:
    """The e-Kinerja activity that credits an officer for resolving a service request."""
    return (
        nip,
        resolved.date(),
        f"Menyelesaikan layanan {service} (tiket {ticket})",
        "pelayanan_publik",
        minutes,
        f"https://ekinerja.{world.domain}/bukti/{ticket}",
        ticket,
    )


def _ratings(world: World, crew: Staff) -> Iterator[Row]:
    rng = world.rng("performance/ratings")
    for officer in crew.officers:
        # A steady personal level, so an officer's quarters resemble each other.
        level = rng.gauss(0.0, 1.0)
        for year in (world.as_of.year - 1, world.as_of.year):
            scores: list[tuple[int, int]] = []
            for period, month, day in _QUARTERS:
                if date(year, month, day) >= min(world.as_of, officer.serves_until):
                    continue
                work, behaviour = _rating(rng, level), _rating(rng, level)
                scores.append((work, behaviour))
                yield (
                    officer.nip,
                    year,
                    period,
                    _RATINGS[work],
                    _RATINGS[behaviour],
                    predicate(_RATINGS[work], _RATINGS[behaviour]),
                )
            if len(scores) == 4:
                work = round(sum(s[0] for s in scores) / 4)
                behaviour = round(sum(s[1] for s in scores) / 4)
                yield (
                    officer.nip,
                    year,
                    "AKHIR",
                    _RATINGS[work],
                    _RATINGS[behaviour],
                    predicate(_RATINGS[work], _RATINGS[behaviour]),
                )


def _rating(rng: random.Random, level: float) -> int:
    """Index into ``_RATINGS``; most officers meet expectations most of the time."""
    if level > 1.2:
        weights = (45, 50, 5)
    elif level < -1.2:
        weights = (3, 62, 35)
    else:
        weights = (9, 86, 5)
    return rng.choices((0, 1, 2), weights)[0]


def _activities(world: World, crew: Staff) -> Iterator[Row]:
    rng = world.rng("performance/activities")
    per_officer = world.scale.activities / len(crew.officers)
    window = (world.as_of - world.start).days + 1
    villages = {d.code: d.villages for d in world.region.districts}
    all_villages = world.region.villages
    units_by_code = {u.code: u for u in crew.units}
    for officer in crew.officers:
        unit = units_by_code[officer.unit]
        duties = _DUTIES.get(unit.code if unit.kind != "kecamatan" else "kecamatan", ())
        served = (officer.serves_until - world.start).days + 1
        days = sorted(
            _working_day(rng, world.start, officer.serves_until)
            for _ in range(stochastic_round(rng, per_officer * served / window))
        )
        for day in days:
            if rng.random() < 0.08:
                text, category, minutes = (
                    rng.choice(_LEARNING),
                    "pengembangan_kompetensi",
                    30 * (rng.randint(2, 16)),
                )
            else:
                text = rng.choice(duties if duties and rng.random() < 0.6 else _ROUTINE)
                category, minutes = "tugas_jabatan", 15 * rng.randint(2, 16)
            village = rng.choice(villages[unit.district] if unit.district else all_villages)
            yield (
                officer.nip,
                day,
                text.format(village=village.name),
                category,
                minutes,
                _evidence(rng, world, unit.code, day),
                None,
            )


def _working_day(rng: random.Random, first: date, last: date) -> date:
    day = random_day(rng, first, last)
    while day.weekday() >= 5:
        day = random_day(rng, first, last)
    return day


def _evidence(rng: random.Random, world: World, unit: str, day: date) -> str | None:
    draw = rng.random()
    if draw < 0.45:
        return f"ND/{rng.randint(1, 999):03d}/{unit}/{day.year}"
    if draw < 0.9:
        return f"https://ekinerja.{world.domain}/bukti/{rng.getrandbits(40):010x}"
    return None

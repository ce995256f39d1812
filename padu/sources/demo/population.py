"""Population registry (SIAK-like) demo data: families (keluarga) and residents (penduduk)."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from padu.identifiers import make_kk, make_nik
from padu.region import District, Village
from padu.sources.demo.world import (
    CHUNK_ROWS,
    CITIES,
    STREETS,
    Chunk,
    Row,
    Serials,
    Table,
    World,
    age,
    person_name,
    random_day,
    years_before,
)

KELUARGA = Table(
    "population",
    "keluarga",
    (
        "no_kk",
        "nik_kepala",
        "alamat",
        "rt",
        "rw",
        "kode_kelurahan",
        "kode_kecamatan",
        "kode_pos",
        "tanggal_terbit",
    ),
)
PENDUDUK = Table(
    "population",
    "penduduk",
    (
        "nik",
        "no_kk",
        "nama_lengkap",
        "jenis_kelamin",
        "tempat_lahir",
        "tanggal_lahir",
        "agama",
        "status_perkawinan",
        "pekerjaan",
        "shdk",
        "pendidikan",
        "golongan_darah",
    ),
)
TABLES = (KELUARGA, PENDUDUK)

# Members per family card; the mean (~3.2) matches Kota Tangerang's 1.9M people on ~600k cards.
_SIZES = (1, 2, 3, 4, 5, 6, 7)
_SIZE_WEIGHTS = (14, 21, 24, 22, 12, 5, 2)
_RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "BUDDHA", "HINDU", "KONGHUCU")
_RELIGION_WEIGHTS = (87, 6, 3, 3, 0.5, 0.5)
_BLOOD = ("A", "B", "AB", "O", None)
_BLOOD_WEIGHTS = (15, 17, 5, 23, 40)
_SCHOOLING = (
    "TAMAT SD/SEDERAJAT",
    "SLTP/SEDERAJAT",
    "SLTA/SEDERAJAT",
    "DIPLOMA I/II",
    "AKADEMI/DIPLOMA III/S. MUDA",
    "DIPLOMA IV/STRATA I",
    "STRATA II",
    "STRATA III",
)
_SCHOOLING_WEIGHTS = (14, 16, 42, 2, 6, 17, 2.7, 0.3)
_JOBS = (
    "KARYAWAN SWASTA",
    "WIRASWASTA",
    "BURUH HARIAN LEPAS",
    "PEDAGANG",
    "PEGAWAI NEGERI SIPIL",
    "KARYAWAN BUMN",
    "KARYAWAN HONORER",
    "SOPIR",
    "GURU",
    "PERAWAT",
    "TENTARA NASIONAL INDONESIA",
    "KEPOLISIAN RI",
    "TUKANG BATU",
    "BELUM/TIDAK BEKERJA",
)
_JOB_WEIGHTS = (38, 18, 10, 7, 4, 2, 2, 4, 3, 1, 1, 1, 2, 7)
# Birthplaces and real district counts (Kemendagri codes numbered 01..n) of the regencies
# people most often move to Kota Tangerang from; their NIK keeps the issuing district.
_ELSEWHERE = (
    ("36.03", "TANGERANG", 20),
    ("36.74", "TANGERANG", 7),
    ("31.71", "JAKARTA", 8),
    ("31.73", "JAKARTA", 8),
    ("31.74", "JAKARTA", 10),
    ("31.75", "JAKARTA", 10),
    ("32.01", "BOGOR", 40),
    ("32.75", "BEKASI", 12),
    ("32.73", "BANDUNG", 30),
    ("33.29", "BREBES", 17),
    ("33.28", "TEGAL", 18),
    ("32.08", "KUNINGAN", 32),
    ("36.01", "PANDEGLANG", 35),
    ("36.02", "LEBAK", 28),
    ("12.71", "MEDAN", 21),
    ("16.71", "PALEMBANG", 18),
)
_STREET_KINDS = ("JL.", "JL.", "JL.", "GG.", "KP.", "PERUM")


@dataclass
class _Member:
    female: bool
    birth: date
    shdk: str
    marital: str


class Requesters:
    """Adult residents who file service requests, held compactly (the city scale keeps ~1M)."""

    def __init__(self) -> None:
        self._niks = array("q")
        self._villages = array("H")

    def add(self, nik: str, village: int) -> None:
        """Remember a resident and the index of their family's village."""
        self._niks.append(int(nik))
        self._villages.append(village)

    def __len__(self) -> int:
        return len(self._niks)

    def pick(self, rng: random.Random) -> tuple[str, int]:
        """A random requester's NIK and village index."""
        i = rng.randrange(len(self._niks))
        return f"{self._niks[i]:016d}", self._villages[i]


def _postal_code(district: int, village: int) -> str:
    """A Kota Tangerang-shaped postal code (151xx); neighbouring villages share codes."""
    return f"151{11 + 3 * district + village % 3:02d}"


def generate(world: World, requesters: Requesters) -> Iterator[Chunk]:
    """Yield family and resident rows; collect the adults who will file service requests."""
    rng = world.rng("population")
    villages = world.region.villages
    districts = world.region.districts
    district_index = {d.code: i for i, d in enumerate(districts)}
    village_number = {v.code: i for d in districts for i, v in enumerate(d.villages)}
    niks, kks = Serials(), Serials()
    # Sample adults so the pool holds about twice as many people as there are requests.
    share = min(1.0, max(1_000, world.scale.service_requests // 2) / (0.7 * world.scale.residents))
    families: list[Row] = []
    residents: list[Row] = []
    remaining = world.scale.residents
    while remaining > 0:
        v = rng.randrange(len(villages))
        village = villages[v]
        home = districts[district_index[village.district_code]]
        members = _members(rng, world.as_of, min(remaining, rng.choices(_SIZES, _SIZE_WEIGHTS)[0]))
        remaining -= len(members)
        issued = random_day(rng, max(date(2008, 1, 1), max(m.birth for m in members)), world.as_of)
        kk = make_kk(home.code, issued, kks.next(home.code, issued.day, issued.month, issued.year))
        religion = rng.choices(_RELIGIONS, _RELIGION_WEIGHTS)[0]
        family_name = person_name(rng, female=False)[1]
        head_nik = ""
        for member in members:
            code, birthplace = _origin(rng, world, home, member.shdk)
            female = member.female
            nik = make_nik(
                code,
                member.birth,
                female,
                niks.next(
                    code.replace(".", ""),
                    member.birth.day + 40 * female,
                    member.birth.month,
                    member.birth.year,
                ),
            )
            head_nik = head_nik or nik
            years = age(member.birth, world.as_of)
            given, own_family = person_name(rng, female)
            # Children of a family with a surname (Batak, Manado, Chinese-Indonesian) keep it.
            surname = family_name if member.shdk == "ANAK" and family_name else own_family
            schooling = _schooling(rng, years)
            residents.append(
                (
                    nik,
                    kk,
                    f"{given} {surname}".strip().upper(),
                    "PEREMPUAN" if female else "LAKI-LAKI",
                    birthplace,
                    member.birth,
                    religion
                    if rng.random() < 0.97
                    else rng.choices(_RELIGIONS, _RELIGION_WEIGHTS)[0],
                    member.marital,
                    _occupation(rng, female, years, member.shdk, schooling),
                    member.shdk,
                    schooling,
                    rng.choices(_BLOOD, _BLOOD_WEIGHTS)[0],
                )
            )
            if years >= 17 and rng.random() < share:
                requesters.add(nik, v)
        families.append(
            (
                kk,
                head_nik,
                _street(rng, village),
                f"{rng.randint(1, 15):03d}",
                f"{rng.randint(1, 12):03d}",
                village.code,
                home.code,
                _postal_code(district_index[home.code], village_number[village.code]),
                issued,
            )
        )
        if len(residents) >= CHUNK_ROWS:
            yield KELUARGA, families
            yield PENDUDUK, residents
            families, residents = [], []
    if residents:
        yield KELUARGA, families
        yield PENDUDUK, residents


def _adult(rng: random.Random, as_of: date, youngest: int, oldest: int) -> date:
    return random_day(
        rng, years_before(as_of, oldest + 1) + timedelta(days=1), years_before(as_of, youngest)
    )


def _members(rng: random.Random, as_of: date, size: int) -> list[_Member]:
    """A family whose composition makes sense: adult head, spouse, younger children."""
    if size == 1:
        female = rng.random() < 0.4
        birth = _adult(rng, as_of, 19, 85)
        marital = (
            "BELUM KAWIN"
            if age(birth, as_of) < 35 or rng.random() < 0.3
            else (rng.choice(("CERAI HIDUP", "CERAI MATI")))
        )
        return [_Member(female, birth, "KEPALA KELUARGA", marital)]
    if rng.random() < 0.82:
        years = int(rng.triangular(22, 80, 40))
        husband = _adult(rng, as_of, years, years)
        # Wives are usually a few years younger, and at least 20.
        wife = husband + timedelta(days=rng.randint(-3 * 365, 8 * 365))
        if wife > years_before(as_of, 20):
            wife = _adult(rng, as_of, 20, 23)
        members = [
            _Member(False, husband, "KEPALA KELUARGA", "KAWIN"),
            _Member(True, wife, "ISTRI", "KAWIN"),
        ]
    else:
        wife = _adult(rng, as_of, 26, 75)
        widowed = rng.choice(("CERAI HIDUP", "CERAI MATI"))
        members = [_Member(True, wife, "KEPALA KELUARGA", widowed)]
    if size - len(members) >= 2 and age(members[0].birth, as_of) < 50 and rng.random() < 0.3:
        elder = members[0].birth - timedelta(days=rng.randint(22 * 365, 34 * 365))
        if age(elder, as_of) < 95:
            members.append(_Member(True, elder, rng.choice(("ORANG TUA", "MERTUA")), "CERAI MATI"))
    # Children follow the mother from age 19 to 44, at least 15 months apart.
    born = years_before(wife, -rng.randint(19, 30)) + timedelta(days=rng.randint(0, 364))
    while len(members) < size and born <= as_of and age(wife, born) < 45:
        members.append(_Member(rng.random() < 0.49, born, "ANAK", "BELUM KAWIN"))
        born += timedelta(days=rng.randint(456, 2200))
    if len(members) < size and size >= 5:
        members.append(
            _Member(rng.random() < 0.5, _adult(rng, as_of, 15, 40), "FAMILI LAIN", "BELUM KAWIN")
        )
    return members


def _origin(rng: random.Random, world: World, home: District, shdk: str) -> tuple[str, str]:
    """Where the NIK was first issued (district code) and the birthplace."""
    local_name = world.short_name.upper()
    # Children are mostly registered at home; adults often moved in from elsewhere.
    stayed, moved = (0.85, 0.10) if shdk == "ANAK" else (0.60, 0.15)
    draw = rng.random()
    if draw < stayed + moved:
        district = home if draw < stayed else rng.choice(world.region.districts)
        born_here = rng.random() < (0.85 if shdk == "ANAK" else 0.55)
        return district.code, local_name if born_here else rng.choice(CITIES).upper()
    regency, birthplace, count = rng.choice(_ELSEWHERE)
    return f"{regency}.{rng.randint(1, count):02d}", birthplace


def _street(rng: random.Random, village: Village) -> str:
    kind = rng.choice(_STREET_KINDS)
    name = village.name if kind in ("KP.", "PERUM") else rng.choice(STREETS)
    block = f" BLOK {rng.choice('ABCDEFGH')}{rng.randint(1, 20)}" if kind == "PERUM" else ""
    return f"{kind} {name.upper()}{block} NO. {rng.randint(1, 150)}"


def _schooling(rng: random.Random, years: int) -> str:
    if years < 5:
        return "TIDAK/BELUM SEKOLAH"
    if years < 13:
        return "BELUM TAMAT SD/SEDERAJAT"
    if years < 16:
        return "TAMAT SD/SEDERAJAT"
    if years < 19:
        return "SLTP/SEDERAJAT"
    return rng.choices(_SCHOOLING, _SCHOOLING_WEIGHTS)[0]


def _occupation(rng: random.Random, female: bool, years: int, shdk: str, schooling: str) -> str:
    if years < 5:
        return "BELUM/TIDAK BEKERJA"
    if years < 18 or (years < 23 and rng.random() < 0.5):
        return "PELAJAR/MAHASISWA"
    if years >= 60:
        if female:
            return rng.choice(("MENGURUS RUMAH TANGGA", "PENSIUNAN", "BELUM/TIDAK BEKERJA"))
        return rng.choice(("PENSIUNAN", "WIRASWASTA", "BELUM/TIDAK BEKERJA"))
    if female and shdk in ("ISTRI", "ORANG TUA", "MERTUA") and rng.random() < 0.55:
        return "MENGURUS RUMAH TANGGA"
    job = rng.choices(_JOBS, _JOB_WEIGHTS)[0]
    # Civil servants, teachers and nurses need at least a diploma.
    if job in ("PEGAWAI NEGERI SIPIL", "GURU", "PERAWAT") and schooling in _SCHOOLING[:3]:
        return "KARYAWAN SWASTA"
    return job

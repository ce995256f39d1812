-- Citizen service requests and complaints (LAKSA / e-Layanan-like).
CREATE TABLE IF NOT EXISTS kategori_layanan (
    kode            varchar(20) PRIMARY KEY,
    nama            text NOT NULL,
    sla_hari_kerja  integer NOT NULL,  -- service standard in working days
    menit_kerja     integer NOT NULL   -- officer minutes credited in e-Kinerja when done
);

CREATE TABLE IF NOT EXISTS permohonan (
    id_permohonan   bigserial PRIMARY KEY,
    no_tiket        varchar(24) NOT NULL UNIQUE,
    kode_kategori   varchar(20) NOT NULL REFERENCES kategori_layanan (kode),
    status          varchar(12) NOT NULL
                    CHECK (status IN ('menunggu', 'verifikasi', 'proses', 'selesai', 'ditolak')),
    judul           text NOT NULL,
    uraian          text NOT NULL,
    nik_pemohon     varchar(16) NOT NULL,
    kode_kelurahan  varchar(13) NOT NULL,
    kode_kecamatan  varchar(8) NOT NULL,
    nip_petugas     varchar(18),
    dibuat_pada     timestamptz NOT NULL,
    batas_waktu     timestamptz NOT NULL,
    selesai_pada    timestamptz
);
CREATE INDEX IF NOT EXISTS permohonan_dibuat_idx ON permohonan (dibuat_pada DESC, id_permohonan DESC);
CREATE INDEX IF NOT EXISTS permohonan_nik_idx ON permohonan (nik_pemohon, dibuat_pada DESC, id_permohonan DESC);
CREATE INDEX IF NOT EXISTS permohonan_nip_idx ON permohonan (nip_petugas, dibuat_pada DESC, id_permohonan DESC);
CREATE INDEX IF NOT EXISTS permohonan_kecamatan_idx ON permohonan (kode_kecamatan);
CREATE INDEX IF NOT EXISTS permohonan_kelurahan_idx ON permohonan (kode_kelurahan);
CREATE INDEX IF NOT EXISTS permohonan_status_idx ON permohonan (status);
-- Open requests by due time: the "overdue" filter.
CREATE INDEX IF NOT EXISTS permohonan_terbuka_idx ON permohonan (batas_waktu)
    WHERE status IN ('menunggu', 'verifikasi', 'proses');

CREATE TABLE IF NOT EXISTS riwayat_permohonan (
    id_riwayat      bigserial PRIMARY KEY,
    id_permohonan   bigint NOT NULL REFERENCES permohonan (id_permohonan),
    status          varchar(12) NOT NULL
                    CHECK (status IN ('menunggu', 'verifikasi', 'proses', 'selesai', 'ditolak')),
    catatan         text,
    nip_pelaku      varchar(18),
    waktu           timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS riwayat_permohonan_idx ON riwayat_permohonan (id_permohonan, waktu);

-- Writes made here by Padu, by idempotency key, committed in the same transaction as the
-- write itself: a retried write finds its key and does nothing (exactly-once effects).
CREATE TABLE IF NOT EXISTS padu_tulisan (
    kunci           varchar(200) PRIMARY KEY,
    waktu           timestamptz NOT NULL DEFAULT now()
);

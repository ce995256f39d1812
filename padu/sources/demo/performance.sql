-- e-Kinerja: officers, units, work activities and performance ratings (PermenPANRB 6/2022).
CREATE TABLE IF NOT EXISTS unit_kerja (
    kode_unit       varchar(20) PRIMARY KEY,
    nama_unit       text NOT NULL,
    jenis_unit      varchar(12) NOT NULL  -- dinas, badan, sekretariat, kecamatan, kelurahan
);

CREATE TABLE IF NOT EXISTS pegawai (
    nip                 varchar(18) PRIMARY KEY,
    nama                text NOT NULL,
    jabatan             text NOT NULL,
    kode_unit           varchar(20) NOT NULL REFERENCES unit_kerja (kode_unit),
    jenis_kepegawaian   varchar(8) NOT NULL CHECK (jenis_kepegawaian IN ('PNS', 'PPPK', 'NON_ASN')),
    golongan            varchar(6),
    aktif               boolean NOT NULL DEFAULT true
);
CREATE INDEX IF NOT EXISTS pegawai_unit_idx ON pegawai (kode_unit, nip);

CREATE TABLE IF NOT EXISTS aktivitas (
    id_aktivitas    bigserial PRIMARY KEY,
    nip             varchar(18) NOT NULL REFERENCES pegawai (nip),
    tanggal         date NOT NULL,
    uraian          text NOT NULL,
    kategori        varchar(24) NOT NULL
                    CHECK (kategori IN ('tugas_jabatan', 'pelayanan_publik', 'pengembangan_kompetensi')),
    durasi_menit    integer NOT NULL,
    bukti           text,          -- evidence link or document number
    ref_tiket       varchar(24)    -- service-request ticket the activity was done for
);
CREATE INDEX IF NOT EXISTS aktivitas_nip_idx ON aktivitas (nip, tanggal DESC, id_aktivitas DESC);
-- One credit per ticket: a delivery retried by Padu's outbox can never credit twice.
CREATE UNIQUE INDEX IF NOT EXISTS aktivitas_ref_tiket_key ON aktivitas (ref_tiket)
    WHERE ref_tiket IS NOT NULL;

-- periode: TW1..TW4 (quarters) and AKHIR (final, yearly).
CREATE TABLE IF NOT EXISTS penilaian_kinerja (
    nip             varchar(18) NOT NULL REFERENCES pegawai (nip),
    tahun           integer NOT NULL,
    periode         varchar(5) NOT NULL CHECK (periode IN ('TW1', 'TW2', 'TW3', 'TW4', 'AKHIR')),
    hasil_kerja     varchar(8) NOT NULL CHECK (hasil_kerja IN ('DIATAS', 'SESUAI', 'DIBAWAH')),
    perilaku        varchar(8) NOT NULL CHECK (perilaku IN ('DIATAS', 'SESUAI', 'DIBAWAH')),
    predikat        varchar(20) NOT NULL,
    PRIMARY KEY (nip, tahun, periode)
);

-- Writes made here by Padu, by idempotency key, committed in the same transaction as the
-- write itself: a retried write finds its key and does nothing (exactly-once effects).
CREATE TABLE IF NOT EXISTS padu_tulisan (
    kunci           varchar(200) PRIMARY KEY,
    waktu           timestamptz NOT NULL DEFAULT now()
);

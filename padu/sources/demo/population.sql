-- Population registry (SIAK-like). Address lives on the family card (KK), as in SIAK.
-- Identifiers are varchar, not char: a text parameter compared with a char column is cast
-- column-side, which keeps PostgreSQL from using the index.
CREATE TABLE IF NOT EXISTS keluarga (
    no_kk           varchar(16) PRIMARY KEY,
    nik_kepala      varchar(16) NOT NULL,
    alamat          text NOT NULL,
    rt              varchar(3) NOT NULL,
    rw              varchar(3) NOT NULL,
    kode_kelurahan  varchar(13) NOT NULL,
    kode_kecamatan  varchar(8) NOT NULL,
    kode_pos        varchar(5),
    tanggal_terbit  date NOT NULL
);
CREATE INDEX IF NOT EXISTS keluarga_kelurahan_idx ON keluarga (kode_kelurahan);
CREATE INDEX IF NOT EXISTS keluarga_kecamatan_idx ON keluarga (kode_kecamatan);

CREATE TABLE IF NOT EXISTS penduduk (
    nik                 varchar(16) PRIMARY KEY,
    no_kk               varchar(16) NOT NULL REFERENCES keluarga (no_kk),
    nama_lengkap        text NOT NULL,
    jenis_kelamin       varchar(10) NOT NULL CHECK (jenis_kelamin IN ('LAKI-LAKI', 'PEREMPUAN')),
    tempat_lahir        text NOT NULL,
    tanggal_lahir       date NOT NULL,
    agama               varchar(12) NOT NULL,
    status_perkawinan   varchar(24) NOT NULL,
    pekerjaan           text NOT NULL,
    shdk                varchar(20) NOT NULL,  -- status hubungan dalam keluarga
    pendidikan          text,
    golongan_darah      varchar(3)
);
CREATE INDEX IF NOT EXISTS penduduk_no_kk_idx ON penduduk (no_kk);
CREATE INDEX IF NOT EXISTS penduduk_nama_idx ON penduduk (lower(nama_lengkap) text_pattern_ops);

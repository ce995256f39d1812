-- e-Pembayaran demo data (PostgreSQL): payments of local taxes and fees by NIK.
-- Reads padu_penduduk (nik, kode_kelurahan), the residents the seeder copied in; deterministic.
DROP TABLE IF EXISTS pembayaran;
CREATE TABLE pembayaran (
    id_pembayaran bigint PRIMARY KEY,
    no_kuitansi varchar(24) NOT NULL UNIQUE,
    nik char(16) NOT NULL,
    jenis varchar(32) NOT NULL,
    periode char(7) NOT NULL,
    jumlah bigint NOT NULL,
    status varchar(16) NOT NULL,
    dibayar_pada date
);
-- PBB for every resident, fees (retribusi) for about half of them.
INSERT INTO pembayaran
SELECT n, 'KWT-' || lpad(n::text, 8, '0'), nik, jenis, periode, jumlah,
       CASE WHEN h % 7 = 0 THEN 'BELUM_BAYAR' ELSE 'LUNAS' END,
       CASE WHEN h % 7 = 0 THEN NULL
            ELSE to_date(periode || '-01', 'YYYY-MM-DD') + (h % 27) END
FROM (
    SELECT row_number() OVER (ORDER BY p.nik, k.i) AS n, p.nik,
           abs(hashtext(p.nik || k.i::text)) AS h, k.i,
           (ARRAY['PBB', 'RETRIBUSI_SAMPAH', 'RETRIBUSI_PARKIR'])[1 + k.i % 3] AS jenis,
           '2026-' || lpad((1 + abs(hashtext(p.nik || k.i::text)) % 11)::text, 2, '0') AS periode,
           (ARRAY[150000, 25000, 10000])[1 + k.i % 3] * (1 + abs(hashtext(p.nik)) % 4) AS jumlah
    FROM padu_penduduk p CROSS JOIN generate_series(0, 2) AS k(i)
    WHERE k.i = 0 OR abs(hashtext(p.nik)) % 2 = 0
) payments;
CREATE INDEX pembayaran_nik_idx ON pembayaran (nik, id_pembayaran);


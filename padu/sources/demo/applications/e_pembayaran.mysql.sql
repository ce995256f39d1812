-- e-Pembayaran demo data (MySQL/MariaDB): payments of local taxes and fees by NIK.
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
    dibayar_pada date,
    INDEX pembayaran_nik_idx (nik, id_pembayaran)
);
-- PBB for every resident, fees (retribusi) for about half of them.
INSERT INTO pembayaran
SELECT n, CONCAT('KWT-', LPAD(n, 8, '0')), nik, jenis, periode, jumlah,
       CASE WHEN h % 7 = 0 THEN 'BELUM_BAYAR' ELSE 'LUNAS' END,
       CASE WHEN h % 7 = 0 THEN NULL
            ELSE DATE_ADD(STR_TO_DATE(CONCAT(periode, '-01'), '%Y-%m-%d'), INTERVAL h % 27 DAY) END
FROM (
    SELECT ROW_NUMBER() OVER (ORDER BY p.nik, k.i) AS n, p.nik,
           CRC32(CONCAT(p.nik, k.i)) AS h, k.i,
           ELT(1 + k.i % 3, 'PBB', 'RETRIBUSI_SAMPAH', 'RETRIBUSI_PARKIR') AS jenis,
           CONCAT('2026-', LPAD(1 + CRC32(CONCAT(p.nik, k.i)) % 11, 2, '0')) AS periode,
           ELT(1 + k.i % 3, 150000, 25000, 10000) * (1 + CRC32(p.nik) % 4) AS jumlah
    FROM padu_penduduk p
    CROSS JOIN (SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2) k
    WHERE k.i = 0 OR CRC32(p.nik) % 2 = 0
) payments;


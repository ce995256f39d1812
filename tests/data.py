"""A small fixed dataset for the four source systems, written as each system stores it.

Every expected value in the API tests comes from here, so a reader can check them by eye.
Open requests that must not be overdue are due in 2030, so the tests do not age.
"""

from __future__ import annotations

# Officers (e-Kinerja), referred to across sources by NIP.
AGUS = "198503152010011001"  # DISDUKCAPIL, PNS
MAYA = "199002202015032002"  # DISKOMINFO, PNS
JOKO = "198807072019021003"  # KEC-01, PPPK
HENDRA = "197512122000121001"  # DISDUKCAPIL head, no e-learning account

# Residents (population), referred to across sources by NIK.
BUDI = "3671011505800001"
SITI = "3671015208850002"
ANDI = "3671010103150003"
DEWI = "3671056304900001"
RUDI = "3174012510920001"  # first registered in Jakarta Selatan, lives in Cipondoh
AHMAD = "3671130101700004"

KK_BUDI = "3671011201100001"
KK_DEWI = "3671052003120002"
KK_AHMAD = "3671132207180003"

# What must never appear in a log line: every resident's NIK, KK number and name.
PERSONAL = (
    BUDI, SITI, ANDI, DEWI, RUDI, AHMAD, KK_BUDI, KK_DEWI, KK_AHMAD,
    "Budi Santoso", "Siti Aminah", "Andi Santoso", "Dewi Lestari", "Rudi Hartono", "Ahmad Fauzi",
)  # fmt: skip

POPULATION = """
INSERT INTO keluarga (no_kk, nik_kepala, alamat, rt, rw, kode_kelurahan, kode_kecamatan,
                      kode_pos, tanggal_terbit) VALUES
('3671011201100001', '3671011505800001', 'Jl. Merdeka No. 1', '001', '002',
 '36.71.01.1001', '36.71.01', '15111', '2010-01-12'),
('3671052003120002', '3671056304900001', 'Jl. Cipondoh Raya No. 5', '004', '001',
 '36.71.05.1001', '36.71.05', '15148', '2012-03-20'),
('3671132207180003', '3671130101700004', 'Jl. Raden Fatah No. 9', '002', '003',
 '36.71.13.1001', '36.71.13', '15154', '2018-07-22');

INSERT INTO penduduk (nik, no_kk, nama_lengkap, jenis_kelamin, tempat_lahir, tanggal_lahir, agama,
                      status_perkawinan, pekerjaan, shdk, pendidikan, golongan_darah) VALUES
('3671011505800001', '3671011201100001', 'Budi Santoso', 'LAKI-LAKI', 'Tangerang', '1980-05-15',
 'ISLAM', 'KAWIN', 'KARYAWAN SWASTA', 'KEPALA KELUARGA', 'DIPLOMA IV/STRATA I', 'O'),
('3671015208850002', '3671011201100001', 'Siti Aminah', 'PEREMPUAN', 'Serang', '1985-08-12',
 'ISLAM', 'KAWIN', 'MENGURUS RUMAH TANGGA', 'ISTRI', 'SLTA/SEDERAJAT', 'A'),
('3671010103150003', '3671011201100001', 'Andi Santoso', 'LAKI-LAKI', 'Tangerang', '2015-03-01',
 'ISLAM', 'BELUM KAWIN', 'PELAJAR/MAHASISWA', 'ANAK', 'TAMAT SD/SEDERAJAT', NULL),
('3671056304900001', '3671052003120002', 'Dewi Lestari', 'PEREMPUAN', 'Bandung', '1990-04-23',
 'KATOLIK', 'KAWIN', 'WIRASWASTA', 'KEPALA KELUARGA', 'DIPLOMA IV/STRATA I', 'B'),
('3174012510920001', '3671052003120002', 'Rudi Hartono', 'LAKI-LAKI', 'Jakarta', '1992-10-25',
 'KATOLIK', 'KAWIN', 'PEGAWAI NEGERI SIPIL', 'SUAMI', 'STRATA II', 'AB'),
('3671130101700004', '3671132207180003', 'Ahmad Fauzi', 'LAKI-LAKI', 'Tangerang', '1970-01-01',
 'ISLAM', 'CERAI MATI', 'PEDAGANG', 'KEPALA KELUARGA', 'SLTP/SEDERAJAT', NULL);
"""

SERVICE_REQUESTS = """
INSERT INTO kategori_layanan (kode, nama, sla_hari_kerja, menit_kerja) VALUES
('KTP_EL', 'Perekaman dan pencetakan KTP-el', 3, 30),
('KIA', 'Kartu Identitas Anak', 3, 20),
('KK', 'Penerbitan Kartu Keluarga', 1, 30),
('AKTA_KELAHIRAN', 'Akta Kelahiran', 1, 30),
('AKTA_KEMATIAN', 'Akta Kematian', 3, 30),
('PINDAH_DATANG', 'Surat Pindah / Datang', 3, 45),
('PENGADUAN', 'Pengaduan Masyarakat', 5, 60),
('INFORMASI', 'Permintaan Informasi Publik', 10, 15);

INSERT INTO permohonan (id_permohonan, no_tiket, kode_kategori, status, judul, uraian, nik_pemohon,
                        kode_kelurahan, kode_kecamatan, nip_petugas, dibuat_pada, batas_waktu,
                        selesai_pada) VALUES
(1, 'LKS-2026-000001', 'KTP_EL', 'selesai', 'Cetak ulang KTP-el rusak', 'KTP-el patah.',
 '3671011505800001', '36.71.01.1001', '36.71.01', '198503152010011001',
 '2026-01-05 09:00+07', '2026-01-08 09:00+07', '2026-01-07 10:00+07'),
(2, 'LKS-2026-000002', 'KK', 'proses', 'Perubahan KK', 'Tambah anggota keluarga.',
 '3671011505800001', '36.71.01.1001', '36.71.01', '198503152010011001',
 '2026-02-10 08:00+07', '2026-02-11 08:00+07', NULL),
(3, 'LKS-2026-000003', 'PENGADUAN', 'menunggu', 'Lampu PJU mati', 'Lampu jalan mati di RT 001.',
 '3671015208850002', '36.71.01.1001', '36.71.01', NULL,
 '2026-11-20 10:00+07', '2030-12-31 10:00+07', NULL),
(4, 'LKS-2025-000004', 'INFORMASI', 'ditolak', 'Data APBD', 'Minta data APBD 2025.',
 '3671056304900001', '36.71.05.1001', '36.71.05', '199002202015032002',
 '2025-06-01 09:00+07', '2025-06-13 09:00+07', '2025-06-02 09:00+07'),
(5, 'LKS-2026-000005', 'AKTA_KELAHIRAN', 'verifikasi', 'Akta kelahiran anak', 'Anak kedua.',
 '3671056304900001', '36.71.05.1001', '36.71.05', '198503152010011001',
 '2026-03-01 09:00+07', '2030-12-31 09:00+07', NULL);
SELECT setval('permohonan_id_permohonan_seq', 5);

INSERT INTO riwayat_permohonan (id_permohonan, status, catatan, nip_pelaku, waktu) VALUES
(1, 'menunggu', 'Permohonan diterima', NULL, '2026-01-05 09:00+07'),
(1, 'verifikasi', 'Dokumen lengkap', '198503152010011001', '2026-01-05 13:00+07'),
(1, 'proses', 'Dicetak', '198503152010011001', '2026-01-06 09:00+07'),
(1, 'selesai', 'KTP-el diambil', '198503152010011001', '2026-01-07 10:00+07'),
(2, 'menunggu', 'Permohonan diterima', NULL, '2026-02-10 08:00+07'),
(2, 'verifikasi', NULL, '198503152010011001', '2026-02-10 10:00+07'),
(2, 'proses', NULL, '198503152010011001', '2026-02-10 11:00+07'),
(3, 'menunggu', 'Pengaduan diterima', NULL, '2026-11-20 10:00+07'),
(4, 'menunggu', 'Permohonan diterima', NULL, '2025-06-01 09:00+07'),
(4, 'ditolak', 'Dikecualikan', '199002202015032002', '2025-06-02 09:00+07'),
(5, 'menunggu', 'Permohonan diterima', NULL, '2026-03-01 09:00+07'),
(5, 'verifikasi', 'Dokumen diperiksa', '198503152010011001', '2026-03-02 09:00+07');
"""

PERFORMANCE = """
INSERT INTO unit_kerja (kode_unit, nama_unit, jenis_unit) VALUES
('DISDUKCAPIL', 'Dinas Kependudukan dan Pencatatan Sipil', 'dinas'),
('DISKOMINFO', 'Dinas Komunikasi dan Informatika', 'dinas'),
('KEC-01', 'Kecamatan Tangerang', 'kecamatan');

INSERT INTO pegawai (nip, nama, jabatan, kode_unit, jenis_kepegawaian, golongan, aktif) VALUES
('198503152010011001', 'Agus Setiawan', 'Verifikator Dokumen Kependudukan', 'DISDUKCAPIL',
 'PNS', 'III/c', true),
('199002202015032002', 'Maya Sari', 'Pranata Komputer', 'DISKOMINFO', 'PNS', 'III/a', true),
('198807072019021003', 'Joko Prasetyo', 'Staf Pelayanan', 'KEC-01', 'PPPK', 'IX', true),
('197512122000121001', 'Hendra Gunawan', 'Kepala Dinas', 'DISDUKCAPIL', 'PNS', 'IV/c', false);

INSERT INTO aktivitas (id_aktivitas, nip, tanggal, uraian, kategori, durasi_menit, bukti,
                       ref_tiket) VALUES
(1, '198503152010011001', '2026-01-07', 'Menyelesaikan LKS-2026-000001', 'pelayanan_publik', 30,
 'LKS-2026-000001', 'LKS-2026-000001'),
(2, '198503152010011001', '2026-02-03', 'Rapat koordinasi', 'tugas_jabatan', 120,
 'ND/12/DISDUKCAPIL/2026', NULL),
(3, '198503152010011001', '2026-03-30', 'Pelatihan Pelayanan Publik Prima',
 'pengembangan_kompetensi', 540, NULL, NULL),
(4, '198503152010011001', '2026-08-14', 'Verifikasi berkas', 'tugas_jabatan', 90, NULL, NULL),
(5, '198503152010011001', '2025-11-02', 'Verifikasi berkas', 'tugas_jabatan', 60, NULL, NULL),
(6, '199002202015032002', '2026-01-20', 'Pemeliharaan server', 'tugas_jabatan', 240, NULL, NULL);
SELECT setval('aktivitas_id_aktivitas_seq', 6);

INSERT INTO penilaian_kinerja (nip, tahun, periode, hasil_kerja, perilaku, predikat) VALUES
('198503152010011001', 2026, 'TW1', 'SESUAI', 'SESUAI', 'Baik'),
('198503152010011001', 2025, 'AKHIR', 'DIATAS', 'DIATAS', 'Sangat Baik'),
('199002202015032002', 2026, 'TW1', 'DIBAWAH', 'SESUAI', 'Butuh Perbaikan');
"""

# Times are epoch seconds, as Moodle keeps them. In WIB: Agus completed course 1 on 2026-02-10
# and course 2 on 2026-04-15 (22 JP in 2026); Maya completed course 3 on 2026-02-13 (6 JP) and
# course 1 on 2025-06-01; Joko enrolled in course 2 on 2025-09-01 and completed it 2026-01-20.
LEARNING = """
INSERT INTO mdl_user (id, username, firstname, lastname, email, idnumber) VALUES
(1, 'agus.setiawan', 'Agus', 'Setiawan', 'agus@tangerangkota.go.id', '198503152010011001'),
(2, 'maya.sari', 'Maya', 'Sari', 'maya@tangerangkota.go.id', '199002202015032002'),
(3, 'joko.prasetyo', 'Joko', 'Prasetyo', 'joko@tangerangkota.go.id', '198807072019021003'),
(4, 'pelatih.tamu', 'Pelatih', 'Tamu', 'tamu@example.org', '');

INSERT INTO mdl_course (id, fullname, shortname, summary, visible) VALUES
(1, 'Pelayanan Publik Prima', 'PPP', 'Standar pelayanan publik.', 1),
(2, 'Literasi Digital ASN', 'LITDIG', NULL, 1),
(3, 'Pendidikan Anti-Korupsi', 'PAK', NULL, 1),
(4, 'Kursus Arsip (ditutup)', 'ARSIP', NULL, 0);

INSERT INTO mdl_customfield_field (id, shortname, name, type) VALUES
(1, 'jp', 'Jam Pelajaran', 'number'), (2, 'wajib', 'Wajib', 'checkbox');
INSERT INTO mdl_customfield_data (fieldid, instanceid, intvalue, value) VALUES
(1, 1, 12, '12'), (2, 1, 1, '1'),
(1, 2, 10, '10'), (2, 2, 0, '0'),
(1, 3, 6, '6'), (2, 3, 1, '1'),
(1, 4, 4, '4');

INSERT INTO mdl_enrol (id, enrol, courseid) VALUES
(1, 'manual', 1), (2, 'manual', 2), (3, 'manual', 3), (4, 'manual', 4);

INSERT INTO mdl_user_enrolments (id, enrolid, userid, timecreated) VALUES
(1, 1, 1, 1769000000),
(2, 2, 1, 1772000000),
(3, 3, 1, 1777000000),
(4, 3, 2, 1769500000),
(5, 1, 2, 1740000000),
(6, 2, 3, 1756684800),
(7, 1, 4, 1770000000);
SELECT setval('mdl_user_id_seq', 4), setval('mdl_course_id_seq', 4), setval('mdl_enrol_id_seq', 4),
       setval('mdl_user_enrolments_id_seq', 7);

INSERT INTO mdl_course_completions (userid, course, timeenrolled, timestarted, timecompleted) VALUES
(1, 1, 1769000000, 1769000000, 1770681600),
(1, 2, 1772000000, 1772000000, 1776211200),
(1, 3, 1777000000, 1777000000, NULL),
(2, 3, 1769500000, 1769500000, 1771000000),
(2, 1, 1740000000, 1740000000, 1748736000),
(3, 2, 1756684800, 1756684800, 1768867200);
"""

# Development-only test keys, never used outside the test suite.
TEST_SECRET = "padu-test-only-hs256-secret-0123456789"
TEST_AUDIT_KEY = "padu-test-only-audit-hash-key-0123456789"
PRODUCTION = {
    "padu": {"mode": "production"},
    "auth": {"hs256_secret": TEST_SECRET},
    "audit": {"hash_key": TEST_AUDIT_KEY},
}

FIXTURES = {
    "population": POPULATION,
    "service_requests": SERVICE_REQUESTS,
    "performance": PERFORMANCE,
    "learning": LEARNING,
}

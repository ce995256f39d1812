"""Indonesian wording of demo service requests: titles, descriptions and timeline notes."""

from __future__ import annotations

# (judul, uraian) templates per category; placeholders are filled per request.
REQUESTS: dict[str, tuple[tuple[str, str], ...]] = {
    "KTP_EL": (
        (
            "Perekaman KTP-el pemula",
            "Anak saya sudah berusia 17 tahun dan belum memiliki KTP-el. Mohon dijadwalkan "
            "perekaman di kecamatan.",
        ),
        (
            "Penggantian KTP-el rusak",
            "Chip KTP-el saya tidak terbaca saat verifikasi di bank. Mohon dicetak ulang.",
        ),
        (
            "Penggantian KTP-el hilang",
            "KTP-el saya hilang sekitar {days} hari lalu. Surat keterangan kehilangan dari "
            "kepolisian sudah saya lampirkan.",
        ),
        (
            "Perubahan data KTP-el",
            "Mohon perubahan status perkawinan dan pekerjaan pada KTP-el sesuai KK terbaru.",
        ),
    ),
    "KIA": (
        (
            "Penerbitan KIA anak usia {child_age} tahun",
            "Mohon diterbitkan Kartu Identitas Anak untuk anak saya yang berusia {child_age} tahun "
            "sebagai syarat pendaftaran sekolah.",
        ),
        (
            "Penggantian KIA hilang",
            "KIA anak saya hilang. Mohon diterbitkan kembali dengan data yang sama.",
        ),
    ),
    "KK": (
        (
            "Penambahan anggota keluarga pada KK",
            "Mohon penambahan anak kami yang baru lahir ke dalam Kartu Keluarga.",
        ),
        (
            "Perubahan data KK",
            "Mohon perubahan data pendidikan dan pekerjaan anggota keluarga pada Kartu Keluarga.",
        ),
        (
            "Pisah KK setelah menikah",
            "Saya sudah menikah dan ingin membuat Kartu Keluarga baru terpisah dari orang tua, "
            "beralamat di RT {rt}/RW {rw} Kelurahan {village}.",
        ),
        ("Cetak ulang KK rusak", "Kartu Keluarga kami rusak terkena banjir. Mohon dicetak ulang."),
    ),
    "AKTA_KELAHIRAN": (
        (
            "Akta kelahiran anak ke-{n}",
            "Anak kami lahir di {hospital} {days} hari yang lalu. Surat keterangan lahir dan "
            "buku nikah sudah dilampirkan; mohon diterbitkan akta kelahiran.",
        ),
        (
            "Pencatatan kelahiran terlambat",
            "Anak saya berusia {child_age} tahun dan belum memiliki akta kelahiran. Mohon "
            "pencatatan kelahiran dengan SPTJM.",
        ),
    ),
    "AKTA_KEMATIAN": (
        (
            "Pencatatan kematian orang tua",
            "Ayah kami meninggal dunia {days} hari yang lalu di {hospital}. Mohon diterbitkan akta "
            "kematian dan pembaruan data Kartu Keluarga.",
        ),
        (
            "Akta kematian pasangan",
            "Suami/istri saya meninggal dunia. Mohon diterbitkan akta kematian untuk keperluan "
            "pengurusan pensiun dan ahli waris.",
        ),
    ),
    "PINDAH_DATANG": (
        (
            "Surat keterangan pindah ke {city}",
            "Saya sekeluarga akan pindah domisili ke {city} karena pekerjaan. Mohon diterbitkan "
            "SKPWNI.",
        ),
        (
            "Pendaftaran pindah datang dari {city}",
            "Kami pindah dari {city} ke RT {rt}/RW {rw} Kelurahan {village}. Mohon Kartu Keluarga "
            "dan KTP-el diterbitkan dengan alamat baru.",
        ),
    ),
    "PENGADUAN": (
        (
            "Jalan rusak di {street}",
            "Jalan di {street} RT {rt}/RW {rw} Kelurahan {village} berlubang cukup dalam sejak "
            "{days} hari dan membahayakan pengendara motor, terutama saat hujan.",
        ),
        (
            "Lampu PJU mati di {street}",
            "Lampu penerangan jalan umum di {street} Kelurahan {village} mati sudah {days} hari, "
            "jalan gelap di malam hari dan rawan kejahatan.",
        ),
        (
            "Sampah menumpuk di TPS Kelurahan {village}",
            "Sampah di TPS dekat RW {rw} Kelurahan {village} belum diangkut selama {days} hari, "
            "menimbulkan bau dan lalat.",
        ),
        (
            "Banjir di permukiman RW {rw} {village}",
            "Setiap hujan deras air setinggi 30-50 cm menggenangi {street} RT {rt}/RW {rw}. "
            "Mohon saluran air dinormalisasi.",
        ),
        (
            "Saluran air tersumbat di {street}",
            "Saluran air di {street} tersumbat sampah dan lumpur sehingga air meluap ke jalan.",
        ),
        (
            "Pohon tumbang di {street}",
            "Pohon besar tumbang menutup sebagian badan jalan di {street} Kelurahan {village}. "
            "Mohon segera dievakuasi.",
        ),
        (
            "Parkir liar di {street}",
            "Banyak kendaraan parkir di bahu jalan {street} sehingga menimbulkan kemacetan setiap "
            "sore.",
        ),
        (
            "Pedagang kaki lima menutup trotoar",
            "Trotoar di {street} Kelurahan {village} dipenuhi lapak PKL sehingga pejalan kaki "
            "harus turun ke jalan.",
        ),
        (
            "Air PDAM tidak mengalir",
            "Air PDAM di RT {rt}/RW {rw} Kelurahan {village} tidak mengalir selama {days} hari.",
        ),
    ),
    "INFORMASI": (
        (
            "Permohonan data jumlah penduduk Kelurahan {village}",
            "Untuk keperluan penelitian skripsi, saya memohon data jumlah penduduk menurut "
            "kelompok umur dan jenis kelamin di Kelurahan {village} tahun {year}.",
        ),
        (
            "Permohonan salinan dokumen RPJMD",
            "Mohon salinan dokumen RPJMD {region} beserta laporan capaian kinerja tahun "
            "sebelumnya.",
        ),
        (
            "Jadwal perekaman KTP-el keliling",
            "Mohon informasi jadwal perekaman KTP-el keliling di Kelurahan {village} bulan ini.",
        ),
        (
            "Permohonan data realisasi anggaran kelurahan",
            "Mohon data realisasi anggaran Kelurahan {village} tahun {year} untuk kegiatan "
            "pemantauan warga.",
        ),
    ),
}

SUBMITTED = (
    "Diajukan melalui aplikasi layanan warga",
    "Diajukan di loket pelayanan kecamatan",
    "Diajukan melalui WhatsApp layanan",
)
COMPLAINT_SUBMITTED = (
    "Diterima melalui aplikasi layanan warga",
    "Diterima melalui SP4N-LAPOR!",
    "Diterima melalui media sosial resmi",
)
VERIFYING = "Berkas diterima dan sedang diverifikasi petugas"

# Notes for the "proses", "selesai" and "ditolak" steps: civil registry, complaints, information.
IN_PROGRESS = {
    "civil": "Berkas lengkap, dokumen sedang diproses",
    "PENGADUAN": "Diteruskan ke perangkat daerah teknis untuk ditindaklanjuti",
    "INFORMASI": "Informasi sedang disiapkan oleh PPID pelaksana",
}
DONE = {
    "civil": "Dokumen selesai dan dapat diunduh atau diambil di loket",
    "PENGADUAN": "Tindak lanjut di lapangan telah dilaksanakan",
    "INFORMASI": "Informasi telah dikirim ke email pemohon",
}
REJECTED = {
    "civil": (
        "Berkas tidak lengkap: fotokopi KK belum dilampirkan",
        "Data pemohon tidak sesuai dengan database kependudukan",
        "Dokumen pendukung tidak terbaca, mohon unggah ulang",
        "Permohonan ganda, sudah diproses pada tiket sebelumnya",
    ),
    "PENGADUAN": (
        "Lokasi berada di luar kewenangan pemerintah kota",
        "Laporan tidak disertai lokasi dan foto yang jelas",
        "Sudah ditangani pada laporan sebelumnya",
    ),
    "INFORMASI": (
        "Informasi yang diminta termasuk informasi yang dikecualikan",
        "Identitas pemohon informasi tidak lengkap",
    ),
}

"""`import_data siaga FILE` with exactly the columns of the entered inputs."""

from binasehat.community.models import SiagaInput


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path

HEADER = "desa_code,year,forum,akses_harian,ukbm_lain_aktif,dana_sumber_lain,ormas_aktif,peraturan,phbs_rt_persen,sk_number,sk_date\n"


def test_import_creates_updates_and_is_idempotent(demo, tmp_path, import_data):
    path = write_csv(tmp_path / "siaga.csv", HEADER
                     + "19.03.01.1001,2024,bulanan,ya,4,3,2,direalisasikan,72.5,140/1/SK/2024,2024-02-01\n"
                     + "19.03.01.1002,2024,belum_berjalan,tidak,0,0,0,tidak_ada,10,,\n")
    code, out, err = import_data("siaga", str(path))
    assert code == 0, out + err
    assert "created=2" in out
    item = SiagaInput.objects.get(desa_id="19.03.01.1001", year=2024)
    assert (item.forum, item.akses_harian, item.ukbm_lain_aktif, item.dana_sumber_lain, item.ormas_aktif,
            item.peraturan, float(item.phbs_rt_persen), item.sk_number, str(item.sk_date)) == (
        "bulanan", True, 4, 3, 2, "direalisasikan", 72.5, "140/1/SK/2024", "2024-02-01")
    assert item.entered_by == "sistem"
    code, out, err = import_data("siaga", str(path))
    assert code == 0 and "unchanged=2" in out, out + err
    path.write_text(HEADER + "19.03.01.1001,2024,triwulanan,ya,4,3,2,direalisasikan,72.5,140/1/SK/2024,2024-02-01\n")
    code, out, err = import_data("siaga", str(path))
    assert "updated=1" in out
    assert SiagaInput.objects.get(desa_id="19.03.01.1001", year=2024).forum == "triwulanan"


def test_import_without_the_optional_sk_columns(demo, tmp_path, import_data):
    path = write_csv(tmp_path / "siaga.csv", HEADER.replace(",sk_number,sk_date", "")
                     + "19.03.01.1003,2024,tidak_rutin,ya,2,1,1,ada,25\n")
    code, out, err = import_data("siaga", str(path))
    assert code == 0 and "created=1" in out, out + err


def test_import_rejects_bad_values_and_commits_nothing(demo, tmp_path, import_data):
    path = write_csv(tmp_path / "siaga.csv", HEADER
                     + "19.03.01.1001,2023,setahun,ya,4,3,2,direalisasikan,72,,\n"
                     + "19.03.01.1002,2023,bulanan,ya,4,3,2,sudah,72,,\n"
                     + "19.03.01.1003,2023,bulanan,ya,4,3,2,ada,101,,\n"
                     + "19.03.01.2004,2023,bulanan,mungkin,4,3,2,ada,50,,\n"
                     + "19.03.01.2005,2023,bulanan,ya,2.5,3,2,ada,50,,\n"
                     + "99.99.99.9999,2023,bulanan,ya,4,3,2,ada,50,,\n"
                     + "19.03.01.2006,2023,bulanan,ya,4,3,2,ada,50,,\n")
    code, out, err = import_data("siaga", str(path))
    assert code == 1
    assert "rejected=6" in out
    for column in ("forum", "peraturan", "phbs_rt_persen", "akses_harian", "ukbm_lain_aktif", "desa_code"):
        assert f"Kolom {column}" in out or f"{column} '" in out, column
    assert not SiagaInput.objects.filter(year=2023).exists()


def test_import_as_a_user_is_limited_to_the_users_area(demo, tmp_path, import_data):
    path = write_csv(tmp_path / "siaga.csv", HEADER + "19.03.01.1001,2024,bulanan,ya,4,3,2,ada,50,,\n")
    code, out, err = import_data("siaga", str(path), "--user", "bidan")
    assert code == 1 and "di luar wilayah" in out

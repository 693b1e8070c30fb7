"""Plausibility warnings in the measurement import (never errors), and a row with one impossible value keeping what
can still be computed. Hand-worked cases: the thresholds and their reasons are in ``growth/plausibility.py``."""

import datetime as dt

import pytest
from django.urls import reverse

from binasehat.growth import plausibility as p
from binasehat.growth import rules
from binasehat.growth.models import Measurement
from binasehat.imports.models import ImportJob

CHILDREN = ("Nama Anak;JK;Tanggal Lahir;Kode Desa;Nama Ibu;Kode Posyandu\n"
            "Rafa Pratama;L;20/01/2024;19.03.01.1001;Dewi Lestari;190301100101\n"
            "Aisyah Putri;P;15/05/2023;19.03.01.1001;Siti Aminah;190301100101\n"
            "Bayu Aji;L;10/01/2020;19.03.01.1001;Rina;190301100101\n")
HEADER = "Nama Anak;Tanggal Lahir;Nama Ibu;Tanggal Ukur;BB (kg);PB/TB (cm);Cara Ukur;Tempat\n"


# --- the rules, by hand --------------------------------------------------------------------------------------

def test_length_compared_as_recumbent_length():
    assert p.as_length(81.0, "l", 600) == 81.0
    assert p.as_length(80.5, "h", 757) == pytest.approx(81.2)  # standing + 0.7 cm (WHO 2006)
    assert p.as_length(85.0, "", 800) == pytest.approx(85.7)  # unknown measure from 731 days: standing
    assert p.as_length(75.0, "", 700) == 75.0


def test_length_drop_beyond_reading_error():
    assert p.length_drop(81.0, 80.5) == 0.5  # the case users reported: warned
    assert p.length_drop(81.0, 80.6) == pytest.approx(0.4)
    assert p.length_drop(81.0, 80.7) is None  # 0.3 cm: three 0.1 cm reading steps, tolerated
    assert p.length_drop(81.0, 80.8) is None
    assert p.length_drop(81.0, 82.0) is None  # growth


def test_weight_jump():
    assert p.weight_jump(10.4, 14.0, 30) == "gain"  # 3.6 kg in a month: 14.0 typed for 10.4?
    assert p.weight_jump(10.4, 12.4, 30) is None  # 2.0 kg in a month: the limit itself
    assert p.weight_jump(8.0, 12.0, 60) is None  # 2 kg per 30 days over two months
    assert p.weight_jump(8.0, 12.1, 60) == "gain"
    assert p.weight_jump(3.3, 5.2, 10) is None  # a short interval still allows 2 kg
    assert p.weight_jump(10.0, 8.9, 30) == "loss"  # 11 % lost
    assert p.weight_jump(10.0, 9.0, 30) is None  # 10 %: the limit itself
    assert p.weight_jump(10.0, 9.1, 30) is None


def test_older_than_a_balita():
    born = dt.date(2020, 1, 10)
    assert p.completed_months(born, dt.date(2025, 1, 9)) == 59
    assert not p.older_than_balita(born, dt.date(2025, 1, 9))
    assert p.completed_months(born, dt.date(2025, 1, 10)) == 60
    assert p.older_than_balita(born, dt.date(2025, 1, 10))


# --- in the import -------------------------------------------------------------------------------------------

@pytest.fixture
def children(demo, tmp_path, import_data):
    path = tmp_path / "anak.csv"
    path.write_text(CHILDREN, encoding="utf-8")
    code, out, err = import_data("children", str(path))
    assert code == 0, out + err


def measurements(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def warnings_of(err):
    return [line for line in err.splitlines() if line.startswith("peringatan baris")]


def test_length_going_backwards_warns_and_imports(children, tmp_path, import_data):
    path = measurements(tmp_path, "timbang.csv", [
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/09/2025;10,4;81,0;l;posyandu",
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/10/2025;10,6;80,5;l;posyandu",  # 81,0 → 80,5: warned
        "Aisyah Putri;15/05/2023;Siti Aminah;10/04/2025;10,0;81,0;l;posyandu",  # 695 days, lying
        "Aisyah Putri;15/05/2023;Siti Aminah;10/06/2025;10,2;80,5;h;posyandu",  # standing: 81,2 as length
    ])
    code, out, err = import_data("measurements", str(path))
    assert code == 0, out + err
    assert out.strip().splitlines()[-1] == "created=4 updated=0 unchanged=0 rejected=0"
    found = warnings_of(err)
    assert len(found) == 1, found
    assert found[0].startswith("peringatan baris timbang.csv:3: Panjang/tinggi badan turun 0,5 cm dari 20/09/2025 ke 20/10/2025")
    rafa = Measurement.objects.filter(child__name="Rafa Pratama", child__mother_name="Dewi Lestari")
    assert rafa.count() == 2  # a warning never stops the row


def test_a_stored_visit_and_rows_out_of_order_are_compared(children, tmp_path, import_data):
    first = measurements(tmp_path, "september.csv", [
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/09/2025;10,4;81,0;l;posyandu"])
    assert import_data("measurements", str(first))[0] == 0
    later = measurements(tmp_path, "oktober.csv", [
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/11/2025;10,8;82,0;l;posyandu",
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/10/2025;10,6;80,5;l;posyandu",  # below September and November
    ])
    code, out, err = import_data("measurements", str(later), "--dry-run")
    found = warnings_of(err)
    assert any("turun 0,5 cm dari 20/09/2025 ke 20/10/2025" in w for w in found), found
    assert not any("ke 20/11/2025" in w for w in found), found  # 80,5 → 82,0 is growth


def test_weight_jumps_and_age_above_59_months_warn(children, tmp_path, import_data):
    path = measurements(tmp_path, "timbang.csv", [
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/09/2025;10,4;81,0;l;posyandu",
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/10/2025;14,0;81,8;l;posyandu",  # +3,6 kg in a month
        "Aisyah Putri;15/05/2023;Siti Aminah;10/04/2025;10,0;81,0;l;posyandu",
        "Aisyah Putri;15/05/2023;Siti Aminah;10/05/2025;8,9;81,5;l;posyandu",  # −11 %
        "Bayu Aji;10/01/2020;Rina;10/03/2025;17,0;108,0;h;posyandu",  # 62 months at a posyandu
        "Bayu Aji;10/01/2020;Rina;10/04/2025;17,2;108,5;h;kunjungan rumah",  # a home visit: no warning
    ])
    code, out, err = import_data("measurements", str(path))
    assert code == 0, out + err
    found = warnings_of(err)
    assert len(found) == 3, found
    assert "timbang.csv:3: Berat badan naik dari 10,40 kg (20/09/2025) ke 14,00 kg (20/10/2025)" in found[0]
    assert "timbang.csv:5: Berat badan turun dari 10,00 kg (10/04/2025) ke 8,90 kg (10/05/2025), lebih dari 10%" in found[1]
    assert "timbang.csv:6: Anak berumur 62 bulan pada kunjungan posyandu ini" in found[2]


def test_weight_zero_keeps_length_for_age(children, tmp_path, import_data):
    path = measurements(tmp_path, "timbang.csv", [
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/09/2025;0;81,0;l;posyandu",
        "Aisyah Putri;15/05/2023;Siti Aminah;10/04/2025;10,0;0;l;posyandu",
        "Bayu Aji;10/01/2020;Rina;10/03/2024;0;0;h;posyandu",  # nothing left: rejected
    ])
    code, out, err = import_data("measurements", str(path), "--partial")
    assert out.strip().splitlines()[-1] == "created=2 updated=0 unchanged=0 rejected=1"
    rafa = Measurement.objects.get(child__name="Rafa Pratama", child__mother_name="Dewi Lestari")
    age = (dt.date(2025, 9, 20) - dt.date(2024, 1, 20)).days
    assert rafa.weight_kg is None and rafa.zwei is None and rafa.zwfl is None
    assert rafa.zlen == pytest.approx(float(rules.zscores(1, age, float("nan"), 81.0, "l", "n")["zlen"][0]))
    assert rafa.pb_tb_u
    aisyah = Measurement.objects.get(child__name="Aisyah Putri")
    assert aisyah.lenhei_cm is None and aisyah.zlen is None and aisyah.zwei is not None
    assert "Berat badan 0 kg tidak mungkin" in err and "Panjang/tinggi badan 0 cm tidak mungkin" in err
    assert "Berat dan panjang/tinggi badan kosong semua" in out


def test_warnings_shown_in_the_web_preview(children, client_for, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = measurements(tmp_path, "timbang.csv", [
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/09/2025;10,4;81,0;l;posyandu",
        "Rafa Pratama;20/01/2024;Dewi Lestari;20/10/2025;10,6;80,5;l;posyandu",
    ])
    client = client_for("dinkes")
    response = client.post(reverse("imports:index"), {
        "kind": "measurements", "file": SimpleUploadedFile("timbang.csv", path.read_bytes())})
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated" and job.result["warned"] == 1
    page = client.get(response["Location"]).content.decode()
    assert 'id="warnings"' in page and "turun 0,5 cm" in page
    assert "80,5" in page and "Rafa Pratama" in page  # the sample rows as written, not "1756/2025-10-20"
    client.post(reverse("imports:commit", args=[job.pk]))
    assert ImportJob.objects.get(pk=job.pk).status == "committed"

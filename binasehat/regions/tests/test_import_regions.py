"""`import_data regions`: one summary line, row-level rejections, nothing written when a row is bad,
idempotent re-import, and the full national list of 91,599 areas."""

import subprocess
import sys
from pathlib import Path

import pytest

from binasehat.core.models import AuditEntry
from binasehat.regions.models import Region

GOOD = """code,name,parent_code
51,Bali,
51.08,Kabupaten Buleleng,51
51.08.01,Gerokgak,51.08
51.08.01.2001,Celukanbawang,51.08.01
51.08.01.2002,Tinga-Tinga,51.08.01
"""




@pytest.fixture
def good_csv(tmp_path):
    path = tmp_path / "bali.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_then_reimport_changes_nothing(good_csv, import_data):
    code, out, _ = import_data("regions", str(good_csv))
    assert code == 0
    # The province row is already there (the demo loads every province): unchanged.
    assert out.strip().splitlines()[-1] == "created=4 updated=0 unchanged=1 rejected=0"
    assert Region.objects.get(code="51.08.01.2002").parent_id == "51.08.01"
    assert Region.objects.get(code="51.08").kind == "kabupaten"
    audits = AuditEntry.objects.filter(model="regions.region", object_pk__startswith="51").count()
    code, out, _ = import_data("regions", str(good_csv))
    assert code == 0
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=5 rejected=0"
    assert AuditEntry.objects.filter(model="regions.region", object_pk__startswith="51").count() == audits


@pytest.mark.django_db
def test_renamed_area_is_updated_and_audited(good_csv, tmp_path, import_data):
    import_data("regions", str(good_csv))
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(GOOD.replace("Tinga-Tinga", "Tinga Tinga"), encoding="utf-8")
    code, out, _ = import_data("regions", str(renamed))
    assert out.strip().splitlines()[-1] == "created=0 updated=1 unchanged=4 rejected=0"
    entry = AuditEntry.objects.filter(model="regions.region", object_pk="51.08.01.2002", action="update").get()
    assert entry.before == {"name": "Tinga-Tinga"} and entry.after == {"name": "Tinga Tinga"}
    assert entry.source == "command"


@pytest.mark.django_db
def test_bad_rows_are_rejected_with_reasons_and_nothing_is_written(tmp_path, import_data):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,parent_code\n"
        "51,Bali,\n"
        "51.08,Kabupaten Buleleng,51\n"
        "51.8.01,Salah Format,51.08\n"  # malformed code
        "51.09.01,Tanpa Induk,51.09\n"  # parent missing everywhere
        "51.08.02,,51.08\n"  # empty name
        "51.08.03,Induk Salah,51.07\n",  # parent_code contradicts the code
        encoding="utf-8",
    )
    before = Region.objects.count()
    code, out, _ = import_data("regions", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[-1] == "created=0 updated=0 unchanged=1 rejected=4"
    text = "\n".join(lines)
    assert "baris 4" in text.replace("bad.csv:", "") and "tidak sah" in text
    assert "51.09" in text and "Induk" in text
    assert "Nama wilayah kosong" in text
    assert "tidak cocok" in text
    assert Region.objects.count() == before


@pytest.mark.django_db
def test_partial_commits_only_the_valid_rows(tmp_path, import_data):
    path = tmp_path / "mixed.csv"
    path.write_text("code,name,parent_code\n51,Bali,\n51.08,Kabupaten Buleleng,51\n51.8,Rusak,51\n", encoding="utf-8")
    code, out, _ = import_data("regions", str(path), "--partial")
    assert code == 1
    assert out.strip().splitlines()[-1] == "created=1 updated=0 unchanged=1 rejected=1"
    assert Region.objects.filter(code__in=["51", "51.08"]).count() == 2


@pytest.mark.django_db
def test_children_before_parents_and_across_files(tmp_path, import_data):
    villages = tmp_path / "villages.csv"
    villages.write_text("code,name,parent_code\n51.08.01.2001,Celukanbawang,51.08.01\n", encoding="utf-8")
    upper = tmp_path / "upper.csv"
    upper.write_text("code,name,parent_code\n51.08.01,Gerokgak,51.08\n51.08,Kabupaten Buleleng,51\n51,Bali,\n",
                     encoding="utf-8")
    code, out, _ = import_data("regions", str(villages), str(upper))
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "created=3 updated=0 unchanged=1 rejected=0"


@pytest.mark.django_db
def test_duplicate_code_in_one_file_is_rejected(tmp_path, import_data):
    path = tmp_path / "dup.csv"
    path.write_text("code,name,parent_code\n51,Bali,\n51,Bali Lagi,\n", encoding="utf-8")
    code, out, _ = import_data("regions", str(path))
    assert code == 1 and "Duplikat" in out


@pytest.mark.django_db
def test_dry_run_writes_nothing(good_csv, import_data):
    code, out, err = import_data("regions", str(good_csv), "--dry-run")
    assert code == 0
    assert out.strip().splitlines()[-1] == "created=4 updated=0 unchanged=1 rejected=0"
    assert not Region.objects.filter(code="51.08").exists()


@pytest.mark.national
@pytest.mark.django_db(transaction=True)
def test_full_national_list(shared_data, import_data):
    files = [str(shared_data / "wilayah" / f"{n}.csv") for n in ("provinces", "regencies", "districts", "villages")]
    Region.objects.all().delete() if not Region.objects.filter(code="11").exists() else None
    existing = Region.objects.count()
    code, out, _ = import_data("regions", *files, "--quiet-progress")
    assert code == 0
    created, updated, unchanged, rejected = (int(x.split("=")[1]) for x in out.strip().splitlines()[-1].split())
    assert created + unchanged == 91599 and updated + rejected == 0
    assert created == 91599 - existing
    assert Region.objects.count() == 91599
    assert Region.objects.filter(level=4, kind="desa_adat").count() == 14
    assert Region.objects.filter(level=2, kind="kota").count() == 98
    code, out, _ = import_data("regions", *files, "--quiet-progress")
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=91599 rejected=0"


def test_command_line_exit_status_and_summary(tmp_path):
    """The real `manage.py import_data` process: non-zero exit and the summary as the last line."""
    path = tmp_path / "bad.csv"
    path.write_text("code,name,parent_code\n51.8,Rusak,51\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[3]
    env = {"BINASEHAT_VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin", "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    proc = subprocess.run([sys.executable, "manage.py", "import_data", "regions", str(path)], cwd=root, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines()[-1] == "created=0 updated=0 unchanged=0 rejected=1"

"""A 100,000-row file: imported in one pass over the file with progress reported along the way."""

import csv
import io

import pytest
from django.core.management import call_command

from binasehat.core.importing import get_importer, run_import
from binasehat.core.tabular import Table
from binasehat.facilities.models import Posyandu

ROWS = 100_000


@pytest.fixture
def big_csv(tmp_path, demo):
    from binasehat.regions.models import Region

    desa = list(Region.objects.filter(level=4, code__startswith="19.03.").values_list("code", flat=True))
    path = tmp_path / "posyandu-100k.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "desa_code", "dusun", "active"])
        for i in range(ROWS):
            writer.writerow([f"BIG{i:06d}", f"Posyandu Uji {i}", desa[i % len(desa)], f"Dusun {i % 7}", "ya"])
    return path


def test_hundred_thousand_rows_with_progress(big_csv):
    seen = []
    importer = get_importer("posyandu")(source="test")
    result = run_import(importer, [Table(big_csv)], progress=lambda rows, fraction: seen.append((rows, fraction)))
    assert result.summary_line() == f"created={ROWS} updated=0 unchanged=0 rejected=0"
    assert Posyandu.objects.filter(code__startswith="BIG").count() == ROWS
    # Progress: many reports, rows increasing, the file fraction rising to 1.
    assert len(seen) >= 50
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)
    assert 0 < seen[len(seen) // 2][1] < 1 and seen[-1] == (ROWS, 1.0)
    out = io.StringIO()
    try:
        call_command("import_data", "posyandu", str(big_csv), "--quiet-progress", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:  # pragma: no cover - the assertion below explains
        assert exc.code == 0
    assert out.getvalue().strip().splitlines()[-1] == f"created=0 updated=0 unchanged={ROWS} rejected=0"

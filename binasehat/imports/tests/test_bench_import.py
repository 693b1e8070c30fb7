"""The measurement import bench's code path at a tiny size (the bench itself is not run by the tests)."""

import sys
from pathlib import Path

from binasehat.core.models import AuditEntry, AuditItem
from binasehat.growth.models import Measurement

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

import import_measurements as bench  # noqa: E402


def test_bench_generates_imports_and_compares(demo, tmp_path):
    made = bench.generate(40, str(tmp_path), seed=7)
    assert made["rows"] == 40 and made["children"] == 4
    result = bench.import_file(str(tmp_path / "measurements.csv"))
    assert result.summary_line() == "created=40 updated=0 unchanged=0 rejected=0", result.rejections
    assert Measurement.objects.filter(child__name__startswith="Anak Uji ").count() == 40
    entry = AuditEntry.objects.get(action="import", model="growth.measurement", source="command")
    assert AuditItem.objects.filter(entry=entry).count() == 40
    assert set(result.timings) >= {"read_validate", "zscores", "write", "audit"}
    # The XLSX holds the same rows: importing it finds every row unchanged.
    again = bench.import_file(str(tmp_path / "measurements.xlsx"))
    assert again.summary_line() == "created=0 updated=0 unchanged=40 rejected=0", again.rejections
    slow = bench.naive(str(tmp_path / "measurements.csv"), 5)
    assert slow["rows"] == 5 and slow["seconds"] > 0
    assert Measurement.objects.filter(child__name__startswith="Anak Uji ").count() == 40  # rolled back

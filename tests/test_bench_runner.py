"""``make bench`` runs every benchmark: a new bench that is not in the runner's list would never be run."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
#: Scripts that are helpers or comparisons called by a bench, not benches of their own.
NOT_BENCHES = {"_common.py", "run_all.py", "anthro_script.py", "iks_pandas_script.py"}


def _runner():
    spec = importlib.util.spec_from_file_location("bench_run_all", BENCH / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_bench_is_run_by_make_bench():
    listed = {script for script, _pg, _quick in _runner().BENCHES}
    present = {p.name for p in BENCH.glob("*.py")} - NOT_BENCHES
    assert present - listed == set()
    assert listed - present == set()


def test_verdict_lines_are_recognised():
    verdict = _runner().VERDICT
    assert verdict.search("zscores end to end ≤ 3 s: PASS (2.4 s CPU)")
    assert verdict.search("FAIL")
    assert not verdict.search("PASSWORD = 'x'")

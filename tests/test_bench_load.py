"""The load bench's own code at tiny size, so that it cannot rot: the requests of its mix, the CPU time it reads
from /proc for the server's processes, and its percentiles (the full bench needs gunicorn and minutes)."""

import importlib.util
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.fixture(scope="module")
def load():
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_page_of_the_mix_has_a_request(load):
    rng = random.Random(1)
    for name in [*dict(load.MIX), "dashboard (no cache)", "trivial page"]:
        method, path, body, headers, period, value = load.request_for(name, rng, "19.03.01.2004", "key", 3)
        assert path.startswith("/") and method in ("GET", "POST")
        if name == "api write":
            assert method == "POST" and b'"DBD_KASUS"' in body and headers["Authorization"] == "Bearer key"
            assert period.startswith("2019-") and value == 3.0
    assert set(load.SERVICE_PAGES) == {*dict(load.MIX), "dashboard (no cache)", "trivial page"}


def test_cpu_of_a_busy_child_process_is_counted(load):
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\ntime.sleep(30)"])
    try:
        deadline = time.monotonic() + 15
        while load.cpu_seconds(child.pid) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert load.cpu_seconds(child.pid) >= 0.3
        import os

        pids = load.server_pids(os.getpid(), None)
        assert child.pid in pids["app"] and pids["db"] == []
        assert load.cpu_of(pids)["app"] >= 0.3
    finally:
        child.kill()
        child.wait()
    assert load.cpu_seconds(child.pid) == 0.0  # gone


def test_percentile_and_load_average(load):
    assert load.percentile([0.1] * 94 + [0.2] * 6, 95) == 0.2
    assert load.percentile([0.1] * 95 + [0.2] * 5, 95) == 0.1
    assert len(load.loadavg().split()) == 3

"""The national bench's code path (``bench/indicators.py``) at the demo district's size, so that it cannot rot: its
generated data values, a rebuild with roll-ups, the engine against the bench's raw GROUP BY for a kabupaten → its
kecamatan, a province → its kabupaten/kota and the country → its provinces."""

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from django.db import connection

from binasehat.core.periods import Period
from binasehat.indicators import aggregates, engine
from binasehat.indicators.models import Indicator
from binasehat.regions.models import Region

BENCH = Path(__file__).resolve().parents[3] / "bench"
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench's SQL is PostgreSQL's")]


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_indicators", BENCH / "indicators.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


def test_bench_data_values_through_the_engine_equal_the_raw_group_by(demo, bench):
    year = 2031  # after the demo's data: only the bench's values
    inserted = bench._insert_data_values(1.0, year)
    desa = Region.objects.filter(level=4).count()
    assert inserted == desa * bench.DV_YEARS * 12 * len(bench.DV_ELEMENTS)
    aggregates.rebuild(["programs"])
    abj = Indicator.objects.get(code="ABJ")
    months = [Period.month(year, m) for m in range(1, 13)]
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    kecamatan = list(Region.objects.filter(level=3, code__startswith="19.03.").values_list("code", flat=True))
    kabs = list(Region.objects.filter(level=2, code__startswith="19.").values_list("code", flat=True))
    provinces = list(Region.objects.filter(level=1).values_list("code", flat=True))
    key = lambda v: (v.area, v.period)  # noqa: E731
    for areas, raw in ((kecamatan, bench._raw_abj(start, end, "19.03", 8)),
                       (kabs, bench._raw_abj(start, end, "19", 5)),
                       (provinces, bench._raw_abj(start, end, None, 2))):
        values = engine.evaluate([abj], areas, months)
        assert raw and any(v.denominator for v in values)
        assert bench._compare(values, raw, key) == []


def test_bench_pages_phase_measures_each_page_for_both_users(demo, bench):
    """The pages phase at its smallest: one timed request of each page for the kabupaten and the province user,
    each with a CPU figure and a query count; then the p95 used by the goals (hand-worked: of 20 values the 19th)."""
    out = bench.phase_pages(2025, 1)
    assert set(out["users"]) == {"kabupaten", "province"}
    kab, province = out["users"]["kabupaten"]["area"], out["users"]["province"]["area"]
    assert len(kab) == 5 and len(province) == 2  # the kabupaten and the province with the most desa
    for who in out["users"]:
        for page, _url in bench.PAGES:
            r = out["pages"][f"{who}:{page}"]
            assert len(r["times"]) == len(r["cpu"]) == len(r["queries"]) == 1 and r["queries"][0] > 5
            assert r["bytes"] > 1000 and len(r["warm"]) == 1
    assert bench._p95([float(i) for i in range(1, 21)]) == 19.0
    assert bench._p95([5.0]) == 5.0


def test_bench_query_phase_times_every_case_with_cpu_per_call(demo, bench):
    """The query phase at its smallest (the demo district, one run): every case equal to its raw query, a CPU
    figure per call measured over calls in a row (at least one, at most ``CPU_CALLS_MAX``)."""
    out = bench.phase_query(2025, 1, False)
    for name in ("dv_kab_kec", "dv_prov_kab", "dv_country", "aktif", "stunting", "kab_kec", "prov_kab"):
        q = out[name]
        assert q["mismatches"] == 0 and q["values"] > 0, (name, q["examples"])
        times = q["times"]
        assert len(times["engine"]) == len(times["engine_cpu"]) == len(times["raw_cpu"]) == 1
        assert all(1 <= n <= bench.CPU_CALLS_MAX for n in times["cpu_calls"].values())
        assert times["engine_cpu"][0] >= 0 and times["raw_cpu"][0] >= 0

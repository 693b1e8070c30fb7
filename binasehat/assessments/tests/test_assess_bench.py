"""The code path of ``bench/posyandu_assess.py`` at a tiny size, so that the bench cannot rot: its generator's
posyandu, kader and monthly records (including the "edge" posyandu exactly on the thresholds), the national
call on them, the bench's naive loop (written from the rules' definitions, independently of ``yearly_inputs``)
agreeing with it posyandu by posyandu, and the bench's kabupaten phase (an edit re-evaluates its posyandu)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "posyandu_assess.py"


def _bench():
    sys.path.insert(0, str(BENCH.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_posyandu_assess", BENCH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH.parent))


@pytest.mark.django_db
def test_bench_code_path_at_tiny_size(demo, django_capture_on_commit_callbacks):
    from django.db.models import Q

    from binasehat.assessments import rules, services
    from binasehat.assessments.loading import in_force
    from binasehat.assessments.models import PosyanduEvaluation
    from binasehat.cadres.models import Kader
    from binasehat.core.bulk import insert_dicts
    from binasehat.facilities.models import Posyandu
    from binasehat.posyandu.models import PosyanduMonth
    from binasehat.regions.models import Region

    bench = _bench()
    year = 2024
    desa = list(Region.objects.filter(level=4).order_by("code").values_list("code", flat=True)[:4])
    n = 120  # with the bench's 3 % edge profile, a few posyandu sit exactly on the thresholds
    insert_dicts(Posyandu, [{"code": f"BENCH{i:04d}", "name": f"Posyandu Bench {i}", "desa_id": desa[i % len(desa)],
                             "active": True} for i in range(n)])
    pks = sorted(Posyandu.objects.filter(code__startswith="BENCH").values_list("pk", flat=True))
    desa_of = list(Posyandu.objects.filter(pk__in=pks).order_by("pk").values_list("desa_id", flat=True))
    kader, months = bench._kader_and_month_rows(pks, desa_of, 0, bench.SEED, year)
    insert_dicts(Kader, kader)
    insert_dicts(PosyanduMonth, months)

    assert services.posyandu_evaluate(year=year, posyandu_ids=pks, today=dt.date(2026, 3, 5)) == n
    stored = {(e.posyandu_id, e.ruleset_code): e
              for e in PosyanduEvaluation.objects.filter(year=year, posyandu_id__in=pks)}
    assert len(stored) == 2 * n
    sk = Q(active=True) & ~Q(sk_number="") & (Q(sk_date__isnull=True) | Q(sk_date__lte=dt.date(year, 12, 31)))
    results = set()
    for posyandu in Posyandu.objects.filter(pk__in=pks):
        records = list(posyandu.months.filter(month__year=year))
        inputs = bench._naive_inputs(records, posyandu.kader.filter(sk).count(), 12)
        for code in services.RULESETS:
            outcome = rules.evaluate(in_force(code, year).definition, inputs)
            result = outcome.result if isinstance(outcome.result, str) else ("ya" if outcome.result else "tidak")
            e = stored[(posyandu.pk, code)]
            assert e.result == result, (posyandu.pk, code)
            assert set(e.inputs) == set(rules.stored_inputs(in_force(code, year).definition)) <= set(inputs)
            assert all(bench._same(e.inputs[k], inputs[k]) for k in e.inputs), (posyandu.pk, code)
            results.add((code, result))
    assert {("posyandu-aktif", "ya"), ("posyandu-aktif", "tidak")} <= results
    assert len({r for c, r in results if c == "posyandu-strata-2011"}) >= 3

    # Here the test's transaction holds the edit's after-commit re-evaluation until the block ends (in the bench
    # the edit commits at once): the re-evaluation is checked after the block.
    with django_capture_on_commit_callbacks(execute=True):
        district = bench.phase_district(year)
    assert district["printed"] == district["posyandu"] > 0
    edited = PosyanduEvaluation.objects.get(posyandu_id=district["edited_posyandu"], year=year,
                                            ruleset_code="posyandu-strata-2011")
    assert edited.inputs["kader_avg"] != district["kader_avg_before"]

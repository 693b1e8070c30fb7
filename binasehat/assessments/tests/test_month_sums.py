"""The national path reads one row of sums per posyandu (``services.month_sums``: counts, sums and latest values
computed by the database) instead of twelve monthly rows, writes only the verdicts that changed, and the indicator
source counts the verdicts per desa in the database. Each is held to its reference: the sums to
``rules.sums_from_months`` over the monthly arrays (bit for bit, D/S included: both add it month by month), a
hand-worked posyandu-year, a re-run with nothing changed writing nothing, and the indicator counts to a count of the
stored verdicts one by one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from binasehat.assessments import rules

from .test_posyandu_rules import year


def test_sums_of_a_hand_worked_year():
    """12 months recorded, the first 8 opened with 5 kader each, S = 40 and D = 20 (D/S exactly 1/2) when opened;
    KIA 2 of 4, KB 15 of 30, imunisasi 4 of 8 each month opened (0 served when closed); KK 50 of 100; tools in
    every month; an additional activity in January. Over 12 months: 8 × 50 = 400 tenths of kader, D/S summed
    8 × 0.5 = 4.0 over 8 months; served 8 × 2 of 12 × 4 (KIA); 8 months at ≥ 50 % for each service. Over the
    first 7 months: 7 of everything."""
    sums = rules.sums_from_months(year(opened_months=8), 12)
    expected = {"recorded_months": 12, "opening_months": 8, "kader_tenths": 400, "ds_sum": 4.0, "ds_months": 8,
                "kia_served": 16, "kia_target": 48, "kb_served": 120, "kb_target": 360, "imunisasi_served": 32,
                "imunisasi_target": 96, "months_gizi_50": 8, "months_kia_50": 8, "months_kb_50": 8,
                "months_imunisasi_50": 8, "extra_program": 1, "alat_pantau": 1, "kk_total": 100,
                "kk_dana_sehat": 50}
    assert {k: float(v[0]) for k, v in sums.items()} == expected
    inputs = rules.inputs_from_sums(sums, np.array([5]))
    assert inputs["kader_avg"][0] == 5.0 and inputs["ds_avg"][0] == 50.0 and inputs["dana_sehat"][0] == 50.0
    assert inputs["kia_cum"][0] == pytest.approx(100 * 16 / 48) and inputs["services_8_months"][0] == 4
    seven = rules.sums_from_months(year(opened_months=8), 7)
    assert seven["opening_months"][0] == 7 and seven["recorded_months"][0] == 7 and seven["ds_sum"][0] == 3.5
    none = rules.sums_from_months(rules.empty_months(1), 12)
    assert none["recorded_months"][0] == 0 and np.isnan(none["kk_total"][0]) and none["alat_pantau"][0] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("sparse", [False, True], ids=["id-range", "in-list"])
def test_month_sums_equal_the_sums_of_the_monthly_records(demo, sparse):
    """The database's sums equal ``sums_from_months`` over ``month_arrays`` (the records read as they are), to the
    last bit, over the whole year and over January–July; a posyandu without records has zeros and no KK count."""
    from binasehat.assessments import services
    from binasehat.facilities.models import Posyandu

    ids = sorted(Posyandu.objects.values_list("pk", flat=True))
    if sparse:
        ids = ids[::3] + [max(ids) + 100_000]
    for months in (12, 7):
        got = services.month_sums(ids, 2025, months)
        expected = rules.sums_from_months(services.month_arrays(ids, 2025), months)
        for k in rules.SUMS:
            np.testing.assert_array_equal(got[k], expected[k], err_msg=k)
        assert got["recorded_months"].sum() > 50 and got["ds_sum"].sum() > 0
    if sparse:
        assert got["recorded_months"][-1] == 0 and np.isnan(got["kk_total"][-1])


def _count_by_hand(year=None, desa=None):
    from binasehat.assessments.models import PosyanduEvaluation

    out: dict[tuple, float] = {}
    qs = PosyanduEvaluation.objects.select_related("posyandu")
    if year is not None:
        qs = qs.filter(year=year, posyandu__desa_id__in=desa)
    for e in qs:
        names = (["posyandu_dinilai"] + (["posyandu_aktif"] if e.result == "ya" else [])
                 if e.ruleset_code == "posyandu-aktif" else
                 ["posyandu_strata_dinilai"] + (["posyandu_purnama_mandiri"] if e.result in ("Purnama", "Mandiri")
                                                 else []))
        for name in names:
            key = (name, e.posyandu.desa_id, dt.date(e.year, 1, 1))
            out[key] = out.get(key, 0.0) + 1
    return out


@pytest.mark.django_db
def test_indicator_counts_equal_the_verdicts_counted_one_by_one(demo):
    from binasehat.assessments import services
    from binasehat.core.inputs import SOURCES

    services.posyandu_evaluate(year=2025, today=dt.date(2026, 3, 5))
    source = SOURCES["assessments"]
    everything = {(n, d, m): v for n, d, m, v in source.compute(None)}
    assert everything == _count_by_hand() and len(everything) > 10
    desa = sorted({d for _n, d, _m in everything})[:3]
    some = {(n, d, m): v for n, d, m, v in source.compute({dt.date(2025, 1, 1): desa})}
    assert some == _count_by_hand(2025, desa) and some


@pytest.mark.django_db
def test_a_rerun_writes_only_what_changed(demo):
    """Nothing changed: no verdict is rewritten (same rows, same evaluation time) and no indicator cell is marked.
    One monthly record changed: only its posyandu's verdicts are rewritten and only its desa marked. A rule set
    version loaded after the verdicts: every verdict is rewritten (a posyandu's two together). A posyandu closed before the year: its verdicts
    are deleted by the national pass."""
    from binasehat.assessments import services
    from binasehat.assessments.models import PosyanduEvaluation, RuleSet
    from binasehat.facilities.models import Posyandu
    from binasehat.indicators.models import Pending
    from binasehat.posyandu.models import PosyanduMonth

    today = dt.date(2026, 3, 5)
    n = services.posyandu_evaluate(year=2025, today=today)

    def snapshot():
        return {(e.posyandu_id, e.ruleset_code): (e.pk, e.evaluated_at, e.result, e.inputs)
                for e in PosyanduEvaluation.objects.filter(year=2025)}

    before = snapshot()
    assert len(before) == 2 * n
    Pending.objects.all().delete()
    assert services.posyandu_evaluate(year=2025, today=today) == n
    assert snapshot() == before
    assert not Pending.objects.filter(source="assessments").exists()

    record = PosyanduMonth.objects.filter(month__year=2025, opening_days__gt=0, s__gt=0).order_by("pk").first()
    PosyanduMonth.objects.filter(pk=record.pk).update(d=record.s)  # D/S of that month becomes 100 %
    services.posyandu_evaluate(year=2025, today=today)
    after = snapshot()
    changed = {key for key in before if after[key][0] != before[key][0]}
    assert {pk for pk, _code in changed} == {record.posyandu_id}
    assert after[(record.posyandu_id, "posyandu-strata-2011")][3]["ds_avg"] > \
        before[(record.posyandu_id, "posyandu-strata-2011")][3]["ds_avg"]
    marked = set(Pending.objects.filter(source="assessments").values_list("region_code", "month"))
    assert marked == {(record.posyandu.desa_id, dt.date(2025, 1, 1))}

    RuleSet.objects.filter(code="posyandu-aktif").update(loaded_at=dt.datetime.now(dt.timezone.utc)
                                                        + dt.timedelta(seconds=1))
    services.posyandu_evaluate(year=2025, today=today)
    again = snapshot()
    assert all(again[key][0] != after[key][0] for key in again)  # a posyandu's verdicts are written together

    closed = Posyandu.objects.filter(pk__in=[pk for pk, _code in again]).order_by("pk").first()
    Posyandu.objects.filter(pk=closed.pk).update(closed_on=dt.date(2024, 6, 30))
    assert services.posyandu_evaluate(year=2025, today=today) == n - 1
    assert not PosyanduEvaluation.objects.filter(year=2025, posyandu=closed).exists()
    assert PosyanduEvaluation.objects.filter(year=2025).count() == 2 * (n - 1)

"""The engine on the demo district: sums of counts up the tree, agreement with the pages' own selectors, and
incremental aggregates equal to a full rebuild."""

import datetime as dt

import pytest

from binasehat.core.periods import Period
from binasehat.indicators import aggregates, engine
from binasehat.indicators.models import Aggregate, Indicator
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db


def _snapshot(source):
    return {(a.input, a.region_code, a.month): a.value for a in Aggregate.objects.filter(source=source)}


def test_kabupaten_value_is_the_sum_of_counts_not_the_mean_of_percentages(demo):
    kecamatan = list(Region.objects.filter(parent_id="19.03").values_list("code", flat=True))
    indicators = list(Indicator.objects.exclude(formula="density_figure"))
    rows = engine.table(indicators, ["19.03", *kecamatan], [Period(2025)])
    for ind in indicators:
        kab = rows[(ind.code, "19.03", "2025")]
        parts = [rows[(ind.code, k, "2025")] for k in kecamatan]
        # Puskesmas-level data sit on the kecamatan, desa-level data below: every count is in one kecamatan
        # (a kecamatan without any report has no value and adds nothing).
        assert (kab.numerator or 0) == pytest.approx(sum(p.numerator or 0 for p in parts)), ind.code
        if ind.denominator and kab.numerator is not None:
            assert kab.denominator == pytest.approx(sum(p.denominator or 0 for p in parts
                                                        if p.numerator is not None)), ind.code
            if kab.denominator:
                assert kab.value == pytest.approx(kab.numerator / kab.denominator * ind.factor)
    # And the mean of kecamatan percentages is not what is reported (they differ on the demo).
    ds = [rows[("SKDN_DS", k, "2025")].value for k in kecamatan]
    assert rows[("SKDN_DS", "19.03", "2025")].value != pytest.approx(sum(ds) / len(ds), abs=1e-9)


def test_year_equals_sum_of_its_months_and_quarters(demo):
    ind = list(Indicator.objects.filter(code__in=["DBD_IR", "SKDN_DS", "TB_TC", "ABJ"]))
    months = [Period.month(2025, m) for m in range(1, 13)]
    quarters = [Period(2025, "quarter", q) for q in range(1, 5)]
    rows = engine.table(ind, ["19.03.01"], [Period(2025), *months, *quarters])
    for i in ind:
        year = rows[(i.code, "19.03.01", "2025")]
        assert year.numerator == pytest.approx(sum(rows[(i.code, "19.03.01", str(m))].numerator for m in months))
        assert year.numerator == pytest.approx(sum(rows[(i.code, "19.03.01", str(q))].numerator for q in quarters))
    # Yearly denominators (population, estimated incidence) are the year's value in every month.
    assert rows[("DBD_IR", "19.03.01", "2025-03")].denominator == rows[("DBD_IR", "19.03.01", "2025")].denominator
    assert rows[("TB_TC", "19.03.01", "2025-03")].denominator == rows[("TB_TC", "19.03.01", "2025")].denominator


def test_dengue_incidence_from_the_records_by_hand(demo):
    from binasehat.programs.models import DataValue
    from binasehat.regions.models import Population

    cases = sum(DataValue.objects.filter(element__code="DBD_KASUS", period__startswith="2025-",
                                         region__code__startswith="19.03.02.").values_list("value", flat=True))
    people = sum(Population.objects.filter(year=2025, region__code__startswith="19.03.02.")
                 .values_list("total", flat=True))
    assert cases > 0 and people > 0
    row = engine.table(list(Indicator.objects.filter(code="DBD_IR")), ["19.03.02"], [Period(2025)])
    assert row[("DBD_IR", "19.03.02", "2025")].value == pytest.approx(cases / people * 100_000)


def test_stunting_agrees_with_the_prevalence_page(demo, make_user):
    from binasehat.growth.selectors import prevalence

    user = make_user("dk-prev", "dinkes", areas=["19.03"])
    page = prevalence(user, Period.month(2025, 8), 8, "19.03")
    kecamatan = sorted(page)
    rows = engine.table(list(Indicator.objects.filter(code__in=["STUNTING", "WASTING"])), kecamatan,
                        [Period.month(2025, 8)])
    for k in kecamatan:
        assert rows[("STUNTING", k, "2025-08")].numerator == page[k]["stunting"]
        assert rows[("STUNTING", k, "2025-08")].denominator == page[k]["stunting_n"]
        assert rows[("WASTING", k, "2025-08")].numerator == page[k]["wasting"]


def test_iks_agrees_with_the_family_report(demo, make_user):
    from binasehat.families.selectors import area_figures

    user = make_user("dk-iks", "dinkes", areas=["19.03"])
    figures, _known = area_figures(user, 2025, "kecamatan", "19.03")
    rows = engine.table(list(Indicator.objects.filter(code__in=["IKS", "PISPK_09"])), sorted(figures),
                        [Period(2025)])
    for code, f in figures.items():
        assert rows[("IKS", code, "2025")].numerator == f.sehat
        assert rows[("IKS", code, "2025")].denominator == f.complete
        assert rows[("PISPK_09", code, "2025")].numerator == f.y[8]


def test_posyandu_aktif_and_skdn_agree_with_the_pokjanal_recap(demo, make_user):
    from binasehat.reports.selectors import pokjanal_recap

    user = make_user("dk-recap", "dinkes", areas=["19.03"])
    rows, total = pokjanal_recap(user, 2025, None)
    values = engine.table(list(Indicator.objects.filter(code__in=["POSYANDU_AKTIF", "SKDN_DS"])), ["19.03"],
                          [Period(2025)])
    assert values[("POSYANDU_AKTIF", "19.03", "2025")].numerator == total.aktif
    assert values[("POSYANDU_AKTIF", "19.03", "2025")].denominator == total.posyandu
    assert values[("SKDN_DS", "19.03", "2025")].numerator == total.d
    assert values[("SKDN_DS", "19.03", "2025")].denominator == total.s


def test_writes_through_services_keep_aggregates_equal_to_a_rebuild(demo, make_user):
    """Incremental maintenance: after writes through the services, the maintained aggregates equal what a full
    rebuild computes from the records."""
    from binasehat.facilities.models import Puskesmas
    from binasehat.growth.models import Child
    from binasehat.growth.services import measurement_record
    from binasehat.posyandu.models import PosyanduMonth
    from binasehat.posyandu.services import month_record
    from binasehat.programs.models import DataElement
    from binasehat.programs.services import NewValue, OrgUnit, datavalues_write

    admin = make_user("adm-agg", "admin", areas=["19"])
    pk = Puskesmas.objects.get(code="P19030101")
    record = PosyanduMonth.objects.filter(posyandu__desa__code__startswith="19.03.01.", month=dt.date(2025, 5, 1),
                                          posyandu__active=True).select_related("posyandu").first()
    posyandu, desa = record.posyandu, record.posyandu.desa_id
    el = {e.code: e for e in DataElement.objects.all()}
    datavalues_write(actor=admin, values=[
        NewValue(el["DBD_KASUS"], OrgUnit(desa, desa), Period.month(2025, 3), 41.0),
        NewValue(el["DBD_MENINGGAL"], OrgUnit(desa, desa), Period.month(2025, 3), None),
        NewValue(el["TB_NOTIFIKASI"], OrgUnit(pk.code, pk.kecamatan_id, pk.pk), Period.month(2025, 4), 77.0),
    ])
    child = Child.objects.filter(desa__code__startswith="19.03.02.").first()
    measurement_record(actor=admin, child=child, data={
        "measured_on": dt.date(2025, 6, 30), "weight_kg": 6.1, "lenhei_cm": 70.0, "measure": "l", "oedema": False})
    data = {f: getattr(record, f) for f in ("opening_days", "s", "k", "d", "n")}
    data["s"], data["k"], data["d"], data["n"] = 90, 85, 80, 20
    month_record(actor=admin, posyandu=posyandu, month=dt.date(2025, 5, 1), data=data, version=record.version)

    aggregates.refresh_pending()
    incremental = {s: _snapshot(s) for s in ("programs", "growth", "posyandu")}
    assert incremental["programs"][("de:DBD_KASUS", desa, dt.date(2025, 3, 1))] == 41.0
    assert ("de:DBD_MENINGGAL", desa, dt.date(2025, 3, 1)) not in incremental["programs"]
    assert incremental["posyandu"][("skdn_d", desa, dt.date(2025, 5, 1))] >= 80
    aggregates.rebuild(["programs", "growth", "posyandu"])
    for source, snap in incremental.items():
        assert snap == _snapshot(source), source


def test_engine_queries_do_not_grow_with_areas(demo, django_assert_max_num_queries):
    ind = list(Indicator.objects.all())
    desa = list(Region.objects.filter(code__startswith="19.03.", level=4).values_list("code", flat=True))
    engine.evaluate(ind, desa[:2], [Period(2025)])  # warm caches of element kinds
    with django_assert_max_num_queries(40):
        rows = engine.evaluate(ind, desa, [Period(2025), Period(2024)])
    assert len(rows) == len(ind) * len(desa) * 2


def test_a_puskesmas_wilayah_kerja_sums_its_desa_and_its_own_data(demo):
    """Two puskesmas share kecamatan Toboali: each wilayah kerja gets its own TB data and its own desa's dengue,
    and the kecamatan gets both."""
    from binasehat.facilities.models import Puskesmas
    from binasehat.programs.models import DataValue
    from binasehat.programs.services import aggregate_key

    first, second = Puskesmas.objects.filter(kecamatan_id="19.03.01").order_by("code")[:2]
    inds = list(Indicator.objects.filter(code__in=["TB_TC", "DBD_IR"]))
    groups = [engine.AreaGroup(f"pkm:{p.code}", (*p.wilayah_kerja.values_list("code", flat=True),
                                                 aggregate_key(p.kecamatan_id, p.code))) for p in (first, second)]
    rows = engine.table(inds, [*groups, "19.03.01"], [Period(2025)])

    def total(**filters):
        return sum(DataValue.objects.filter(**filters).values_list("value", flat=True))

    for p, g in zip((first, second), groups):
        notified = total(element__code="TB_NOTIFIKASI", puskesmas=p, period__startswith="2025-")
        estimate = total(element__code="TB_ESTIMASI_INSIDEN", puskesmas=p, period="2025")
        assert rows[("TB_TC", g.code, "2025")].numerator == notified
        assert rows[("TB_TC", g.code, "2025")].denominator == estimate
        cases = total(element__code="DBD_KASUS", region__in=p.wilayah_kerja.all(), period__startswith="2025-")
        assert rows[("DBD_IR", g.code, "2025")].numerator == cases
    both = rows[("TB_TC", "19.03.01", "2025")]
    assert both.numerator == sum(rows[("TB_TC", g.code, "2025")].numerator for g in groups)

"""Roll-ups per kecamatan, kabupaten/kota and province: each is the sum of every aggregate row in its area, kept so
by a full rebuild and by the incremental refresh after writes, and the engine reads the same figures from them as
from the aggregates per desa."""

import datetime as dt
import importlib
from types import SimpleNamespace
from collections import defaultdict

import pytest
from django.db import connection

from binasehat.core.periods import Period
from binasehat.indicators import aggregates, engine
from binasehat.indicators.models import YEAR_COUNTS, YEAR_VALUES, Aggregate, Indicator, Rollup, RollupYear
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db


def _rollups(source=None):
    """The roll-ups as one figure per input: a row's report count (programme data) under its own ``de#:`` name.
    Their year rows (``RollupYear``, what the engine reads) must hold the same figures, month by month."""
    qs = Rollup.objects.all() if source is None else Rollup.objects.filter(source=source)
    out = {}
    for r in qs:
        if r.value is not None:
            out[(r.source, r.input, r.region_code, r.month)] = r.value
        if r.count is not None:
            assert r.input.startswith("de:"), r.input
            out[(r.source, "de#:" + r.input[3:], r.region_code, r.month)] = r.count
    assert _year_rows(source) == out
    return out


def _year_rows(source=None):
    """``_rollups`` read from the year rows: month m of a row from its columns v<m> and n<m>."""
    qs = RollupYear.objects.all() if source is None else RollupYear.objects.filter(source=source)
    out = {}
    for r in qs:
        assert any(getattr(r, c) is not None for c in YEAR_VALUES + YEAR_COUNTS), (r.input, r.region_code, r.year)
        for m, (v, n) in enumerate(zip(YEAR_VALUES, YEAR_COUNTS), start=1):
            month = dt.date(r.year, m, 1)
            if getattr(r, v) is not None:
                out[(r.source, r.input, r.region_code, month)] = getattr(r, v)
            if getattr(r, n) is not None:
                out[(r.source, "de#:" + r.input[3:], r.region_code, month)] = getattr(r, n)
    return out


def _summed_by_hand(source=None):
    """Every aggregate row added to each province, kabupaten/kota and kecamatan whose code it starts with (or is),
    in plain Python: the definition the roll-ups must meet."""
    out = defaultdict(float)
    qs = Aggregate.objects.all() if source is None else Aggregate.objects.filter(source=source)
    for src, inp, code, month, value in qs.values_list("source", "input", "region_code", "month", "value"):
        for length in (2, 5, 8):
            if len(code) == length or (len(code) > length and code[length] == "."):
                out[(src, inp, code[:length], month)] += value
    return dict(out)


def test_rollup_areas_by_hand():
    codes = ["19.03.01.2001", "19.03.01.#P19030101", "19.03", "19.04.02"]
    assert aggregates.rollup_areas(codes, 8) == {"19.03.01", "19.04.02"}
    assert aggregates.rollup_areas(codes, 5) == {"19.03", "19.04"}
    assert aggregates.rollup_areas(codes, 2) == {"19"}
    assert [aggregates.is_rollup_area(c) for c in ("19", "19.03", "19.03.01", "19.03.01.2001", "19.03.01.#P1", "x")] \
        == [True, True, True, False, False, False]


def test_a_rebuild_rolls_up_every_aggregate_row(demo):
    aggregates.rebuild()
    assert Rollup.objects.exists()
    assert _rollups() == _summed_by_hand()


def _aggregates(source=None):
    qs = Aggregate.objects.all() if source is None else Aggregate.objects.filter(source=source)
    return {(a.source, a.input, a.region_code, a.month): a.value for a in qs}


def test_a_rebuild_puts_back_changed_removed_and_stray_rows(demo):
    """A rebuild brings the stored rows to what the records give, whatever was stored before (on PostgreSQL by
    difference: a changed value updated, a missing row inserted, a stray row deleted; the other sources untouched)."""
    aggregates.rebuild()
    before, rolled, others = _aggregates("programs"), _rollups("programs"), _aggregates("growth")
    changed = Aggregate.objects.filter(source="programs").order_by("id").first()
    Aggregate.objects.filter(pk=changed.pk).update(value=changed.value + 7)
    Aggregate.objects.filter(source="programs").order_by("-id").first().delete()
    Aggregate.objects.create(source="programs", input="de:DBD_KASUS", region_code="19.03.01.2001",
                             month=dt.date(2040, 1, 1), value=3)
    Rollup.objects.filter(source="programs").order_by("id").first().delete()
    Rollup.objects.create(source="programs", input="de:DBD_KASUS", region_code="19", month=dt.date(2040, 1, 1),
                          value=3)
    RollupYear.objects.filter(source="programs").order_by("id").first().delete()
    RollupYear.objects.create(source="programs", input="de:DBD_KASUS", region_code="19", year=2041, v02=5)
    changed_year = RollupYear.objects.filter(source="programs", v03__isnull=False).order_by("-id").first()
    RollupYear.objects.filter(pk=changed_year.pk).update(v03=changed_year.v03 + 1)
    assert _aggregates("programs") != before
    assert aggregates.rebuild(["programs"]) == {"programs": len(before)}
    assert _aggregates("programs") == before and _rollups("programs") == rolled
    assert _aggregates("growth") == others and _rollups() == _summed_by_hand()


def test_population_rows_at_two_levels_roll_up_by_hand(demo, make_user):
    """The population rule's example (``regions.rules.population_rows``): two desa of kecamatan 19.03.01 = 600 and
    400, kabupaten 19.03 = 1,100 → rows {desa: 600, 400; 19.03: 100}. Kecamatan 19.03.01 then has 1,000, the
    kabupaten 1,100, in the roll-ups as in the sums of the rows."""
    from binasehat.regions.models import Population

    first, second = Region.objects.filter(level=4, code__startswith="19.03.01.").order_by("code")[:2]
    Population.objects.filter(year=2031).delete()
    for code, total in ((first.code, 600), (second.code, 400), ("19.03", 1100)):
        Population.objects.create(region_id=code, year=2031, total=total)
    aggregates.rebuild(["regions"])
    jan = dt.date(2031, 1, 1)
    rolled = _rollups("regions")
    assert rolled[("regions", "penduduk", "19.03.01", jan)] == 1000
    assert rolled[("regions", "penduduk", "19.03", jan)] == 1100
    assert rolled[("regions", "penduduk", "19", jan)] == 1100
    sums = engine.input_sums(["penduduk"], ["19", "19.03", "19.03.01", first.code], [jan])
    assert sums == {("penduduk", "19", jan): 1100.0, ("penduduk", "19.03", jan): 1100.0,
                    ("penduduk", "19.03.01", jan): 1000.0, ("penduduk", first.code, jan): 600.0}


def test_writes_through_services_keep_rollups_equal_to_a_rebuild(demo, make_user):
    from binasehat.facilities.models import Puskesmas
    from binasehat.growth.models import Child
    from binasehat.growth.services import measurement_record
    from binasehat.programs.models import DataElement
    from binasehat.programs.services import NewValue, OrgUnit, datavalues_write

    admin = make_user("adm-roll", "admin", areas=["19"])
    aggregates.rebuild()
    desa = Region.objects.filter(code__startswith="19.03.02.", level=4).order_by("code").first().code
    pk = Puskesmas.objects.get(code="P19030101")
    el = {e.code: e for e in DataElement.objects.all()}
    before = engine.input_sums(["de:DBD_KASUS", "de:TB_NOTIFIKASI"], ["19.03.02", "19.03.01", "19.03", "19"],
                               [dt.date(2025, 3, 1), dt.date(2025, 4, 1)])
    datavalues_write(actor=admin, values=[
        NewValue(el["DBD_KASUS"], OrgUnit(desa, desa), Period.month(2025, 3), 41.0),
        NewValue(el["TB_NOTIFIKASI"], OrgUnit(pk.code, pk.kecamatan_id, pk.pk), Period.month(2025, 4), 77.0),
    ])
    child = Child.objects.filter(desa__code__startswith="19.03.02.").first()
    measurement_record(actor=admin, child=child, data={
        "measured_on": dt.date(2025, 6, 30), "weight_kg": 6.1, "lenhei_cm": 70.0, "measure": "l", "oedema": False})
    aggregates.refresh_pending()
    incremental = _rollups()
    assert incremental == _summed_by_hand()
    after = engine.input_sums(["de:DBD_KASUS", "de:TB_NOTIFIKASI"], ["19.03.02", "19.03.01", "19.03", "19"],
                              [dt.date(2025, 3, 1), dt.date(2025, 4, 1)])
    # The desa's March cases replaced what it had (if anything): the kecamatan, kabupaten and province move alike.
    for area in ("19.03.02", "19.03", "19"):
        key = ("de:DBD_KASUS", area, dt.date(2025, 3, 1))
        assert after[key] - before.get(key, 0.0) == after[("de:DBD_KASUS", "19.03.02", dt.date(2025, 3, 1))] \
            - before.get(("de:DBD_KASUS", "19.03.02", dt.date(2025, 3, 1)), 0.0)
    aggregates.rebuild()
    assert incremental == _rollups()


def test_engine_reads_kecamatan_kabupaten_and_province_from_rollups_as_summed_by_hand(demo):
    aggregates.rebuild()
    hand = _summed_by_hand()
    inputs = sorted({k[1] for k in hand})
    months = sorted({k[3] for k in hand if k[3].year == 2025})
    areas = ["19", "19.03", *Region.objects.filter(level=3, code__startswith="19.03.").values_list("code", flat=True)]
    sums = engine.input_sums(inputs, areas, months)
    want = {(inp, area, m): v for (_s, inp, area, m), v in hand.items() if area in areas and m in months}
    assert sums == want


def test_province_and_kabupaten_values_take_one_query_for_the_sums(demo, django_assert_max_num_queries):
    aggregates.rebuild()
    ind = list(Indicator.objects.all())
    kecamatan = list(Region.objects.filter(level=3, code__startswith="19.03.").values_list("code", flat=True))
    engine.evaluate_uncached(ind, ["19"], [Period(2025)])  # warm caches of element kinds
    # The computation itself (the value cache in front of it adds its own look-ups, tested in test_engine_cache).
    with django_assert_max_num_queries(12):
        rows = engine.evaluate_uncached(ind, ["19", "19.03", *kecamatan], [Period(2025), *(Period.month(2025, m) for m in range(1, 13))])
    assert len(rows) == len(ind) * (2 + len(kecamatan)) * 13


def test_the_migration_fills_rollups_of_aggregates_already_stored(demo):
    from django.apps import apps

    aggregates.rebuild()
    rebuilt = {(r.source, r.input, r.region_code, r.month): (r.value, r.count) for r in Rollup.objects.all()}
    assert any(count for _value, count in rebuilt.values())
    # Stored as before the counts were folded: every row replaced by the migration.
    Rollup.objects.all().delete()
    Rollup.objects.create(source="programs", input="de#:DBD_KASUS", region_code="19", month=dt.date(2040, 1, 1),
                          value=3)
    migration = importlib.import_module("binasehat.indicators.migrations.0007_rollup_counts_folded")
    # The function reads only the editor's connection (SQLite's editor cannot open inside the test's transaction).
    migration.fold_rollups(apps, SimpleNamespace(connection=connection))
    assert {(r.source, r.input, r.region_code, r.month): (r.value, r.count) for r in Rollup.objects.all()} == rebuilt


def test_a_report_count_is_kept_in_its_values_row(demo):
    """Programme data: ``de:<code>`` (Σ values) and ``de#:<code>`` (values reported) of one area and month are one
    roll-up row; an element reported only as 0 has a row with its count and no value (no aggregate row of its
    values exists: zero sums are not stored), and the engine reads the count from it."""
    from binasehat.programs.models import DataValue

    aggregates.rebuild(["programs"])
    value = DataValue.objects.filter(deleted=False, element__code="DBD_KASUS", puskesmas__isnull=True,
                                     value__gt=0).order_by("id").first()
    kecamatan, month = value.region_id[:8], value.period_start
    by_hand = _summed_by_hand("programs")
    row = Rollup.objects.get(input="de:DBD_KASUS", region_code=kecamatan, month=month)
    assert row.value == by_hand[("programs", "de:DBD_KASUS", kecamatan, month)] > 0
    assert row.count == by_hand[("programs", "de#:DBD_KASUS", kecamatan, month)] >= 1
    assert not Rollup.objects.filter(input__startswith="de#:").exists()
    # Only zeros reported in that kecamatan and month: a count without a value.
    reported = DataValue.objects.filter(element__code="DBD_KASUS", period_start=month, deleted=False)
    reported.update(value=0)
    aggregates.rebuild(["programs"])
    row = Rollup.objects.get(input="de:DBD_KASUS", region_code=kecamatan, month=month)
    assert (row.value, row.count) == (None, by_hand[("programs", "de#:DBD_KASUS", kecamatan, month)])
    sums = engine.input_sums(["de:DBD_KASUS", "de#:DBD_KASUS"], [kecamatan], [month])
    assert sums == {("de#:DBD_KASUS", kecamatan, month): row.count}


def test_the_migration_fills_year_rows_of_the_monthly_rollups_already_stored(demo):
    from django.apps import apps

    aggregates.rebuild()
    monthly = _rollups()
    RollupYear.objects.all().delete()
    migration = importlib.import_module("binasehat.indicators.migrations.0009_rollup_years")
    migration.fill_years(apps, SimpleNamespace(connection=connection))
    assert _year_rows() == monthly and RollupYear.objects.count() < Rollup.objects.count()


def test_a_refresh_rewrites_the_year_rows_of_the_areas_and_years_it_touches_only(demo, make_user):
    """A desa's dengue cases of March 2025 change: the year rows of 2025 of its kecamatan, kabupaten and province
    follow (March's column moves, the other months stay); another kabupaten's rows and other years are not
    rewritten."""
    from binasehat.programs.models import DataElement
    from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

    aggregates.rebuild()
    desa = Region.objects.filter(level=4, code__startswith="19.03.01.").order_by("code").first().code
    untouched = {r.pk: r for r in RollupYear.objects.exclude(year=2025, region_code__in=["19.03.01", "19.03", "19"])}
    before = {r.region_code: r for r in RollupYear.objects.filter(input="de:DBD_KASUS", year=2025,
                                                                  region_code__in=["19.03.01", "19.03", "19"])}
    datavalues_write(actor=make_user("adm-year", "admin", areas=["19"]), values=[
        NewValue(DataElement.objects.get(code="DBD_KASUS"), org_unit_of(desa, "desa"), Period.month(2025, 3), 999.0)])
    aggregates.refresh_pending()
    _rollups()  # year rows = monthly roll-ups
    after = {r.region_code: r for r in RollupYear.objects.filter(input="de:DBD_KASUS", year=2025,
                                                                 region_code__in=["19.03.01", "19.03", "19"])}
    assert set(after) == {"19.03.01", "19.03", "19"}
    for code, row in after.items():
        old = before.get(code)
        assert row.v03 > (old.v03 or 0 if old else 0)
        if old is not None:
            assert [getattr(row, c) for c in YEAR_VALUES if c != "v03"] == \
                [getattr(old, c) for c in YEAR_VALUES if c != "v03"]
    assert {r.pk for r in RollupYear.objects.filter(pk__in=untouched)} == set(untouched)

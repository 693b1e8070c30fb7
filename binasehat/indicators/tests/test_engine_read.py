"""The engine's read: the sums and the check for pending cells in one statement (one snapshot), a pending cell
refreshed before any value is computed from it, and the values built at once equal to ``Value(...)``."""

import datetime as dt
import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binasehat.core.periods import Period
from binasehat.indicators import aggregates, engine
from binasehat.indicators.models import Indicator, Pending
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db


def _kecamatan():
    return list(Region.objects.filter(level=3, code__startswith="19.03.").order_by("code")
                .values_list("code", flat=True))


def test_nothing_pending_takes_one_statement_for_the_check_and_the_sums(demo):
    aggregates.rebuild()
    abj = Indicator.objects.get(code="ABJ")
    kecamatan, months = _kecamatan(), [Period.month(2025, m) for m in range(1, 13)]
    engine.evaluate_uncached([abj], kecamatan, months)  # the kinds of the elements, kept per process
    with CaptureQueriesContext(connection) as ctx:
        got = engine.evaluate_uncached([abj], kecamatan, months)
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert "indicators_pending" in sql and "indicators_rollupyear" in sql
    assert len(got) == len(kecamatan) * 12 and any(v.value is not None for v in got)


def test_a_pending_cell_is_refreshed_before_a_value_is_computed_from_it(demo, make_user):
    """A desa reports 41 more dengue cases and 2 more deaths for March 2026 than it had: its kecamatan, kabupaten
    and province move by 2 / 41 (CFR = deaths / cases × 100). The write's marks stay pending (its transaction does
    not commit inside the test): the engine must see them and refresh before it computes."""
    from binasehat.programs.models import DataElement, DataValue
    from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

    aggregates.rebuild()
    cfr = Indicator.objects.get(code="DBD_CFR")
    desa = Region.objects.filter(level=4, code__startswith="19.03.01.").order_by("code").first().code
    areas, march = ["19.03.01", "19.03", "19"], [Period.month(2026, 3)]
    before = engine.evaluate_uncached([cfr], areas, march)
    el = {e.code: e for e in DataElement.objects.filter(code__in=["DBD_MENINGGAL", "DBD_KASUS"])}
    stored = {e: DataValue.objects.filter(element__code=e, org_unit=desa, period="2026-03", deleted=False)
              .values_list("value", flat=True).first() or 0 for e in el}
    datavalues_write(actor=make_user("adm-read", "admin", areas=["19"]), values=[
        NewValue(el["DBD_KASUS"], org_unit_of(desa, "desa"), march[0], float(stored["DBD_KASUS"]) + 41),
        NewValue(el["DBD_MENINGGAL"], org_unit_of(desa, "desa"), march[0], float(stored["DBD_MENINGGAL"]) + 2)])
    assert Pending.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
        after = engine.evaluate_uncached([cfr], areas, march)
    want = [(b.area, (b.numerator or 0) + 2, (b.denominator or 0) + 41) for b in before]
    assert [(v.area, v.numerator, v.denominator) for v in after] == want
    assert [v.value for v in after] == [n * 100 / d for _a, n, d in want]  # correctly rounded, as float(Fraction)
    assert not Pending.objects.exists()
    reads = [q["sql"] for q in ctx.captured_queries
             if q["sql"].startswith("SELECT") and 'FROM "indicators_rollupyear" WHERE input' in q["sql"]]
    assert len(reads) == 2 and "indicators_pending" in reads[0] and "indicators_pending" not in reads[1]


def test_months_apart_and_months_in_a_row_read_only_their_months(demo):
    """The roll-up read filters a run of months by its first and last month, other months one by one: January and
    March give what each gives alone (not February's rows), January → March the three of them."""
    aggregates.rebuild()
    inputs = ["de:DBD_KASUS", "de#:DBD_KASUS", "de:JENTIK_RUMAH_DIPERIKSA", "penduduk"]
    areas = ["19", "19.03", *_kecamatan()]
    jan, feb, mar = (dt.date(2025, m, 1) for m in (1, 2, 3))
    alone = {m: engine.input_sums(inputs, areas, [m]) for m in (jan, feb, mar)}
    assert all(alone.values())
    assert engine.input_sums(inputs, areas, [jan, mar]) == {**alone[jan], **alone[mar]}
    assert engine.input_sums(inputs, areas, [jan, feb, mar]) == {**alone[jan], **alone[feb], **alone[mar]}


def test_a_value_built_at_once_is_a_value(demo):
    """The engine sets a ``Value``'s fields at once (a frozen dataclass's ``__init__`` sets them one by one): each is
    the same object as ``Value(...)`` of its fields — equal, hashed, shown and pickled alike, and still frozen."""
    aggregates.rebuild()
    abj = Indicator.objects.get(code="ABJ")
    got = engine.evaluate_uncached([abj], _kecamatan(), [Period.month(2025, m) for m in range(1, 13)])
    assert any(v.value is not None for v in got)
    for fast in got:
        slow = engine.Value(*(getattr(fast, f) for f in engine.Value.__dataclass_fields__))
        assert type(fast) is engine.Value and fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
        assert pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(AttributeError):
        got[0].value = 1.0


def test_a_pending_cell_of_an_area_without_any_data_yet_is_refreshed(demo, make_user):
    """The first report of a month nobody has reported yet (no roll-up row of it at all): the read returns no rows,
    and the pending mark must still be seen (read again in a form that always returns the flag), so the value
    just written is there, not "no data"."""
    from binasehat.programs.models import DataElement
    from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

    aggregates.rebuild()
    desa = Region.objects.filter(level=4, code__startswith="19.03.01.").order_by("code").first().code
    month = dt.date(2040, 1, 1)
    inputs = ["de:DBD_KASUS", "de#:DBD_KASUS"]
    assert engine.input_sums(inputs, ["19.03.01", "19"], [month], refresh=True) == {}
    datavalues_write(actor=make_user("adm-first", "admin", areas=["19"]), values=[
        NewValue(DataElement.objects.get(code="DBD_KASUS"), org_unit_of(desa, "desa"), Period.month(2040, 1), 7.0)])
    assert Pending.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
        sums = engine.input_sums(inputs, ["19.03.01", "19"], [month], refresh=True)
    assert sums == {(name, area, month): value for area in ("19.03.01", "19")
                    for name, value in (("de:DBD_KASUS", 7.0), ("de#:DBD_KASUS", 1.0))}
    assert not Pending.objects.exists()
    assert any("LEFT JOIN" in q["sql"] for q in ctx.captured_queries)


def test_kecamatan_of_one_kabupaten_are_read_as_its_range_with_the_others_left_out(demo):
    """From KECAMATAN_RANGE_FROM kecamatan of one kabupaten on, the roll-ups are read as the kabupaten's range of
    the key: the sums of some of its kecamatan are those each gives alone (read by its own code), and the
    kecamatan not asked for are not in the result."""
    aggregates.rebuild()
    kecamatan = _kecamatan()
    some = kecamatan[1:1 + engine.KECAMATAN_RANGE_FROM]
    assert len(kecamatan) > len(some) >= 4
    inputs = ["de:JENTIK_RUMAH_DIPERIKSA", "de#:JENTIK_RUMAH_DIPERIKSA", "de:JENTIK_RUMAH_POSITIF", "penduduk"]
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    with CaptureQueriesContext(connection) as ctx:
        together = engine.input_sums(inputs, some, months)
    alone = {}
    for code in some:
        alone.update(engine.input_sums(inputs, [code], months))
    assert together == alone and {code for _i, code, _m in together} == set(some)
    sql = ctx.captured_queries[0]["sql"]
    if aggregates.byte_ordered():
        assert "region_code >=" in sql and "region_code IN" not in sql
    # one kecamatan, or kecamatan of two kabupaten (sorted, as the engine passes them): by their codes
    assert engine._kecamatan_parent(some[:1]) == ""
    assert engine._kecamatan_parent(["19.03.01", "19.03.02", "19.03.03", "19.04.01"]) == ""
    assert engine._kecamatan_parent(["19.03.01", "19.03.02", "19.03.03", "19.03.04"]) == "19.03"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_rollup_read_is_prepared_once_with_one_generic_plan(demo):
    """On PostgreSQL the roll-up read is prepared on the server (one statement for every request of the same
    shape, planned once, generically); a read of the aggregates per desa (the ORM's SQL) is not prepared."""
    aggregates.rebuild()
    abj = Indicator.objects.get(code="ABJ")
    months = [Period.month(2025, m) for m in range(1, 13)]
    desa = list(Region.objects.filter(level=4, code__startswith="19.03.01.").values_list("code", flat=True)[:3])
    kecamatan = _kecamatan()
    first = engine.evaluate_uncached([abj], kecamatan, months)
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert engine.evaluate_uncached([abj], kecamatan, months) == first
        engine.evaluate_uncached([abj], desa, months)
    rollup_read, desa_read = ctx.captured_queries[0]["sql"], ctx.captured_queries[-1]["sql"]
    assert {q["sql"] for q in ctx.captured_queries[:3]} == {rollup_read}
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        prepared = {statement: plans for statement, *plans in cursor.fetchall()}
    generic, custom = prepared[rollup_read]
    assert generic >= 4 and custom == 0
    assert "indicators_aggregate" in desa_read and not any("indicators_aggregate" in s for s in prepared)


def test_areas_of_every_kind_read_in_one_statement_give_what_each_gives_alone(demo):
    """A puskesmas' wilayah kerja, desa, kecamatan, the kabupaten and the province in one read (one statement: the
    aggregates' parts and the roll-ups' year rows side by side, whatever comes first) give the sums each gives on
    its own."""
    from binasehat.facilities.models import Puskesmas
    from binasehat.programs.services import aggregate_key

    aggregates.rebuild()
    pk = Puskesmas.objects.filter(kecamatan_id="19.03.01").order_by("code").first()
    group = engine.AreaGroup("pkm", (*pk.wilayah_kerja.values_list("code", flat=True),
                                     aggregate_key(pk.kecamatan_id, pk.code)))
    desa = list(Region.objects.filter(level=4, code__startswith="19.03.02.").order_by("code")
                .values_list("code", flat=True)[:3])
    inputs = ["de:TB_NOTIFIKASI", "de#:TB_NOTIFIKASI", "de:DBD_KASUS", "penduduk"]
    months = [dt.date(2025, m, 1) for m in (1, 2, 3)]
    kecamatan_elsewhere = Region.objects.filter(level=3, code__startswith="19.04.").order_by("code").first().code
    for areas in ([group, *desa, "19.03.01", "19.03", "19"], [group, *desa, kecamatan_elsewhere],
                  ["19", "19.03", *desa], [*desa, "19.04"]):
        with CaptureQueriesContext(connection) as ctx:
            together = engine.input_sums(inputs, areas, months)
        assert len(ctx.captured_queries) == 1
        alone = {}
        for area in areas:
            alone.update(engine.input_sums(inputs, [area], months))
        assert together == alone and len({k[1] for k in together}) >= 3

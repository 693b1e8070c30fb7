"""Hand-worked cases for the rules every figure follows (DESIGN.md, "Periods and indicators"):

* Population of an area and year = the area's own figure where one exists, otherwise the sum of its children's;
  never both. A rate with no population anywhere below has no value.
* Counts against a yearly denominator are annualised for a quarter or a month (value × 12 ÷ months, as DHIS2
  does) and compared with the yearly target; January → month m of the current year is cumulative and compared
  with the yearly target prorated to m/12 (PWS).
* Year-long inputs count once per period.
* Prevalence counts each child once per period, by its latest measurement in it.
* Targets are compared on the exact value.
"""

import datetime as dt
from fractions import Fraction

import pytest

from binasehat.core.importing import get_importer, run_import
from binasehat.core.periods import Period
from binasehat.core.tabular import MemoryTable
from binasehat.indicators import engine, rules
from binasehat.indicators.models import Indicator
from binasehat.regions.models import Population
from binasehat.regions.rules import population_rows

pytestmark = pytest.mark.django_db


def _ind(*codes):
    return list(Indicator.objects.filter(code__in=codes))


# --- population --------------------------------------------------------------------------------------------

def test_population_rule_by_hand():
    """Desa A = 600, desa B = 400 (kecamatan K has no figure of its own), kabupaten = 1,100 (its own figure):
    K has 1,000 (the sum of its desa), the kabupaten 1,100 (its own figure, not 1,100 + 1,000)."""
    rows = population_rows({"19.03.01.2001": 600, "19.03.01.2002": 400, "19.03": 1100})
    assert rows == {"19.03.01.2001": 600, "19.03.01.2002": 400, "19.03": 100}

    def population(area):
        return sum(v for code, v in rows.items() if code == area or code.startswith(area + "."))

    assert population("19.03.01") == 1000
    assert population("19.03") == 1100
    assert population("19") == 1100
    # A kecamatan's own figure replaces its desa's sum for itself and, through it, above.
    rows = population_rows({"19.03.01.2001": 600, "19.03.01.2002": 400, "19.03.01": 950, "19.03.02.2001": 50})
    assert sum(v for c, v in rows.items() if c.startswith("19.03.01")) == 950
    assert sum(v for c, v in rows.items() if c.startswith("19.03.")) == 1000  # 950 + 50


def _import_population(rows):
    result = run_import(get_importer("population")(source="test"), [MemoryTable("population", rows)])
    assert not result.error and not result.rejected, (result.error, result.rejections[:3])


def test_a_kabupaten_figure_beside_its_desa_does_not_halve_the_dengue_rate(demo):
    """Adding a kabupaten row equal to the sum of its desa must not change any rate (it halved IR DBD before)."""
    ir = _ind("DBD_IR")
    before = engine.table(ir, ["19.03", "19.03.01"], [Period(2025)])
    desa_total = sum(Population.objects.filter(year=2025, region__code__startswith="19.03.")
                     .values_list("total", flat=True))
    _import_population([{"code": "19.03", "year": "2025", "total": str(desa_total)}])
    after = engine.table(ir, ["19.03", "19.03.01"], [Period(2025)])
    for area in ("19.03", "19.03.01"):
        assert after[("DBD_IR", area, "2025")].denominator == before[("DBD_IR", area, "2025")].denominator
        assert after[("DBD_IR", area, "2025")].value == pytest.approx(before[("DBD_IR", area, "2025")].value)
    assert after[("DBD_IR", "19.03", "2025")].denominator == desa_total
    # A kabupaten figure that differs from its desa' sum is the kabupaten's population; the kecamatan keep theirs.
    _import_population([{"code": "19.03", "year": "2025", "total": str(desa_total + 5000)}])
    again = engine.table(ir, ["19.03", "19.03.01"], [Period(2025)])
    assert again[("DBD_IR", "19.03", "2025")].denominator == desa_total + 5000
    assert again[("DBD_IR", "19.03.01", "2025")].denominator == before[("DBD_IR", "19.03.01", "2025")].denominator


def test_a_rate_with_no_population_has_no_value(demo, make_user):
    """Dengue cases reported in a desa outside the demo district, which has no population figure: no value,
    never 0 and never "meets target"."""
    from binasehat.programs.models import DataElement
    from binasehat.programs.services import NewValue, OrgUnit, datavalues_write
    from binasehat.regions.models import Region

    desa = Region.objects.filter(level=4).exclude(code__startswith="19.03.").order_by("code").first()
    assert not Population.objects.filter(region__code__startswith=desa.parent_id[:5]).exists()
    admin = make_user("adm-nopop", "admin", areas=["19"])
    datavalues_write(actor=admin, values=[NewValue(DataElement.objects.get(code="DBD_KASUS"),
                                                   OrgUnit(desa.code, desa.code), Period.month(2024, 3), 4.0)])
    v = engine.table(_ind("DBD_IR"), [desa.code], [Period(2024)])[("DBD_IR", desa.code, "2024")]
    assert v.numerator == 4 and v.value is None and v.meets is None


# --- periods -----------------------------------------------------------------------------------------------

def test_annualised_quarter_and_month_by_hand():
    """TB treatment coverage, yearly estimate 400 cases, target 90 %. Q3: 30 notified →
    30 ÷ 400 × 100 × 12/3 = 30 % (not 7.5 %); July: 10 notified → 10 ÷ 400 × 100 × 12 = 30 %; the year: 300 → 75 %.
    IR DBD, population 40,000: July 2 cases → 2 ÷ 40,000 × 100,000 × 12 = 60 per 100,000 a year: fails < 49."""
    q = rules.period_scale(rules.ANNUALISED, "quarter", 3)
    m = rules.period_scale(rules.ANNUALISED, "month", 1)
    assert rules.exact_value(30, 400, 100, q) == 30
    assert rules.exact_value(10, 400, 100, m) == 30
    assert rules.exact_value(300, 400, 100, rules.period_scale(rules.ANNUALISED, "year", 12)) == 75
    july_ir = rules.exact_value(2, 40_000, 100_000, m)
    assert july_ir == 60 and rules.compare(july_ir, 49, "<") is False
    # Counts over counts are not annualised: D/S of a month is that month's D ÷ S.
    assert rules.period_scale(rules.SUM, "month", 1) == 1 and rules.period_scale(rules.YEARLY, "quarter", 3) == 1


def test_cumulative_to_november_against_the_prorated_target_by_hand():
    """January–November (PWS): 75 of an estimated 100 cases notified = 75 % cumulative, against 90 % × 11/12 =
    82.5 %: not reached; 83 notified: reached. The cumulative value is not annualised."""
    target = rules.target_in_period(90, rules.ANNUALISED, "ytd", 11)
    assert target == Fraction(165, 2)
    assert rules.period_scale(rules.ANNUALISED, "ytd", 11) == 1
    assert rules.compare(rules.exact_value(75, 100, 100), target, ">=") is False
    assert rules.compare(rules.exact_value(83, 100, 100), target, ">=") is True
    # Non-annualised indicators keep their yearly target in the cumulative period.
    assert rules.target_in_period(95, rules.SUM, "ytd", 11) == 95


def test_targets_compare_the_exact_value_not_the_rounded_one():
    """ABJ: 1,899 of 2,000 houses free of larvae = 94.95 %, shown as 95,0, does not meet "≥ 95 %"."""
    abj = rules.exact_value(1899, 2000, 100)
    assert round(float(abj), 1) == 95.0
    assert rules.compare(abj, 95, ">=") is False
    assert rules.compare(rules.exact_value(1900, 2000, 100), 95, ">=") is True
    # IKS wilayah: 4 of 5 families sehat is exactly 0.800, which is not "> 0.800".
    assert rules.compare(rules.exact_value(4, 5, 1), 0.8, ">") is False


def test_engine_annualises_months_and_quarters_and_sums_year_to_date(demo):
    from binasehat.programs.models import DataValue

    inds = _ind("DBD_IR", "TB_TC")
    q3, july, ytd = Period(2025, "quarter", 3), Period.month(2025, 7), Period.to_month(2025, 11)
    rows = engine.table(inds, ["19.03.02", "19.03.01"], [Period(2025), q3, july, ytd])
    ir_year, ir_q3, ir_july = (rows[("DBD_IR", "19.03.02", str(p))] for p in (Period(2025), q3, july))
    people = ir_year.denominator

    def cases(*months):
        return sum(DataValue.objects.filter(element__code="DBD_KASUS", region__code__startswith="19.03.02.",
                                            period__in=[f"2025-{m:02d}" for m in months]).values_list("value", flat=True))

    assert ir_q3.numerator == cases(7, 8, 9)
    assert ir_q3.value == pytest.approx(cases(7, 8, 9) / people * 100_000 * 4)
    assert ir_july.value == pytest.approx(cases(7) / people * 100_000 * 12)
    assert ir_q3.target == ir_year.target == 49  # the yearly target, for the annualised value
    tc = rows[("TB_TC", "19.03.01", str(ytd))]
    year = rows[("TB_TC", "19.03.01", "2025")]
    assert tc.denominator == year.denominator  # the yearly estimate
    assert tc.value == pytest.approx(tc.numerator / tc.denominator * 100)  # cumulative, not annualised
    assert tc.target == pytest.approx(90 * 11 / 12)
    assert tc.meets == (tc.numerator / tc.denominator * 100 >= 82.5)


def test_yearly_inputs_count_once_in_any_period_of_the_year(demo):
    """Posyandu aktif is a yearly evaluation: a month, a quarter and January → November all show the year's
    figure (it was once added up eleven times: 263 %)."""
    inds = _ind("POSYANDU_AKTIF", "IKS")
    periods = [Period(2025), Period.month(2025, 3), Period(2025, "quarter", 2), Period.to_month(2025, 11)]
    rows = engine.table(inds, ["19.03"], periods)
    for code in ("POSYANDU_AKTIF", "IKS"):
        year = rows[(code, "19.03", "2025")]
        for p in periods[1:]:
            v = rows[(code, "19.03", str(p))]
            assert (v.numerator, v.denominator, v.value) == (year.numerator, year.denominator, year.value), (code, p)
    assert rows[("POSYANDU_AKTIF", "19.03", "2025")].value <= 100


def test_tb_data_kept_per_puskesmas_have_no_desa_value(demo):
    """TB is reported per puskesmas: a desa has no TB figure (no value, not 0 "meets"); its kecamatan has."""
    rows = engine.table(_ind("TB_TC", "TB_CNR", "DBD_IR"), ["19.03.01.1001", "19.03.01"], [Period(2025)])
    for code in ("TB_TC", "TB_CNR"):
        assert rows[(code, "19.03.01.1001", "2025")].value is None
        assert rows[(code, "19.03.01.1001", "2025")].meets is None
    assert rows[("TB_TC", "19.03.01", "2025")].value is not None
    assert rows[("DBD_IR", "19.03.01.1001", "2025")].value is not None  # dengue is reported per desa


def test_every_indicator_declares_a_behaviour_that_fits_its_inputs(demo):
    from binasehat.core.inputs import kinds_of

    for ind in Indicator.objects.all():
        kinds = kinds_of(ind.inputs())
        num = {kinds.get(t.lstrip("-")) for t in ind.numerator}
        den = {kinds.get(t.lstrip("-")) for t in ind.denominator}
        if ind.behaviour == "annualised":
            assert "month" in num and den == {"year"}, ind.code
        elif ind.behaviour == "yearly":
            assert num | den == {"year"}, ind.code
        elif ind.behaviour == "distinct":
            assert num | den == {"distinct"}, ind.code
        else:
            assert num | den == {"month"}, ind.code
        for t in ind.targets:
            assert t.get("source"), (ind.code, t)  # no target without a source


# --- prevalence --------------------------------------------------------------------------------------------

def test_prevalence_counts_a_child_once_per_quarter_by_its_latest_measurement(demo, make_user):
    """A boy born 1 January 2024 is measured three times in 2025Q3: on 5 July at 74 cm (stunted: length-for-age
    z < −2 at 18 months), on 5 August and 5 September at 82 cm (not stunted). July counts him stunted; the
    quarter counts him once, by 5 September: assessed and not stunted; the year likewise."""
    from binasehat.growth.models import Child
    from binasehat.growth.services import measurement_record

    admin = make_user("adm-prev3", "admin", areas=["19"])
    desa = "19.03.05.2001"
    child = Child.objects.create(name="Uji Tiga Kali", sex="L", birth_date=dt.date(2024, 1, 1),
                                 mother_name="Ibu Uji", desa_id=desa)
    inds = _ind("STUNTING")
    periods = [Period.month(2025, 7), Period(2025, "quarter", 3), Period(2025)]
    before = engine.table(inds, [desa], periods)
    for day, length in ((dt.date(2025, 7, 5), 74.0), (dt.date(2025, 8, 5), 82.0), (dt.date(2025, 9, 5), 82.0)):
        measurement_record(actor=admin, child=child, data={"measured_on": day, "weight_kg": 10.5,
                                                           "lenhei_cm": length, "measure": "l", "oedema": False})
    assert [m.stunting for m in child.measurements.order_by("measured_on")] == [True, False, False]
    after = engine.table(inds, [desa], periods)

    def delta(p):
        a, b = after[("STUNTING", desa, str(p))], before[("STUNTING", desa, str(p))]
        return a.numerator - (b.numerator or 0), a.denominator - (b.denominator or 0)

    assert delta(periods[0]) == (1, 1)   # July: stunted
    assert delta(periods[1]) == (0, 1)   # the quarter: once, by September, not stunted
    assert delta(periods[2]) == (0, 1)   # the year: once

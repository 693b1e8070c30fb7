"""Validation rules and outliers over stored programme data: the shipped rules, evaluation per unit and period,
scoping, stored results with their follow-up, and the command."""

import io
import json
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.programs import validation
from binasehat.programs import validation_rules as vr
from binasehat.programs.models import DataElement, MinMax, ValidationResult, ValidationRule
from binasehat.programs.reference import definition
from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

BIDAN_DESA = "19.03.02.2001"  # the demo bidan's desa
OTHER_DESA = "19.03.01.2004"  # in the wilayah kerja of Puskesmas Toboali (P19030101)


def put(unit_code, org_kind, period, **values):
    """Write values through the one write path, as the district."""
    dinkes = User.objects.get(username="dinkes")
    unit = org_unit_of(unit_code, org_kind)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=values)}
    datavalues_write(actor=dinkes, source="test", values=[
        NewValue(elements[code], unit, Period.parse(period), value) for code, value in values.items()])


def user(username):
    return User.objects.get(username=username)


# --- the shipped rules ------------------------------------------------------------------------------

def test_shipped_rules_are_well_formed():
    known = {el["code"] for ds in definition()["data_sets"] for el in ds["elements"]}
    rules = validation.rules_definition()["rules"]
    assert len({r["code"] for r in rules}) == len(rules)
    for r in rules:
        codes = vr.parse(r["left"]["expression"]).codes + vr.parse(r["right"]["expression"]).codes
        assert set(codes) <= known, r["code"]
        assert r["operator"] in vr.OPERATORS and r["importance"] in {"high", "medium", "low"}
        assert r["left"]["missing"] in vr.STRATEGIES and r["right"]["missing"] in vr.STRATEGIES
        assert r["period_type"] in {"month", "year"} and len(r["instruction"]) > 60
        if r["operator"] in vr.PAIR_OPERATORS:  # DHIS2: always SKIP_IF_ANY_VALUE_MISSING with pairs
            assert r["left"]["missing"] == r["right"]["missing"] == vr.SKIP_IF_ANY_VALUE_MISSING
        # Coverage of ODGJ may exceed the projection: that is not a rule.
        assert not {"ODGJ_DILAYANI", "ODGJ_PROYEKSI"} <= set(codes)
    shape = {(r["left"]["expression"], r["operator"], r["right"]["expression"]): r for r in rules}
    assert shape[("#{DBD_MENINGGAL}", "less_than_or_equal_to", "#{DBD_KASUS}")]["importance"] == "high"
    assert ("#{JENTIK_RUMAH_POSITIF}", "less_than_or_equal_to", "#{JENTIK_RUMAH_DIPERIKSA}") in shape
    assert ("#{JENTIK_KONTAINER_POSITIF}", "less_than_or_equal_to", "#{JENTIK_KONTAINER_DIPERIKSA}") in shape
    assert shape[("#{JENTIK_KONTAINER_DIPERIKSA}", "greater_than_or_equal_to",
                  "#{JENTIK_RUMAH_DIPERIKSA}")]["importance"] == "low"
    assert ("#{TB_KOHORT_SEMBUH} + #{TB_KOHORT_LENGKAP}", "less_than_or_equal_to", "#{TB_KOHORT_DIOBATI}") in shape
    assert shape[("#{TB_DIOBATI}", "less_than_or_equal_to", "#{TB_NOTIFIKASI}")]["importance"] == "medium"
    assert ("#{JENTIK_RUMAH_DIPERIKSA}", "compulsory_pair", "#{JENTIK_RUMAH_POSITIF}") in shape


def test_loading_keeps_rules_the_district_edited(db):
    validation.load_rules()
    n = len(validation.rules_definition()["rules"])
    assert ValidationRule.objects.filter(from_reference=True).count() == n
    ValidationRule.objects.filter(code="TB_DIOBATI_LE_NOTIFIKASI").update(importance="low", from_reference=False)
    ValidationRule.objects.filter(code="DBD_MENINGGAL_LE_KASUS").update(importance="low")  # still as shipped
    validation.load_rules()
    assert ValidationRule.objects.get(code="TB_DIOBATI_LE_NOTIFIKASI").importance == "low"
    assert ValidationRule.objects.get(code="DBD_MENINGGAL_LE_KASUS").importance == "high"
    assert ValidationRule.objects.count() == n


def test_a_rule_with_an_unknown_element_is_refused(db):
    rule = ValidationRule(code="X", name="x", instruction="x", operator="less_than", left_expression="#{NOPE}",
                          right_expression="#{DBD_KASUS} +")
    with pytest.raises(ValidationError) as e:
        rule.full_clean()
    assert "NOPE" in e.value.message_dict["left_expression"][0]
    assert "terlalu cepat" in e.value.message_dict["right_expression"][0]
    rule.right_expression = "#{DBD_KASUS}"
    rule.left_expression = "#{DBD_MENINGGAL}"
    rule.full_clean()


# --- rules over stored values -----------------------------------------------------------------------

def test_dengue_deaths_above_cases_is_exactly_that_violation(demo):
    validation.load_rules()
    march = Period.parse("2025-03")
    assert validation.run_rules(user("dinkes"), periods=[march]) == []  # the demo district is consistent
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=5, DBD_KASUS=2)
    [v] = validation.run_rules(user("dinkes"), periods=[march])
    assert (v.rule.code, v.org_unit, v.region_id, v.puskesmas_id, str(v.period), v.left, v.right) == (
        "DBD_MENINGGAL_LE_KASUS", BIDAN_DESA, BIDAN_DESA, None, "2025-03", 5.0, 2.0)
    assert v.data_set.code == "DBD_BULANAN"
    # the month before and after are untouched
    assert validation.run_rules(user("dinkes"), periods=[Period.parse("2025-02"), Period.parse("2025-04")]) == []


def test_a_data_set_selects_its_rules(demo):
    validation.load_rules()
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=5, DBD_KASUS=2)
    assert validation.run_rules(None, data_set="TB_BULANAN", periods=[Period.parse("2025-03")]) == []
    assert len(validation.run_rules(None, data_set="DBD_BULANAN", periods=[Period.parse("2025-03")])) == 1


def test_missing_cases_count_as_zero_in_the_dengue_rule(demo):
    validation.load_rules()
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=1, DBD_KASUS=None)  # cases deleted
    [v] = validation.run_rules(None, periods=[Period.parse("2025-03")], area=BIDAN_DESA)
    assert (v.rule.code, v.left, v.right) == ("DBD_MENINGGAL_LE_KASUS", 1.0, 0.0)


def test_compulsory_pair_over_stored_values(demo):
    validation.load_rules()
    put(BIDAN_DESA, "desa", "2025-03", JENTIK_RUMAH_POSITIF=None)
    found = validation.run_rules(None, periods=[Period.parse("2025-03")], area=BIDAN_DESA)
    [v] = found
    assert (v.rule.code, v.right) == ("JENTIK_RUMAH_PASANGAN", None)
    assert v.left is not None  # the demo's houses inspected


def test_a_yearly_element_in_a_monthly_rule_uses_the_years_value(demo):
    rule = ValidationRule.objects.create(code="T1", name="t", instruction="t", period_type="month",
                                         left_expression="#{TB_NOTIFIKASI}", operator="less_than_or_equal_to",
                                         right_expression="#{TB_ESTIMASI_INSIDEN}")
    put("P19030101", "puskesmas", "2025", TB_ESTIMASI_INSIDEN=10)
    put("P19030101", "puskesmas", "2025-04", TB_NOTIFIKASI=11)
    put("P19030101", "puskesmas", "2025-05", TB_NOTIFIKASI=10)
    found = validation.run_rules(None, periods=[Period.parse("2025-04"), Period.parse("2025-05")], rules=[rule],
                                 area="P19030101")
    assert [(str(v.period), v.org_unit, v.region_id, v.left, v.right) for v in found] == [
        ("2025-04", "P19030101", "19.03.01", 11.0, 10.0)]


def test_a_yearly_rule_runs_for_whole_years_only(demo):
    rule = ValidationRule.objects.create(code="T2", name="t", instruction="t", period_type="year",
                                         left_expression="#{TB_TERDUGA_SASARAN}",
                                         operator="greater_than_or_equal_to", right_expression="#{TB_ESTIMASI_INSIDEN}")
    put("P19030101", "puskesmas", "2025", TB_TERDUGA_SASARAN=5, TB_ESTIMASI_INSIDEN=10)
    run = lambda *ps: [(str(v.period), v.left, v.right) for v in validation.run_rules(  # noqa: E731
        None, periods=[Period.parse(p) for p in ps], rules=[rule], area="19.03.01")]
    assert run("2025") == [("2025", 5.0, 10.0)]
    assert run("2025Q1", "2025Q2", "2025Q3", "2025Q4") == [("2025", 5.0, 10.0)]
    assert run("2025-06") == []


def test_a_bidan_sees_only_the_violations_of_its_desa(demo):
    validation.load_rules()
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=5, DBD_KASUS=2)
    put(OTHER_DESA, "desa", "2025-03", DBD_MENINGGAL=4, DBD_KASUS=1)
    march = [Period.parse("2025-03")]
    assert [v.org_unit for v in validation.run_rules(user("bidan"), periods=march)] == [BIDAN_DESA]
    assert [v.org_unit for v in validation.run_rules(user("puskesmas"), periods=march)] == [OTHER_DESA]
    validation.validation_run(actor=user("dinkes"), periods=march)
    assert ValidationResult.objects.count() == 2
    assert [r.org_unit for r in validation.results_for(user("bidan"))] == [BIDAN_DESA]
    assert [r.org_unit for r in validation.results_for(user("puskesmas"))] == [OTHER_DESA]
    assert validation.results_for(user("kader")).filter(org_unit=OTHER_DESA).count() == 0
    # the bidan's own run refreshes its desa only: the other desa's result stays
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=1)
    summary = validation.validation_run(actor=user("bidan"), periods=march)
    assert (summary.removed, len(summary.violations)) == (1, 0)
    assert list(ValidationResult.objects.values_list("org_unit", flat=True)) == [OTHER_DESA]


def test_running_needs_the_permission_to_enter_data(demo):
    with pytest.raises(PermissionDenied):
        validation.validation_run(actor=user("provinsi"), periods=[Period.parse("2025-03")])


# --- stored results and follow-up -------------------------------------------------------------------

def test_a_rerun_keeps_the_follow_up_and_drops_what_was_fixed(demo):
    validation.load_rules()
    dinkes = user("dinkes")
    march = [Period.parse("2025-03")]
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=5, DBD_KASUS=2)
    summary = validation.validation_run(actor=dinkes, periods=march)
    assert (summary.created, summary.kept, summary.removed) == (1, 0, 0)
    result = ValidationResult.objects.get()
    assert (result.kind, result.rule.code, result.importance, result.status, result.left_value, result.right_value,
            result.period, result.data_set.code) == ("rule", "DBD_MENINGGAL_LE_KASUS", "high", "open", 5.0, 2.0,
                                                     "2025-03", "DBD_BULANAN")
    validation.result_follow_up(actor=dinkes, result=result, note="Sudah dicek ke PE: kasus 5, diperbaiki.")
    entry = AuditEntry.objects.get(model="programs.validationresult", object_pk=str(result.pk))
    assert (entry.action, entry.actor_id, entry.area_code) == ("update", dinkes.pk, BIDAN_DESA)
    assert entry.before["status"] == "open" and entry.after["status"] == "followed_up"
    assert entry.after["note"] == "Sudah dicek ke PE: kasus 5, diperbaiki."

    put(BIDAN_DESA, "desa", "2025-03", DBD_KASUS=3)  # still a violation, now 5 ≤ 3
    summary = validation.validation_run(actor=dinkes, periods=march)
    assert (summary.created, summary.kept, summary.removed) == (0, 1, 0)
    again = ValidationResult.objects.get()
    assert (again.pk, again.status, again.note, again.followed_up_by_id, again.right_value) == (
        result.pk, "followed_up", "Sudah dicek ke PE: kasus 5, diperbaiki.", dinkes.pk, 3.0)

    put(BIDAN_DESA, "desa", "2025-03", DBD_KASUS=5)
    summary = validation.validation_run(actor=dinkes, periods=march)
    assert (summary.created, summary.kept, summary.removed) == (0, 0, 1)
    assert not ValidationResult.objects.exists()


def test_other_periods_are_left_alone_by_a_run(demo):
    validation.load_rules()
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=5, DBD_KASUS=2)
    validation.validation_run(actor=None, periods=[Period.parse("2025-03")])
    validation.validation_run(actor=None, periods=[Period.parse("2025-04")])
    assert ValidationResult.objects.filter(period="2025-03").count() == 1


def test_follow_up_needs_a_note_and_the_result_in_scope(demo):
    validation.load_rules()
    put(OTHER_DESA, "desa", "2025-03", DBD_MENINGGAL=4, DBD_KASUS=1)
    validation.validation_run(actor=None, periods=[Period.parse("2025-03")])
    result = ValidationResult.objects.get()
    with pytest.raises(ValidationError):
        validation.result_follow_up(actor=user("dinkes"), result=result, note="  ")
    with pytest.raises(PermissionDenied):
        validation.result_follow_up(actor=user("bidan"), result=result, note="bukan desa saya")
    with pytest.raises(PermissionDenied):
        validation.result_follow_up(actor=user("provinsi"), result=result, note="baca saja")
    result.refresh_from_db()
    assert result.status == "open" and not AuditEntry.objects.filter(model="programs.validationresult").exists()


# --- outliers ---------------------------------------------------------------------------------------

SERIES = [10, 12, 8, 11, 9, 10, 12, 8, 11, 9, 10, 60]  # JENTIK_RUMAH_DIPERIKSA, Jan–Dec 2025


@pytest.fixture
def series(demo):
    for month, value in enumerate(SERIES, start=1):
        put(BIDAN_DESA, "desa", f"2025-{month:02d}", JENTIK_RUMAH_DIPERIKSA=value)


def found_for(method, **kw):
    return [o for o in validation.outliers(user("dinkes"), data_set="DBD_BULANAN", end_period=Period.parse("2025-12"),
                                           method=method, area=BIDAN_DESA, **kw)
            if o.element.code == "JENTIK_RUMAH_DIPERIKSA"]


def test_zscore_outlier_in_a_stored_series(series):
    [o] = found_for("z")
    # 60 against the other eleven: mean 110/11 = 10, squared deviations sum 20, variance 20/11,
    # z = 50 / √(20/11) = 37.081
    assert (str(o.period), o.org_unit, o.value) == ("2025-12", BIDAN_DESA, 60.0)
    assert o.score == pytest.approx(50 / math.sqrt(20 / 11), abs=1e-4)
    assert o.centre == pytest.approx(10.0)


def test_modified_zscore_outlier_in_a_stored_series(series):
    [o] = found_for("modified_z")
    # median of the other eleven (8 8 9 9 10 10 10 11 11 12 12) is 10; |deviations| 2 2 1 1 0 0 0 1 1 2 2 → MAD 1
    assert str(o.period) == "2025-12" and o.score == pytest.approx(0.6745 * 50)


def test_minmax_outliers_against_stored_bounds(series):
    unit = org_unit_of(BIDAN_DESA, "desa")
    MinMax.objects.create(element=DataElement.objects.get(code="JENTIK_RUMAH_DIPERIKSA"), org_unit=unit.code,
                          region_id=unit.region_id, max_value=11)
    found = found_for("minmax")
    assert [(str(o.period), o.value, o.upper) for o in found] == [
        ("2025-02", 12.0, 11.0), ("2025-07", 12.0, 11.0), ("2025-12", 60.0, 11.0)]
    assert all(o.lower is None and o.score is None for o in found)


def test_the_window_is_the_last_n_months(series):
    # Ending in November, December's 60 is outside the window and nothing stands out.
    assert [o for o in validation.outliers(None, data_set="DBD_BULANAN", end_period=Period.parse("2025-11"),
                                           area=BIDAN_DESA)
            if o.element.code == "JENTIK_RUMAH_DIPERIKSA" and o.period.year == 2025 and o.period.index >= 2] == []
    assert found_for("z", n_periods=5) and str(found_for("z", n_periods=5)[0].period) == "2025-12"
    assert found_for("z", n_periods=4) == []  # 3 other values are too few


def test_outliers_are_one_query_per_data_set(demo, django_assert_num_queries):
    from binasehat.programs.models import DataSet

    n_sets = DataSet.objects.count()
    with django_assert_num_queries(2 + n_sets):  # elements, data sets, one query of values per data set
        validation.outliers(None, end_period=Period.parse("2025-12"))


def test_outliers_are_stored_and_refreshed(series):
    summary = validation.validation_run(actor=user("dinkes"), periods=[Period.parse("2025-12")],
                                        data_set="DBD_BULANAN", area=BIDAN_DESA, with_outliers=True)
    stored = ValidationResult.objects.get(kind="outlier", element__code="JENTIK_RUMAH_DIPERIKSA")
    assert (stored.method, stored.period, stored.left_value, stored.importance) == ("z", "2025-12", 60.0, "medium")
    assert stored.score == pytest.approx(50 / math.sqrt(20 / 11), abs=1e-4)
    assert len(summary.outliers) == ValidationResult.objects.filter(kind="outlier").count()
    put(BIDAN_DESA, "desa", "2025-12", JENTIK_RUMAH_DIPERIKSA=10)
    validation.validation_run(actor=user("dinkes"), periods=[Period.parse("2025-12")], data_set="DBD_BULANAN",
                              area=BIDAN_DESA, with_outliers=True)
    assert not ValidationResult.objects.filter(kind="outlier", element__code="JENTIK_RUMAH_DIPERIKSA").exists()


# --- the command ------------------------------------------------------------------------------------

def test_command_prints_one_line_per_violation(demo):
    validation.load_rules()
    put(BIDAN_DESA, "desa", "2025-03", DBD_MENINGGAL=5, DBD_KASUS=2)
    put(OTHER_DESA, "desa", "2025-03", DBD_MENINGGAL=4, DBD_KASUS=1)
    out, err = io.StringIO(), io.StringIO()
    call_command("validate_data", "--period", "2025-03", "--area", "19.03.02", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == [f"2025-03\t{BIDAN_DESA}\tDBD_MENINGGAL_LE_KASUS\thigh\t5 ≤ 2"]
    assert "1 pelanggaran aturan" in err.getvalue()
    assert list(ValidationResult.objects.values_list("org_unit", flat=True)) == [BIDAN_DESA]
    out = io.StringIO()
    call_command("validate_data", "--period", "2025", "--data-set", "DBD_BULANAN", "--no-store", stdout=out,
                 stderr=io.StringIO())
    assert len(out.getvalue().splitlines()) == 2


def test_command_outlier_lines(series):
    out = io.StringIO()
    call_command("validate_data", "--period", "2025-12", "--area", BIDAN_DESA, "--outliers", "--data-set",
                 "DBD_BULANAN", stdout=out, stderr=io.StringIO())
    line = [ln for ln in out.getvalue().splitlines() if "JENTIK_RUMAH_DIPERIKSA" in ln]
    # bounds 10 ± 3 × √(20/11) = 5.9548 … 14.0452
    assert line == [f"2025-12\t{BIDAN_DESA}\tJENTIK_RUMAH_DIPERIKSA\tpencilan:z\t60 di luar 5.9548–14.0452 (z=37.08)"]


def test_rules_json_is_valid_json():
    json.loads(validation.RULES_FILE.read_text(encoding="utf-8"))

"""Validation rules edited by the district in the app: the expressions are checked, the form carries a version,
the change is audited, the shipped rule is no longer overwritten, and the rule's stored results are recomputed.

Worked case (reference/validation_rules.json, DBD_MENINGGAL_LE_KASUS: deaths ≤ cases): 5 dengue deaths with 2
cases in a desa in 2025-03 violate the rule; once the district changes the operator to "≥" the same figures
satisfy it and the stored violation disappears; deactivated, the rule has no result left."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.core import district_settings
from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.programs import validation
from binasehat.programs.models import DataElement, ValidationResult, ValidationRule
from binasehat.programs.services import (NewValue, datavalues_write, org_unit_of, rule_version,
                                         validation_rule_save)

pytestmark = pytest.mark.django_db
DESA = "19.03.01.2004"
RULE = "DBD_MENINGGAL_LE_KASUS"


def _violate():
    dinkes = User.objects.get(username="dinkes")
    el = {e.code: e for e in DataElement.objects.filter(code__in=["DBD_MENINGGAL", "DBD_KASUS"])}
    unit = org_unit_of(DESA, "desa")
    datavalues_write(actor=dinkes, values=[NewValue(el["DBD_MENINGGAL"], unit, Period.parse("2025-03"), 5),
                                           NewValue(el["DBD_KASUS"], unit, Period.parse("2025-03"), 2)])
    validation.load_rules()
    validation.validation_run(actor=dinkes, periods=[Period.parse("2025-03")])


def _results(rule):
    return ValidationResult.objects.filter(rule=rule, org_unit=DESA, period="2025-03")


def test_edit_recomputes_results_and_is_audited(demo):
    _violate()
    dinkes = User.objects.get(username="dinkes")
    rule = ValidationRule.objects.get(code=RULE)
    assert rule.from_reference and _results(rule).count() == 1
    validation_rule_save(actor=dinkes, rule=rule, data={"operator": "greater_than_or_equal_to"},
                         version=rule_version(rule))
    rule.refresh_from_db()
    assert rule.operator == "greater_than_or_equal_to" and not rule.from_reference
    assert _results(rule).count() == 0
    entry = AuditEntry.objects.filter(model="programs.validationrule", object_pk=str(rule.pk)).latest("pk")
    assert entry.before["operator"] == "less_than_or_equal_to" and entry.after["operator"] == "greater_than_or_equal_to"
    assert entry.after["from_reference"] is False
    validation.load_rules()  # the next migration: the district's rule stays as it made it
    assert ValidationRule.objects.get(code=RULE).operator == "greater_than_or_equal_to"
    # Back to "≤": the violation is found again without a manual run.
    validation_rule_save(actor=dinkes, rule=rule, data={"operator": "less_than_or_equal_to"},
                         version=rule_version(rule))
    # (no stored result was left for the period, so nothing to recompute: a run brings it back)
    validation.validation_run(actor=dinkes, periods=[Period.parse("2025-03")])
    assert _results(rule).count() == 1
    validation_rule_save(actor=dinkes, rule=rule, data={"active": False},
                         version=rule_version(ValidationRule.objects.get(pk=rule.pk)))
    assert _results(rule).count() == 0


def test_checks_conflict_and_permission(demo, make_user):
    dinkes = User.objects.get(username="dinkes")
    rule = ValidationRule.objects.get(code=RULE)
    opened = rule_version(rule)
    with pytest.raises(ValidationError) as e:
        validation_rule_save(actor=dinkes, rule=rule, data={"left_expression": "#{TIDAK_ADA}"}, version=opened)
    assert "Elemen data tidak dikenal: TIDAK_ADA" in str(e.value)
    validation_rule_save(actor=dinkes, rule=rule, data={"importance": "low"}, version=opened)
    with pytest.raises(district_settings.VersionConflict):
        validation_rule_save(actor=dinkes, rule=rule, data={"importance": "high"}, version=opened)
    with pytest.raises(PermissionDenied):
        validation_rule_save(actor=User.objects.get(username="puskesmas"), rule=rule, data={"importance": "high"},
                             version=rule_version(ValidationRule.objects.get(pk=rule.pk)))
    created = validation_rule_save(actor=dinkes, code="DBD_KASUS_POSITIF", data={
        "name": "Kasus DBD tidak negatif", "instruction": "Periksa isian.", "operator": "greater_than_or_equal_to",
        "left_expression": "#{DBD_KASUS}", "right_expression": "0"})
    assert created.pk and not created.from_reference
    with pytest.raises(ValidationError):
        validation_rule_save(actor=dinkes, code="DBD_KASUS_POSITIF", data={"name": "x"})


def test_rule_page_edit(demo, client_for):
    client = client_for("dinkes")
    rule = ValidationRule.objects.get(code=RULE)
    assert RULE in client.get(reverse("validation:rules")).content.decode()
    page = client.get(reverse("validation:rule_edit", args=[rule.pk])).content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    data = {f: getattr(rule, f) for f in ["name", "name_en", "instruction", "importance", "period_type",
                                          "left_expression", "left_description", "left_missing", "operator",
                                          "right_expression", "right_description", "right_missing"]}
    data.update(active="on", version=version, name="Kematian DBD ≤ kasus DBD")
    response = client.post(reverse("validation:rule_edit", args=[rule.pk]), data, follow=True)
    assert "tersimpan" in response.content.decode()
    assert ValidationRule.objects.get(pk=rule.pk).name == "Kematian DBD ≤ kasus DBD"
    response = client.post(reverse("validation:rule_edit", args=[rule.pk]), {**data, "name": "lain"}, follow=True)
    assert "sudah diubah orang lain" in response.content.decode()
    bad = client.post(reverse("validation:rule_edit", args=[rule.pk]), {
        **data, "version": rule_version(ValidationRule.objects.get(pk=rule.pk)), "right_expression": "#{NGACO}"})
    assert bad.status_code == 200 and "Elemen data tidak dikenal: NGACO" in bad.content.decode()

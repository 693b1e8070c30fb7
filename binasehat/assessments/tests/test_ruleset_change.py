"""A posyandu verdict computed before its rule set's criteria changed is stale and is re-evaluated when next
shown; loading unchanged rule set files leaves every verdict as it is.

Worked case (posyandu-aktif 2020.1, DO Posyandu Aktif: kegiatan rutin ≥ 8 bulan): a posyandu judged aktif in
2025 would no longer be aktif if the criterion asked 13 months (no year has 13)."""

import json
import tempfile
from pathlib import Path

import pytest

from binasehat.assessments import selectors, services
from binasehat.assessments.loading import RULESET_DIR, load_rulesets
from binasehat.assessments.models import PosyanduEvaluation, RuleSet

pytestmark = pytest.mark.django_db
YEAR = 2025


def _aktif_posyandu():
    services.verdicts_refresh(year=YEAR)
    e = PosyanduEvaluation.objects.filter(year=YEAR, ruleset_code="posyandu-aktif", result="ya").select_related(
        "posyandu").first()
    assert e is not None
    return e.posyandu


def test_unchanged_files_leave_verdicts_alone(demo):
    posyandu = _aktif_posyandu()
    loaded = dict(RuleSet.objects.values_list("pk", "loaded_at"))
    load_rulesets()
    assert dict(RuleSet.objects.values_list("pk", "loaded_at")) == loaded
    assert posyandu.pk not in services.stale_posyandu(year=YEAR)


def test_changed_criteria_make_verdicts_stale_and_refreshed(demo):
    posyandu = _aktif_posyandu()
    data = json.loads((RULESET_DIR / "posyandu-aktif.json").read_text(encoding="utf-8"))
    assert data["criteria"][0] == {"indicator": "opening_months", "op": ">=", "value": 8}
    data["criteria"][0]["value"] = 13
    with tempfile.TemporaryDirectory(prefix="rules-") as folder:
        (Path(folder) / "posyandu-aktif.json").write_text(json.dumps(data), encoding="utf-8")
        load_rulesets(Path(folder))
    try:
        assert posyandu.pk in services.stale_posyandu(year=YEAR)
        verdict = selectors.evaluation_pair(posyandu, YEAR)["posyandu-aktif"]
        assert verdict.result == "tidak"
        opening = next(c for c in verdict.criteria if c["indicator"] == "opening_months")
        assert opening["value"] == 13 and opening["met"] is False
        assert posyandu.pk not in services.stale_posyandu(year=YEAR)
    finally:
        load_rulesets()  # the shipped definition again: stale once more, refreshed on the next read
    assert selectors.evaluation_pair(posyandu, YEAR)["posyandu-aktif"].result == "ya"

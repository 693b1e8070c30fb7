"""The rule set is shipped as a file, loaded once, and edited by the district on its page: every change raises
the version and is audited; other roles cannot change it."""

import json

import pytest
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.risk.loading import RULESET_DIR, current_ruleset
from binasehat.risk.models import RuleItem

pytestmark = pytest.mark.django_db


def test_file_is_loaded_with_every_item():
    data = json.loads((RULESET_DIR / "wilayah-berisiko.json").read_text(encoding="utf-8"))
    rs = current_ruleset()
    assert [i.code for i in rs.items.all()] == [i["code"] for i in data["items"]]
    assert rs.items.get(code="ABJ").threshold == 95 and rs.items.get(code="ABJ").op == ">="
    assert rs.items.get(code="DBD_IR_NAIK").measure == "change"


def _post(client, item: RuleItem, **changes):
    data = {"item": item.pk}
    values = {"op": item.op, "threshold": item.threshold, "weight": item.weight, "active": "on", "note": item.note}
    values.update(changes)
    data.update({f"i{item.pk}-{k}": v for k, v in values.items() if v is not None})
    return client.post(reverse("risk:ruleset"), data)


def test_dinkes_changes_a_weight_audited_and_versioned(demo, client_for):
    rs = current_ruleset()
    version = rs.version
    item = rs.items.get(code="STUNTING")
    response = _post(client_for("dinkes"), item, weight=2)
    assert response.status_code == 302
    item.refresh_from_db()
    rs.refresh_from_db()
    assert item.weight == 2 and rs.version == version + 1
    entry = AuditEntry.objects.filter(model="risk.ruleitem", object_pk=str(item.pk)).latest("pk")
    assert entry.actor_name == "dinkes"
    assert entry.before["weight"] == 1 and entry.after["weight"] == 2
    assert entry.after["ruleset_version"] == version + 1
    page = client_for("dinkes").get(reverse("risk:ruleset")).content.decode()
    assert f"versi {version + 1}</small>" in page
    assert 'id="rule-history"' in page and "dinkes" in page


def test_puskesmas_reads_but_cannot_change(demo, client_for):
    item = current_ruleset().items.get(code="ABJ")
    client = client_for("puskesmas")
    assert client.get(reverse("risk:ruleset")).status_code == 200
    assert _post(client, item, threshold=50).status_code == 404
    item.refresh_from_db()
    assert item.threshold == 95


def test_deactivated_item_is_not_scored(demo, client_for):
    from binasehat.risk.scoring import district_scores

    item = current_ruleset().items.get(code="IKS")
    _post(client_for("dinkes"), item, active=None)
    item.refresh_from_db()
    assert item.active is False
    r = district_scores("19.03", 2025)["19.03.01.1002"]
    assert "IKS" not in r.result.failed + r.result.no_data + r.result.passed

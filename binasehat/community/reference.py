"""Reference data shipped in the package: the Desa Siaga rule set (loaded through the assessments rule-set
mechanism) and the KKS rounds. Configured thresholds, basis and prerequisites of a round already in the database
are kept; tatanan and indicators follow the file."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

HERE = Path(__file__).resolve().parent
RULESET_DIR = HERE / "rulesets"
SIAGA_RULESET = "desa-siaga-2010"
KKS_FILE = HERE / "reference" / "kks-rounds.json"


def siaga_ruleset():
    """The newest Desa Siaga rule set (loaded on first use when migrations ran before the app shipped it)."""
    from binasehat.assessments.loading import current, load_rulesets

    ruleset = current(SIAGA_RULESET)
    if ruleset is None:
        load_rulesets(RULESET_DIR)
        ruleset = current(SIAGA_RULESET)
    return ruleset


@transaction.atomic
def load_kks_rounds() -> None:
    from .models import KksIndicator, KksRound, KksTatanan

    data = json.loads(KKS_FILE.read_text(encoding="utf-8"))
    for r in data["rounds"]:
        rnd, created = KksRound.objects.get_or_create(year=r["year"], defaults={
            "title": r["title"], "source": r["source"], "thresholds": r["thresholds"],
            "score_basis": r["score_basis"], "odf_min": r["odf_min"], "basic_documents": data["aspek_dasar"],
        })
        if not created:
            KksRound.objects.filter(pk=rnd.pk).update(title=r["title"], source=r["source"],
                                                      basic_documents=data["aspek_dasar"])
        for t in r["tatanan"]:
            tat, _ = KksTatanan.objects.update_or_create(round=rnd, number=t["number"], defaults={"name": t["name"]})
            for pos, ind in enumerate(t["indicators"]):
                KksIndicator.objects.update_or_create(tatanan=tat, code=ind["code"], defaults={
                    "name": ind["name"], "options": ind["options"], "compute": ind.get("compute"),
                    "verified": ind.get("verified", False), "source": ind.get("source", ""), "position": pos,
                })


def load_reference(**kwargs) -> None:
    from binasehat.assessments.loading import load_rulesets

    load_rulesets(RULESET_DIR)
    load_kks_rounds()

"""Load the shipped rule set file into the database (once; later changes are made on the rule-set page)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from binasehat.indicators.models import Indicator

from . import rules
from .models import RuleItem, RuleSet

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"
DEFAULT_CODE = "wilayah-berisiko"


def ruleset_data(code: str = DEFAULT_CODE) -> dict:
    return json.loads((RULESET_DIR / f"{code}.json").read_text(encoding="utf-8"))


@transaction.atomic
def ruleset_load(code: str = DEFAULT_CODE, *, replace: bool = False) -> RuleSet:
    """Create the rule set from its file if it is not in the database (or ``replace`` it with the file)."""
    data = ruleset_data(code)
    existing = RuleSet.objects.filter(code=code).first()
    if existing and not replace:
        return existing
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[it["indicator"] for it in data["items"]])}
    missing = sorted({it["indicator"] for it in data["items"]} - set(indicators))
    if missing:
        raise RuntimeError(f"rule set {code}: unknown indicators {missing}; load the indicator definitions first")
    rs, _created = RuleSet.objects.update_or_create(code=code, defaults={
        "name": data["name"], "name_en": data.get("name_en", ""), "version": data["version"],
        "level": data.get("level", "desa"), "source": data.get("source", "")})
    rs.items.all().delete()
    for i, it in enumerate(data["items"]):
        if it["op"] not in rules.OPS:
            raise RuntimeError(f"rule set {code}: item {it['code']} has comparison {it['op']!r}")
        RuleItem.objects.create(ruleset=rs, code=it["code"], indicator=indicators[it["indicator"]],
                                measure=it.get("measure", rules.VALUE), op=it["op"], threshold=it["threshold"],
                                weight=it.get("weight", 1), note=it.get("note", ""), sort=i)
    return rs


def current_ruleset() -> RuleSet:
    return RuleSet.objects.filter(code=DEFAULT_CODE).first() or ruleset_load()

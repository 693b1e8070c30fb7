"""Indicator definitions ship as ``reference/indicators.json``; loaded (created or updated by code) after every
migration. National targets come from the file (each with its validity and source); targets the district set
itself (``"district": true``, edited in the admin) are kept across upgrades."""

import json
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference" / "indicators.json"
FIELDS = ("name", "name_en", "short", "program", "numerator", "denominator", "numerator_label", "denominator_label",
          "factor", "unit", "decimals", "formula", "direction", "behaviour", "target_op", "source", "description")


def definitions() -> list[dict]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["indicators"]


def district_targets(stored) -> list[dict]:
    """The district's own targets among those stored (an older store kept them as {"default": v, "note": …})."""
    if isinstance(stored, list):
        return [t for t in stored if t.get("district")]
    if isinstance(stored, dict) and stored.get("note") and stored.get("default") is not None:
        return [{"value": stored["default"], "from": None, "to": None, "source": stored["note"], "district": True}]
    return []


def load_reference(**kwargs) -> None:
    from .models import Indicator

    for sort, d in enumerate(definitions()):
        defaults = {k: d[k] for k in FIELDS if k in d}
        defaults["sort"] = sort
        obj, created = Indicator.objects.get_or_create(code=d["code"], defaults={**defaults,
                                                                                 "targets": d.get("targets", [])})
        if not created:
            for k, v in defaults.items():
                setattr(obj, k, v)
            obj.targets = [*d.get("targets", []), *district_targets(obj.targets)]
            obj.save()

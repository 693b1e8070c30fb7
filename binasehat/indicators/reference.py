"""Indicator definitions ship as ``reference/indicators.json``; loaded (created or updated by code) after every
migration. Targets changed by the district in the admin are kept unless the file changes them."""

import json
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference" / "indicators.json"
FIELDS = ("name", "name_en", "short", "program", "numerator", "denominator", "numerator_label", "denominator_label",
          "factor", "unit", "decimals", "formula", "direction", "target_op", "source", "description")


def definitions() -> list[dict]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["indicators"]


def load_reference(**kwargs) -> None:
    from .models import Indicator

    for sort, d in enumerate(definitions()):
        defaults = {k: d[k] for k in FIELDS if k in d}
        defaults["sort"] = sort
        obj, created = Indicator.objects.get_or_create(code=d["code"], defaults={**defaults,
                                                                                 "targets": d.get("targets", {})})
        if not created:
            for k, v in defaults.items():
                setattr(obj, k, v)
            if not obj.targets:
                obj.targets = d.get("targets", {})
            obj.save()

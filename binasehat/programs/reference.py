"""Data sets and data elements ship as ``reference/datasets.json`` and are loaded (created or updated by code)
after every migration, like the assessment rule sets."""

import json
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference" / "datasets.json"


def definition() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def load_reference(**kwargs) -> None:
    from .models import DataElement, DataSet

    for ds_sort, ds in enumerate(definition()["data_sets"]):
        data_set, _ = DataSet.objects.update_or_create(code=ds["code"], defaults={
            "name": ds["name"], "name_en": ds.get("name_en", ""), "program": ds["program"],
            "period_type": ds["period_type"], "org_kind": ds["org_kind"], "sort": ds_sort,
            "description": ds.get("description", "")})
        for sort, el in enumerate(ds["elements"]):
            DataElement.objects.update_or_create(code=el["code"], defaults={
                "name": el["name"], "name_en": el.get("name_en", ""), "data_set": data_set, "sort": sort,
                "value_type": el.get("value_type", "integer"), "description": el.get("description", "")})

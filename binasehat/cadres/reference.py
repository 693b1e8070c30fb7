"""Load the skills and level rules shipped in ``reference/skills.json`` into the database.

Rows an administrator edited are left alone; rows still as shipped (or still placeholders) are brought up to the
shipped wording, status and source, so a newer reference file fills in what was found since."""

import json
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference" / "skills.json"


def load_reference(**kwargs) -> None:
    from .models import Level, Skill, SkillGroup

    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for g_order, group in enumerate(data["groups"], start=1):
        g, _ = SkillGroup.objects.get_or_create(code=group["code"], defaults={"name": group["name"], "order": g_order})
        for s_order, skill in enumerate(group["skills"], start=1):
            status = skill.get("status", "found")
            values = {"group": g, "name": skill["name"], "placeholder": status == "not_found", "status": status,
                      "source": skill.get("source", data["source"]), "order": s_order}
            row, created = Skill.objects.get_or_create(code=skill["code"], defaults=values)
            if not created and (row.placeholder or not row.source):
                for field, value in values.items():
                    setattr(row, field, value)
                row.save()
    for level in data["levels"]:
        Level.objects.get_or_create(code=level["code"], defaults={
            "name": level["name"], "order": level["order"], "required_groups": level["required_groups"],
            "min_groups": level["min_groups"]})

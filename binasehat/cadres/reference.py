"""Load the skills and level rules shipped in ``reference/skills.json`` into the database.

Existing rows are left as an administrator edited them; only missing codes are added."""

import json
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference" / "skills.json"


def load_reference(**kwargs) -> None:
    from .models import Level, Skill, SkillGroup

    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for g_order, group in enumerate(data["groups"], start=1):
        g, _ = SkillGroup.objects.get_or_create(code=group["code"], defaults={"name": group["name"], "order": g_order})
        for s_order, skill in enumerate(group["skills"], start=1):
            Skill.objects.get_or_create(code=skill["code"], defaults={
                "group": g, "name": skill["name"], "placeholder": skill.get("placeholder", False), "order": s_order})
    for level in data["levels"]:
        Level.objects.get_or_create(code=level["code"], defaults={
            "name": level["name"], "order": level["order"], "required_groups": level["required_groups"],
            "min_groups": level["min_groups"]})

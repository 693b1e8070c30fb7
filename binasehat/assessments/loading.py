"""Rule sets ship as JSON files in ``rulesets/``; each (code, version) is loaded into the database once."""

import json
from pathlib import Path

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


def load_rulesets(directory: Path | None = None, **kwargs) -> None:
    """Load the rule sets of ``directory`` (this app's own by default; other apps ship theirs the same way)."""
    from .models import RuleSet

    for path in sorted((directory or RULESET_DIR).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        RuleSet.objects.update_or_create(
            code=data["code"], version=data["version"],
            defaults={"title": data["title"], "source": data["source"], "definition": data},
        )


def current(code: str):
    """The newest version of a rule set."""
    from .models import RuleSet

    return RuleSet.objects.filter(code=code).order_by("-version").first()

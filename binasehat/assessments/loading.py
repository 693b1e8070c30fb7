"""Rule sets ship as JSON files in ``rulesets/``; each (code, version) is loaded into the database once.

Every version states the years it is valid for (``valid_from``/``valid_to``, open-ended when null): a year is
judged with the version in force that year, so a later version never rewrites the verdict of a past year."""

import json
from pathlib import Path

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"


def load_rulesets(directory: Path | None = None, **kwargs) -> None:
    """Load the rule sets of ``directory`` (this app's own by default; other apps ship theirs the same way)."""
    from .models import RuleSet

    for path in sorted((directory or RULESET_DIR).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        values = {"title": data["title"], "source": data["source"], "definition": data,
                  "valid_from": data.get("valid_from"), "valid_to": data.get("valid_to")}
        stored = RuleSet.objects.filter(code=data["code"], version=data["version"]).first()
        if stored is None:
            RuleSet.objects.create(code=data["code"], version=data["version"], **values)
        elif any(getattr(stored, k) != v for k, v in values.items()):
            # Saved only when it changed: ``loaded_at`` then says when the rule last changed, and verdicts
            # computed before it are stale (``assessments.services.stale_posyandu``).
            for k, v in values.items():
                setattr(stored, k, v)
            stored.save()


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def current(code: str):
    """The newest version of a rule set."""
    from .models import RuleSet

    versions = list(RuleSet.objects.filter(code=code))
    return max(versions, key=lambda r: _version_key(r.version)) if versions else None


def in_force(code: str, year: int):
    """The version of rule set ``code`` in force in ``year``: the newest whose validity covers the year (versions
    without a validity, e.g. left from an older release, are never chosen when a dated one exists)."""
    from django.db.models import Q

    from .models import RuleSet

    versions = list(RuleSet.objects.filter(code=code, valid_from__lte=year)
                    .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year)))
    if not versions:
        return current(code)
    return max(versions, key=lambda r: _version_key(r.version))

"""The audit trail: every service that creates, changes or deletes a record writes one entry here."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence

from django.db import models

from .models import AuditEntry


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Sequence[str] | None = None) -> dict:
    """The audited values of a record: its concrete fields (foreign keys as their key), JSON-ready."""
    if fields is None:
        fields = [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in fields}


def _entry(*, actor, action, obj, before, after, area_code, source, import_job_id) -> AuditEntry:
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "sistem",
        action=action,
        model=obj._meta.label_lower,
        object_pk=str(obj.pk),
        object_repr=str(obj)[:255],
        area_code=area_code or "",
        before=before,
        after=after,
        source=source,
        import_job_id=import_job_id,
    )


def audit_record(*, actor, action: str, obj: models.Model, before: dict | None = None,
                 after: dict | None = None, area_code: str = "", source: str = "web",
                 import_job_id: int | None = None) -> AuditEntry:
    entry = _entry(actor=actor, action=action, obj=obj, before=before, after=after, area_code=area_code,
                   source=source, import_job_id=import_job_id)
    entry.save()
    return entry


def audit_bulk(entries: Iterable[dict], *, actor, source: str, import_job_id: int | None = None) -> int:
    """Write many entries at once (imports). Each dict has action, obj, before, after, area_code."""
    from .bulk import insert_dicts

    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or "sistem"

    def rows():
        for e in entries:
            obj = e["obj"]
            yield {
                "actor_id": actor_id, "actor_name": actor_name, "action": e["action"],
                "model": obj._meta.label_lower, "object_pk": str(obj.pk), "object_repr": str(obj)[:255],
                "area_code": e.get("area_code") or "", "before": e.get("before"), "after": e.get("after"),
                "source": source, "import_job_id": import_job_id,
            }

    return insert_dicts(AuditEntry, rows())


def history_for(obj: models.Model):
    return AuditEntry.objects.filter(model=obj._meta.label_lower, object_pk=str(obj.pk)).select_related("actor")

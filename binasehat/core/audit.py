"""The audit trail: every service that creates, changes or deletes a record writes one entry here."""

from __future__ import annotations

import datetime as dt
import decimal
import re
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


# --- history as a user reads it ------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _field_of(model, key: str):
    """The model field an audited key names (``desa_id`` or ``desa`` → the ``desa`` foreign key), or None."""
    if model is None:
        return None
    for f in model._meta.get_fields():
        if getattr(f, "concrete", False) and (f.name == key or getattr(f, "attname", None) == key):
            return f
        if f.many_to_many and f.name == key:
            return f
    return None


def _label(model, key: str) -> str:
    from django.utils.text import capfirst

    field = _field_of(model, key)
    if field is not None and getattr(field, "verbose_name", None):
        return str(capfirst(field.verbose_name))
    name = key.removesuffix("_id")
    return capfirst(name.replace("_", " "))


def _value(model, key: str, value, names: dict) -> str:
    """An audited value as text: the linked record's name, the choice's label, a date as 31 Des 2025, a number
    with the language's decimal mark."""
    from django.utils.dateparse import parse_date, parse_datetime

    from .formatting import DASH, value_text

    if value is None or value == "":
        return DASH
    field = _field_of(model, key)
    if field is not None and field.is_relation and field.related_model is not None:
        values = value if isinstance(value, list) else [value]
        related = field.related_model
        cache = names.setdefault(related, {})
        missing = [v for v in values if v not in cache]
        if missing:
            try:
                for obj in related._default_manager.filter(pk__in=missing):
                    cache[obj.pk] = str(obj)
                    cache[str(obj.pk)] = str(obj)
            except (ValueError, TypeError):
                pass
        return ", ".join(cache.get(v, str(v)) for v in values) or DASH
    if field is not None and getattr(field, "choices", None):
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(value, str) and field is not None:
        internal = field.get_internal_type()
        if internal == "DateField" and parse_date(value):
            return value_text(parse_date(value))
        if internal == "DateTimeField" and parse_datetime(value):
            return value_text(parse_datetime(value))
        if internal == "DecimalField":
            try:
                return value_text(decimal.Decimal(value))
            except decimal.InvalidOperation:
                return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return value_text(parse_date(value))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return value_text(parse_datetime(value))
        except ValueError:
            return value
    if isinstance(value, int) and not isinstance(value, bool) and "year" in key:
        return str(value)  # a year is never grouped (2025, not 2.025)
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or DASH
    if isinstance(value, dict):
        return "; ".join(f"{_label(model, k)}: {value_text(v)}" for k, v in value.items())
    return value_text(value)


def readable_changes(entry: AuditEntry, names: dict | None = None) -> list[tuple[str, str, str]]:
    """(label, before, after) of an audit entry as a user reads them: field labels (verbose names), the names
    of linked records ("Posyandu: Melati 1", not ``posyandu_id: 29``), formatted dates and numbers."""
    from django.apps import apps

    try:
        model = apps.get_model(entry.model)
    except (LookupError, ValueError):
        model = None
    names = {} if names is None else names
    return [(_label(model, key), _value(model, key, before, names), _value(model, key, after, names))
            for key, before, after in entry.changes()]

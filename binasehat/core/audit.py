"""The audit trail: every service that creates, changes or deletes a record writes one entry here."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
from collections.abc import Iterable, Sequence

from django.db import models

from .models import AuditEntry, AuditItem


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


def _entry(*, actor, action, obj, before, after, area_code, source, import_job_id, model=None, object_pk=None,
           object_repr=None) -> AuditEntry:
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "sistem",
        action=action,
        model=model if obj is None else obj._meta.label_lower,
        object_pk=object_pk if obj is None else str(obj.pk),
        object_repr=object_repr if obj is None else str(obj)[:255],
        area_code=area_code or "",
        before=before,
        after=after,
        source=source,
        import_job_id=import_job_id,
    )


def audit_record(*, actor, action: str, obj: models.Model | None, before: dict | None = None,
                 after: dict | None = None, area_code: str = "", source: str = "web",
                 import_job_id: int | None = None, model: str = "", object_pk: str = "",
                 object_repr: str = "") -> AuditEntry:
    """One entry about ``obj`` (or, with ``obj=None``, about what ``model``/``object_pk``/``object_repr`` name)."""
    entry = _entry(actor=actor, action=action, obj=obj, before=before, after=after, area_code=area_code,
                   source=source, import_job_id=import_job_id, model=model, object_pk=object_pk,
                   object_repr=object_repr)
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


class ImportAudit:
    """The audit of one bulk import: ONE ``AuditEntry`` (action ``import``: who, when, the files by name and
    SHA-256, how many records were created and updated, the fields recorded) and, per written record, an
    ``AuditItem`` with what that record got, as compact JSON. Items are added chunk by chunk inside the import's
    transaction; the entry is written with the first of them, so an import that writes nothing leaves no entry."""

    def __init__(self, *, actor, source: str, import_job_id: int | None, model: type[models.Model],
                 files: Sequence[dict], fields: Sequence[str], area_code: str = ""):
        self.actor, self.source, self.import_job_id = actor, source, import_job_id
        self.label = model._meta.label_lower
        self.files = [dict(f) for f in files]
        self.fields = list(fields)
        self.area_code = area_code
        self.entry: AuditEntry | None = None
        self.counts = {"create": 0, "update": 0}

    def created(self, pks: Sequence, columns: dict[str, Sequence]) -> int:
        """Records created: their primary keys and, per field of ``fields``, the values (JSON-ready: str, int,
        float, bool, None; a Decimal or date is written as its text), encoded column by column."""
        if not pks:
            return 0
        encoded = [_json_column(columns[name]) for name in self.fields]
        changes = ["[" + ",".join(values) + "]" for values in zip(*encoded)]
        return self._insert(["create"] * len(pks), pks, changes)

    def updated(self, items: Iterable[tuple[object, dict]]) -> int:
        """Records updated: (primary key, {field: [before, after]}), JSON-ready."""
        dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode
        pks, changes = [], []
        for pk, change in items:
            pks.append(pk)
            changes.append(dumps(change))
        return self._insert(["update"] * len(pks), pks, changes)

    def _insert(self, actions: list[str], pks: Sequence, changes: list[str]) -> int:
        from .bulk import insert_columns

        if not pks:
            return 0
        for action in set(actions):
            self.counts[action] = self.counts.get(action, 0) + actions.count(action)
        if self.entry is None:
            self.entry = audit_record(actor=self.actor, action=AuditEntry.Action.IMPORT, obj=None, model=self.label,
                                      object_pk=f"import:{self.import_job_id or ''}",
                                      object_repr=", ".join(f["name"] for f in self.files)[:255],
                                      after=self._summary(), area_code=self.area_code, source=self.source,
                                      import_job_id=self.import_job_id)
        return insert_columns(AuditItem, {"entry_id": [self.entry.pk] * len(pks), "action": actions,
                                          "object_pk": [str(pk) for pk in pks], "changes": changes})

    def finish(self) -> AuditEntry | None:
        """Store the final counts on the entry (when anything was written)."""
        if self.entry is not None:
            self.entry.after = self._summary()
            AuditEntry.objects.filter(pk=self.entry.pk).update(after=self.entry.after)
        return self.entry

    def _summary(self) -> dict:
        return {"files": self.files, "created": self.counts.get("create", 0),
                "updated": self.counts.get("update", 0), "fields": self.fields}


def _json_column(values: Sequence) -> list[str]:
    """Each value of a column as JSON text (what ``json.dumps`` writes, with Decimal and dates as strings)."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds <= {float}:
        # A column of floats (z-scores): repr is JSON for every finite float; NaN and infinities as json.dumps.
        return ["null" if v is None else (repr(v) if -_INF < v < _INF else json.dumps(v)) for v in values]
    if kinds <= {int}:
        return ["null" if v is None else str(v) for v in values]
    out = []
    texts: dict[str, str] = {}  # a column repeats its values: each distinct text is encoded once
    for v in values:
        if v is None:
            out.append("null")
        elif v is True:
            out.append("true")
        elif v is False:
            out.append("false")
        elif type(v) is int or type(v) is float:
            out.append(json.dumps(v) if v != v or v in (_INF, -_INF) else repr(v))
        else:
            text = str(v)
            encoded = texts.get(text)
            if encoded is None:
                encoded = texts[text] = json.dumps(text, ensure_ascii=False)
            out.append(encoded)
    return out


_INF = float("inf")


def file_sha256(path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _item_entry(item: AuditItem) -> AuditEntry:
    """An import's entry as one record's history shows it: that record's changes, the file it came from."""
    entry = item.entry
    change = json.loads(item.changes) if item.changes else {}
    if isinstance(change, list):
        change = dict(zip((entry.after or {}).get("fields") or [], change))
    if item.action == AuditEntry.Action.UPDATE:
        before, after = {k: v[0] for k, v in change.items()}, {k: v[1] for k, v in change.items()}
    else:
        before, after = None, change
    files = (entry.after or {}).get("files") or []
    shown = AuditEntry(
        id=entry.id, at=entry.at, actor=entry.actor, actor_id=entry.actor_id, actor_name=entry.actor_name,
        action=item.action, model=entry.model, object_pk=item.object_pk, object_repr=entry.object_repr,
        area_code=entry.area_code, before=before, after=after,
        source=f"{entry.source}: {', '.join(f.get('name', '') for f in files)}" if files else entry.source,
        import_job_id=entry.import_job_id,
    )
    shown.import_entry = entry
    shown.files = files
    return shown


class History:
    """A record's audit history, newest first: its own entries and the import entries that wrote it (one per
    import, with that record's changes). Sliced (``history_for(obj)[:20]``) it reads only what it shows."""

    def __init__(self, label: str, pk: str):
        self.entries = AuditEntry.objects.filter(model=label, object_pk=pk).select_related("actor")
        self.items = (AuditItem.objects.filter(object_pk=pk, entry__model=label).select_related("entry", "entry__actor")
                      .order_by("-entry__at", "-entry_id", "-id"))

    def _read(self, limit: int | None) -> list[AuditEntry]:
        entries = list(self.entries[:limit] if limit is not None else self.entries)
        entries += [_item_entry(i) for i in (self.items[:limit] if limit is not None else self.items)]
        entries.sort(key=lambda e: (e.at, e.pk), reverse=True)
        return entries[:limit] if limit is not None else entries

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop or 0) < 0:
                return self._read(None)[index]
            return self._read(index.stop)[index.start or 0:]
        return self._read(index + 1)[index]

    def __iter__(self):
        return iter(self._read(None))

    def __len__(self):
        return self.entries.count() + self.items.count()

    def __bool__(self):
        return self.entries.exists() or self.items.exists()


def history_for(obj: models.Model) -> History:
    return History(obj._meta.label_lower, str(obj.pk))


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

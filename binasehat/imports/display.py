"""How an import job's stored result reads on screen: the conflict table names each changed field as the file's
column does (or by its verbose name) and shows values as a user reads them (31 Des 2025, Laki-laki, the name of
a linked posyandu or desa), never the stored keys."""

from django.utils.translation import gettext as _

from binasehat.core.audit import _field_of, _label, _value


def _model_of(importer_class):
    """The model whose fields an importer's changes name, when it declares one."""
    if importer_class is None:
        return None
    try:
        importer = importer_class()
    except TypeError:
        return None
    for attr in ("versioned_model", "model"):
        model = getattr(importer, attr, None)
        if isinstance(model, type) and hasattr(model, "_meta"):
            return model
    return None


def _column_label(importer_class, model, key: str) -> str:
    """A changed field as the user knows it: the file's column for it (``desa_id`` → "Kode Desa"), else the
    model field's verbose name, else the key made readable."""
    if importer_class is not None:
        columns = importer_class.columns()
        for column in (key, f"{key.removesuffix('_id')}_code", key.removesuffix("_id")):
            if column in columns and importer_class.aliases.get(column):
                return importer_class.column_label(column)
    return _label(model, key)


def readable_conflicts(importer_class, conflicts) -> list[dict]:
    """The stored ``conflicts`` of an import job as rows to show: {row, key, now, changes: [(label, stored,
    in the file)]}."""
    model = _model_of(importer_class)
    names: dict = {}
    out = []
    for conflict in conflicts or ():
        changes = conflict.get("changes") or {}
        labels = {key: _column_label(importer_class, model, key) for key in changes}
        now = conflict.get("now", "")
        # The engine names the fields an update would change by their keys: name them as the table does.
        if changes and now == _("akan mengubah %(fields)s") % {"fields": ", ".join(changes)}:
            now = _("akan mengubah %(fields)s") % {"fields": ", ".join(labels.values())}
        rows = []
        for key, pair in changes.items():
            before, after = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
            value_model = model if _field_of(model, key) is not None else None
            rows.append((labels[key], _value(value_model, key, before, names), _value(value_model, key, after, names)))
        out.append({"row": conflict.get("row", ""), "key": conflict.get("key", ""), "now": now, "changes": rows})
    return out

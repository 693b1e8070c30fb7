"""After an edit conflict (someone saved the record after this form was opened): both versions side by side, and
the form set to the stored version, so that saving again is a deliberate choice of this person's values. The page
shows it with ``includes/conflict.html``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    return str(value)


def _choice_text(field, value) -> str:
    choices = getattr(field, "choices", None)
    if choices is not None and not hasattr(field, "queryset") and not isinstance(value, (list, tuple, set)):
        labels = {str(k): v for k, v in choices if not isinstance(v, (list, tuple))}
        if str(value) in labels and value not in (None, ""):
            return str(labels[str(value)])
    return _text(value)


def side_by_side(form, current, stored_form=None) -> dict:
    """``{"current": current, "rows": [{"label", "saved", "yours"}]}`` for every visible field whose stored value
    differs from this person's entry (``stored_form``: the same form unbound on ``current``, when the form's initial
    values need more than the instance, e.g. a many-to-many set). Sets the form's hidden ``version`` to the stored
    one (0 when the record is gone)."""
    form.data = form.data.copy()
    form.data["version"] = str(current.version if current is not None else 0)
    if current is None:
        return {"current": None, "rows": []}
    if stored_form is None:
        stored_form = type(form)(instance=current)
    rows = []
    cleaned = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if name == "version" or field.widget.is_hidden or name not in cleaned:
            continue
        if not field.has_changed(stored_form[name].initial, form[name].data):
            continue
        saved = getattr(current, name, stored_form[name].initial)
        yours = cleaned[name]
        rows.append({"label": field.label, "saved": _choice_text(field, saved), "yours": _choice_text(field, yours)})
    return {"current": current, "rows": rows}

"""A rule-set criterion as a sentence a user reads ("Frekuensi penimbangan minimal 8 bulan: ya, 11 bulan")
instead of the evaluator's operators (">= 8", "is True"). Display only: evaluation stays in ``rules``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from binasehat.core.formatting import DASH, number

BOOLEAN_UNITS = {"ya/tidak", ""}


def _unit(definition: dict | None, indicator: str) -> str:
    return ((definition or {}).get("indicators", {}).get(indicator, {}) or {}).get("unit", "")


def _amount(value, unit: str) -> str:
    if value is None:
        return DASH
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    text = number(value, 0 if float(value) == int(value) else 1)
    if not unit or unit in BOOLEAN_UNITS:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def requirement(criterion: dict, definition: dict | None = None) -> str:
    """What the rule asks: "Frekuensi penimbangan minimal 8 bulan"; a yes/no criterion is its label."""
    label, op, value = criterion["label"], criterion["op"], criterion["value"]
    if op == "is":
        return label if value else _("%(label)s: tidak") % {"label": label}
    amount = _amount(value, _unit(definition, criterion["indicator"]))
    phrase = {">=": _("%(label)s minimal %(amount)s"), ">": _("%(label)s lebih dari %(amount)s"),
              "<=": _("%(label)s paling banyak %(amount)s")}.get(op)
    return phrase % {"label": label, "amount": amount} if phrase else f"{label} {op} {amount}"


def actual(criterion: dict, definition: dict | None = None) -> str:
    """The posyandu's value: "11 bulan", "62,5%", "ya"."""
    value = criterion.get("actual")
    if criterion["op"] == "is":
        return _("ya") if value else _("tidak")
    return _amount(value, _unit(definition, criterion["indicator"]))


def sentence(criterion: dict, definition: dict | None = None) -> str:
    """Requirement, whether it is met, and the value: "… minimal 8 bulan: ya, 11 bulan"."""
    met = _("ya") if criterion.get("met") else _("tidak")
    if criterion["op"] == "is":
        return _("%(requirement)s: %(met)s") % {"requirement": requirement(criterion, definition), "met": met}
    return _("%(requirement)s: %(met)s, %(actual)s") % {"requirement": requirement(criterion, definition),
                                                        "met": met, "actual": actual(criterion, definition)}

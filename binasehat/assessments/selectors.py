"""Reads of posyandu evaluations, scoped to the acting user. Each read first refreshes the verdicts it is about
to show when they are missing or stale (only those: a month closed since, or another rule set version in force),
so a page never shows a verdict frozen on the day it was computed."""

from __future__ import annotations

from binasehat.core.scope import scope_of
from binasehat.facilities.models import Posyandu

from . import services
from .models import PosyanduEvaluation


def evaluations_for_user(user, year: int):
    scope = scope_of(user)
    q = scope.posyandu_q(desa_field="desa__code", id_field="pk")
    services.verdicts_refresh(year=year, posyandu_queryset=Posyandu.objects.filter(q))
    return PosyanduEvaluation.objects.filter(year=year).filter(
        scope.posyandu_q(desa_field="posyandu__desa__code", id_field="posyandu_id"))


def evaluation_pair(posyandu, year: int) -> dict[str, PosyanduEvaluation]:
    """Both evaluations of one posyandu (already fetched in scope) for a year, by rule set code."""
    services.verdicts_refresh(year=year, posyandu_queryset=Posyandu.objects.filter(pk=posyandu.pk))
    return {e.ruleset_code: e for e in PosyanduEvaluation.objects.filter(posyandu=posyandu, year=year)
            .select_related("ruleset")}


def provisional_through(year: int, today=None):
    """For the current year: the last complete month the verdicts cover (a date on its first day); None for a
    year that is over (final verdicts) or that has no complete month yet."""
    import datetime as dt

    months = services.months_covered(year, today)
    if months <= 0 or months >= 12:
        return None
    return dt.date(year, months, 1)

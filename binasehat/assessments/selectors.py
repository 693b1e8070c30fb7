"""Reads of posyandu evaluations, scoped to the acting user."""

from __future__ import annotations

from binasehat.core.scope import scope_of

from .models import PosyanduEvaluation


def evaluations_for_user(user, year: int):
    scope = scope_of(user)
    return PosyanduEvaluation.objects.filter(year=year).filter(
        scope.posyandu_q(desa_field="posyandu__desa__code", id_field="posyandu_id"))


def evaluation_pair(posyandu, year: int) -> dict[str, PosyanduEvaluation]:
    """Both evaluations of one posyandu (already fetched in scope) for a year, by rule set code."""
    return {e.ruleset_code: e for e in PosyanduEvaluation.objects.filter(posyandu=posyandu, year=year)
            .select_related("ruleset")}

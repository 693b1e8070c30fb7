"""Reads of the kader registry, scoped like posyandu (a kader user sees its own posyandu's kader)."""

from __future__ import annotations

from django.db.models import Count, Q

from binasehat.core.scope import get_in_scope_or_404, scope_of

from . import rules
from .models import Kader, KaderSkill, Level, Skill


def kader_for_user(user):
    scope = scope_of(user)
    return Kader.objects.filter(scope.posyandu_q(desa_field="posyandu__desa__code", id_field="posyandu_id")) \
        .select_related("posyandu", "posyandu__desa")


def kader_get(user, pk) -> Kader:
    return get_in_scope_or_404(kader_for_user(user), pk=pk)


def skills_by_group() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for code, group in Skill.objects.values_list("code", "group_id"):
        groups.setdefault(group, []).append(code)
    return groups


def levels_for(kader_ids) -> dict[int, str | None]:
    """The level (Purwa/Madya/Utama code, or None) of each kader, from its passed skills."""
    by_group = skills_by_group()
    not_required = set(Skill.objects.filter(placeholder=True).values_list("code", flat=True))
    level_rules = [l.as_rule() for l in Level.objects.all()]
    passed: dict[int, list[str]] = {}
    ids = list(kader_ids)
    qs = KaderSkill.objects.values_list("kader_id", "skill_id")
    qs = qs.filter(kader_id__in=ids) if len(ids) <= 5000 else qs
    wanted = set(ids)
    for kader_id, skill in qs:
        if kader_id in wanted:
            passed.setdefault(kader_id, []).append(skill)
    return {k: rules.level_of(rules.completed_groups(passed.get(k, []), by_group, not_required), level_rules)
            for k in ids}


def kader_counts_by_posyandu(posyandu_ids, on_date=None) -> dict[int, dict[str, int]]:
    """Per posyandu: n_total, n_active, and n_sk (active with an SK dated on or before ``on_date``).

    For many posyandu (a province, a country) the counts are read for all kader at once rather than through an
    IN list of every id, which databases limit."""
    ids = list(posyandu_ids)
    sk = Q(active=True) & ~Q(sk_number="")
    if on_date is not None:
        sk &= Q(sk_date__isnull=True) | Q(sk_date__lte=on_date)
    qs = Kader.objects.order_by()
    if len(ids) <= 5000:
        qs = qs.filter(posyandu_id__in=ids)
    rows = (qs.values("posyandu_id")
            .annotate(n_total=Count("id"), n_active=Count("id", filter=Q(active=True)), n_sk=Count("id", filter=sk)))
    wanted = set(ids)
    return {r["posyandu_id"]: r for r in rows if r["posyandu_id"] in wanted}

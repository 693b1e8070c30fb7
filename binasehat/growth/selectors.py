"""Reads of children and measurements, scoped: by area, and for a kader by its posyandu."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from binasehat.core.scope import get_in_scope_or_404, scope_of

from .indicator_inputs import MAX_AGE_DAYS
from .models import Child, Measurement


def children_for_user(user):
    scope = scope_of(user)
    qs = Child.objects.filter(scope.region_q("desa__code"))
    if scope.posyandu_ids is not None:
        qs = qs.filter(posyandu_id__in=sorted(scope.posyandu_ids))
    return qs.select_related("desa", "posyandu")


def child_get(user, pk) -> Child:
    return get_in_scope_or_404(children_for_user(user), pk=pk)


def measurements_for_user(user):
    return Measurement.objects.filter(child__in=children_for_user(user).values("pk"))


def with_latest(children):
    """Annotate each child with its latest measurement's date and status.

    Correlated subqueries only (no join and GROUP BY over every measurement): a page of 25 children costs 25 index
    look-ups whatever the number of children, and counting the list needs none of them."""
    latest = Measurement.objects.filter(child=OuterRef("pk")).order_by("-measured_on", "-pk")
    return children.annotate(
        last_measured=Subquery(latest.values("measured_on")[:1]),
        last_pb_tb_u=Subquery(latest.values("pb_tb_u")[:1]),
        last_bb_pb_tb=Subquery(latest.values("bb_pb_tb")[:1]),
        last_bb_u=Subquery(latest.values("bb_u")[:1]),
        last_stunting=Subquery(latest.values("stunting")[:1]),
        last_wasting=Subquery(latest.values("wasting")[:1]),
    )


def follow_up(children, kind: str, today: dt.date):
    """Children needing follow-up: stunted or wasted at the latest measurement, or not weighed for two months."""
    children = with_latest(children)
    if kind == "stunting":
        return children.filter(last_stunting=True)
    if kind == "wasting":
        return children.filter(last_wasting=True)
    if kind == "2t":
        return children.filter(pk__in=two_t_children(children, today))
    if kind == "tidak_ditimbang":
        limit = today - dt.timedelta(days=61)
        five = today.replace(year=today.year - 5)
        return children.filter(birth_date__gt=five).filter(Q(last_measured__lt=limit) | Q(last_measured__isnull=True))
    return children


def two_t_children(children, today: dt.date) -> list[int]:
    """Children whose last two monthly weighings (within the last four months) were both T by the KBM rule."""
    from . import kbm

    since = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=1)
    births = dict(children.values_list("pk", "birth_date"))
    visits: dict[int, list] = {}
    for child_id, day, weight in (Measurement.objects.filter(child_id__in=list(births), measured_on__gte=since)
                                  .order_by("child_id", "measured_on").values_list("child_id", "measured_on", "weight_kg")):
        visits.setdefault(child_id, []).append((day, float(weight) if weight is not None else None))
    return [pk for pk, v in visits.items() if kbm.two_t(kbm.classify(v, births[pk]))]


def prevalence(user, period, level_length: int | None, root: str | None):
    """Per area (code prefix of ``level_length`` characters, or per posyandu when None) for a period (a
    ``core.periods.Period``: month, quarter or year): children measured aged 0–59 months, each counted **once, by
    its latest measurement in the period**, and how many are stunted, wasted, underweight, overweight, with the
    number assessable for each (the denominators). Areas without any measurement are absent."""
    start, end = period.start, period.end + dt.timedelta(days=1)
    in_period = {"measured_on__gte": start, "measured_on__lt": end, "age_days__lt": MAX_AGE_DAYS}
    qs = measurements_for_user(user).filter(**in_period)
    if root:
        qs = qs.filter(Q(child__desa__code=root) | Q(child__desa__code__startswith=root + "."))
    latest = (Measurement.objects.filter(child=OuterRef("child"), **in_period)
              .order_by("-measured_on", "-id").values("id")[:1])
    qs = qs.filter(id=Subquery(latest))
    # By area code prefix, or (level_length None) by posyandu.
    qs = qs.annotate(area=Substr("child__desa__code", 1, level_length)) if level_length else \
        qs.annotate(area=F("child__posyandu_id"))
    rows = {}
    terms = ("stunting", "wasting", "underweight", "overweight")
    aggregates = {"children": Count("child", distinct=True)}
    for t in terms:
        aggregates[f"c_{t}"] = Count("id", filter=Q(**{t: True}))
        aggregates[f"c_{t}_n"] = Count("id", filter=Q(**{f"{t}__isnull": False}))
    for r in qs.values("area").annotate(**aggregates).order_by("area"):
        rows[r["area"]] = {"children": r["children"],
                           **{k: r[f"c_{k}"] for k in terms}, **{f"{k}_n": r[f"c_{k}_n"] for k in terms}}
    return rows


def weighed_per_posyandu_month(posyandu_id: int, year: int) -> dict[int, int]:
    """Children weighed at a posyandu per month, from individual measurements (the D of SKDN where data exist)."""
    rows = (Measurement.objects.filter(posyandu_id=posyandu_id, measured_on__year=year, weight_kg__isnull=False)
            .values("measured_on__month").annotate(n=Count("child", distinct=True)))
    return {r["measured_on__month"]: r["n"] for r in rows}

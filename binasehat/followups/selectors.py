"""Reads of the follow-up app, scoped to the acting user (a ``mitra`` reaches only its institution's items)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from binasehat.core.scope import get_in_scope_or_404, scope_of
from binasehat.risk.selectors import is_partner

from .models import ActionItem, Evidence, Meeting, Visit


def action_items(user) -> QuerySet[ActionItem]:
    qs = ActionItem.objects.select_related("region", "institution", "meeting", "activity")
    if is_partner(user):
        return qs.filter(institution_id=user.institution_id) if user.institution_id else qs.none()
    return qs.filter(scope_of(user).region_q("region__code"))


def action_for(user, pk) -> ActionItem:
    return get_in_scope_or_404(action_items(user), pk=pk)


def evidence_for(user, pk) -> Evidence:
    return get_in_scope_or_404(Evidence.objects.select_related("action"), pk=pk,
                               action__in=action_items(user).values("pk"))


def overdue(user) -> QuerySet[ActionItem]:
    return action_items(user).filter(status__in=ActionItem.OPEN, due__lt=timezone.localdate())


def overdue_summary(user) -> dict:
    """Open and overdue counts per area and per institution."""
    today = timezone.localdate()
    qs = action_items(user).filter(status__in=ActionItem.OPEN)
    overdue_q = Q(due__lt=today)
    per_area = (qs.values("region__code", "region__name")
                .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q)).order_by("-overdue", "region__code"))
    per_institution = (qs.values("institution__pk", "institution__name")
                       .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q))
                       .order_by("-overdue", "institution__name"))
    return {"areas": list(per_area), "institutions": list(per_institution)}


def meetings(user) -> QuerySet[Meeting]:
    if is_partner(user):
        return Meeting.objects.none()
    return Meeting.objects.select_related("region").filter(scope_of(user).region_q("region__code"))


def meeting_for(user, pk) -> Meeting:
    return get_in_scope_or_404(meetings(user), pk=pk)


def visits(user) -> QuerySet[Visit]:
    if is_partner(user):
        return Visit.objects.none()
    return Visit.objects.select_related("region", "puskesmas").filter(scope_of(user).region_q("region__code"))


def visit_for(user, pk) -> Visit:
    return get_in_scope_or_404(visits(user), pk=pk)


def forum_desa_meetings(*, year: int, desa_codes: Iterable[str]) -> dict[str, int]:
    """Number of "forum desa" meetings per desa/kelurahan code in ``year`` (every code asked for is a key).
    A count, not a record: no user scope (the caller has already checked its areas)."""
    codes = list(dict.fromkeys(desa_codes))
    counts = Counter(dict(
        Meeting.objects.filter(kind=Meeting.Kind.FORUM_DESA, date__year=year, region_id__in=codes)
        .values("region_id").annotate(n=Count("pk")).values_list("region_id", "n")))
    return {c: counts.get(c, 0) for c in codes}


def digest(today=None) -> dict[str, list[ActionItem]]:
    """Open items per owner e-mail address (owners without an address are left out), overdue first."""
    today = today or timezone.localdate()
    out: dict[str, list[ActionItem]] = {}
    qs = ActionItem.objects.filter(status__in=ActionItem.OPEN).select_related("owner", "institution", "region")
    for item in qs.order_by("due", "pk"):
        if item.email:
            out.setdefault(item.email, []).append(item)
    return out

"""Reads of the risk app, scoped to the acting user. A partner (``mitra``) reaches only the plans and activities
its institution takes part in; everyone else reaches what lies in their area."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from binasehat.accounts import roles
from binasehat.core.periods import Period
from binasehat.core.scope import get_in_scope_or_404, scope_of
from binasehat.indicators import engine
from binasehat.regions.models import Region

from .models import Activity, Attachment, Designation
from .scoring import AreaResult, district_of, district_scores


def is_partner(user) -> bool:
    return getattr(user, "role", "") == roles.MITRA


def designations(user) -> QuerySet[Designation]:
    qs = Designation.objects.select_related("region", "decided_by", "ended_by")
    if is_partner(user):
        if not user.institution_id:
            return qs.none()
        return qs.filter(activities__institution_id=user.institution_id).distinct()
    return qs.filter(scope_of(user).region_q("region__code"))


def designation_for(user, pk) -> Designation:
    return get_in_scope_or_404(designations(user), pk=pk)


def activities(user, designation: Designation | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("designation__region", "institution", "problem__indicator")
    if designation is not None:
        qs = qs.filter(designation=designation)
    if is_partner(user):
        return qs.filter(institution_id=user.institution_id) if user.institution_id else qs.none()
    return qs.filter(scope_of(user).region_q("designation__region__code"))


def activity_for(user, pk) -> Activity:
    return get_in_scope_or_404(activities(user), pk=pk)


def attachment_for(user, pk) -> Attachment:
    visible = activities(user).values("pk")
    return get_in_scope_or_404(Attachment.objects.select_related("note__activity"), pk=pk,
                               note__activity__in=visible)


def area_for(user, code: str | None) -> Region:
    """A kabupaten/kota, kecamatan or desa inside the user's scope (by default the widest one)."""
    scope = scope_of(user)
    if not code:
        tops = scope.top_codes()
        if scope.everything:
            first = Region.objects.filter(level=2).order_by("code").first()
            code = first.code if first else ""
        elif tops:
            code = tops[0] if len(tops) == 1 else district_of(tops[0])
    region = Region.objects.filter(code=code or "").first()
    if region is not None and region.level == 1:  # a province: its first kabupaten/kota
        region = Region.objects.filter(level=2, code__startswith=region.code + ".").order_by("code").first()
    if region is None:
        raise Http404
    if not scope.covers(region.code) and not (region.level == 2 and any(
            c.startswith(region.code + ".") for c in scope.area_codes)):
        raise Http404
    return region


def ranked(user, area: Region, year: int) -> list[AreaResult]:
    """Scores of the desa/kelurahan below ``area`` that the user may see, highest risk first. Ranks are those
    in the whole district (and in each puskesmas' wilayah kerja)."""
    scope = scope_of(user)
    scored = district_scores(district_of(area.code), year)
    rows = [r for c, r in scored.items() if (c == area.code or c.startswith(area.code + ".")) and scope.covers(c)]
    return sorted(rows, key=lambda r: (r.rank, r.code))


def area_result(user, code: str, year: int) -> AreaResult:
    scope = scope_of(user)
    if not scope.covers(code):
        raise Http404
    result = district_scores(district_of(code), year).get(code)
    if result is None:
        raise Http404
    return result


def before_after(designation: Designation, indicator_codes, today_year: int):
    """The linked indicators of a plan before (the year before the designation) and after (its year, to date),
    from the engine: aggregate values of the area, never a person."""
    from binasehat.indicators.models import Indicator

    inds = list(Indicator.objects.filter(code__in=set(indicator_codes)))
    before_p, after_p = Period(designation.year - 1), Period(min(designation.year, today_year))
    table = engine.table(inds, [designation.region_id], [before_p, after_p])
    out = []
    for ind in sorted(inds, key=lambda i: (i.sort, i.code)):
        b = table.get((ind.code, designation.region_id, str(before_p)))
        a = table.get((ind.code, designation.region_id, str(after_p)))
        change = None if b is None or a is None or a.value is None or b.value is None else a.value - b.value
        better = None if change is None or change == 0 else (change > 0) == (ind.direction == "up")
        out.append({"indicator": ind, "before": b, "after": a, "change": change, "better": better,
                    "before_period": str(before_p), "after_period": str(after_p)})
    return out

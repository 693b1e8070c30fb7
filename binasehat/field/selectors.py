"""Reads for the field pages, scoped to the user: the posyandu day, the month's suggested SKDN, the bidan's desa."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from binasehat.facilities.selectors import posyandu_for_user
from binasehat.families import rules as pispk
from binasehat.families.models import Member, Survey
from binasehat.families.selectors import families_for_user
from binasehat.growth import kbm
from binasehat.growth.models import Measurement
from binasehat.growth.selectors import children_for_user
from binasehat.posyandu.models import PosyanduMonth

from . import rules


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt


def under_five(children, on: dt.date):
    """Children aged 0–59 months on ``on`` (born on or before it, not yet five)."""
    try:
        five = on.replace(year=on.year - 5)
    except ValueError:  # 29 February
        five = on.replace(year=on.year - 5, day=28)
    return children.filter(birth_date__gt=five, birth_date__lte=on)


def posyandu_children(user, posyandu, q: str = ""):
    """The posyandu's children in the user's scope, searchable by the child's or the mother's name."""
    children = children_for_user(user).filter(posyandu=posyandu)
    if q:
        for word in q.split():
            children = children.filter(Q(name__icontains=word) | Q(mother_name__icontains=word))
    return children


def _visits(child_ids, until: dt.date):
    out: dict[int, list] = {}
    rows = (Measurement.objects.filter(child_id__in=list(child_ids), measured_on__lt=until)
            .order_by("child_id", "measured_on")
            .values_list("child_id", "measured_on", "weight_kg", "zwei"))
    for child_id, day, weight, zwei in rows:
        out.setdefault(child_id, []).append((day, float(weight) if weight is not None else None, zwei))
    return out


@dataclass
class ChildRow:
    child: object
    age_months: int
    weighed_this_month: bool
    weighed_last_month: bool
    code: str  # this month's N/T/O/B, "" when not weighed yet
    two_t: bool
    bgm: bool


def posyandu_day(user, posyandu, year: int, month: int, q: str = "") -> dict:
    """The posyandu day of ``year``-``month``: the children expected (0–59 months), who was not weighed last
    month, who is 2T or BGM (by their latest weighing up to this month), who is weighed already, and the monthly
    report's state."""
    first, nxt = month_bounds(year, month)
    children = list(under_five(posyandu_children(user, posyandu, q), first).order_by("name"))
    visits = _visits([c.pk for c in children], nxt)
    py, pm = previous_month(year, month)
    rows = []
    for child in children:
        series = rules.monthly_series(visits.get(child.pk, []))
        months = [(d.year, d.month) for d, _w, _z in series]
        codes = kbm.classify([(d, w) for d, w, _z in series], child.birth_date)
        this = (year, month) in months
        rows.append(ChildRow(
            child=child,
            age_months=kbm.months_between(child.birth_date, first),
            weighed_this_month=this,
            weighed_last_month=(py, pm) in months,
            code=codes[-1] if this else "",
            two_t=kbm.two_t(codes),
            bgm=bool(series) and series[-1][2] is not None and series[-1][2] < rules.BGM_Z,
        ))
    record = PosyanduMonth.objects.filter(posyandu=posyandu, month=first).first()
    return {
        "rows": rows,
        "expected": len(rows),
        "weighed": sum(r.weighed_this_month for r in rows),
        "not_weighed_last_month": [r for r in rows if not r.weighed_last_month],
        "two_t": [r for r in rows if r.two_t],
        "bgm": [r for r in rows if r.bgm],
        "record": record,
        "first": first,
    }


def month_figures(user, posyandu, year: int, month: int) -> tuple[rules.Skdn, bool]:
    """SKDN of the month from the individual weighings at ``posyandu`` (``rules.skdn``) and whether there were any."""
    first, nxt = month_bounds(year, month)
    weighed_ids = set(Measurement.objects.filter(
        posyandu=posyandu, measured_on__gte=first, measured_on__lt=nxt, weight_kg__isnull=False,
        child__in=children_for_user(user).values("pk")).values_list("child_id", flat=True))
    births = dict(children_for_user(user).filter(pk__in=weighed_ids).values_list("pk", "birth_date"))
    visits = _visits(weighed_ids, nxt)
    return rules.skdn({pk: (births[pk], visits.get(pk, [])) for pk in births}, year, month), bool(weighed_ids)


def computed_month_figures(user, posyandu, month: dt.date) -> dict[str, int]:
    """The monthly record's figures computed from the children's weighings (registered with
    ``posyandu.computed``): D, N, O, B, BGM, 2T; empty when nobody was weighed at the posyandu in the month."""
    figures, has_data = month_figures(user, posyandu, month.year, month.month)
    return figures.as_form() if has_data else {}


def skdn_suggestion(user, posyandu, year: int, month: int) -> dict:
    """Suggested figures of the monthly record from the individual weighings at ``posyandu`` in the month (see
    ``rules.skdn``), S and K carried over from last month's record, and the children registered aged 0–59 months."""
    first, _nxt = month_bounds(year, month)
    figures, has_data = month_figures(user, posyandu, year, month)
    py, pm = previous_month(year, month)
    last = PosyanduMonth.objects.filter(posyandu=posyandu, month=dt.date(py, pm, 1)).first()
    registered = under_five(children_for_user(user).filter(posyandu=posyandu), first).count()
    suggested = figures.as_form()
    if last is not None and last.s is not None:
        suggested["s"] = last.s
    if last is not None and last.k is not None:
        suggested["k"] = last.k
    return {"figures": figures, "suggested": suggested, "last": last, "registered": registered,
            "has_data": has_data}


@dataclass
class PosyanduState:
    posyandu: object
    record: object
    expected: int
    weighed: int

    @property
    def missing(self) -> list[str]:
        return [m for m in ("record",) if self.record is None]


def desa_overview(user, year: int, month: int) -> list[PosyanduState]:
    """For a bidan (or anyone with an area): each posyandu in scope, its report of the month and children weighed."""
    first, nxt = month_bounds(year, month)
    out = []
    records = {r.posyandu_id: r for r in PosyanduMonth.objects.filter(posyandu__in=posyandu_for_user(user),
                                                                       month=first)}
    for p in posyandu_for_user(user).order_by("desa__name", "name")[:200]:
        children = under_five(children_for_user(user).filter(posyandu=p), first)
        weighed = Measurement.objects.filter(posyandu=p, measured_on__gte=first, measured_on__lt=nxt,
                                             weight_kg__isnull=False).values("child").distinct().count()
        out.append(PosyanduState(posyandu=p, record=records.get(p.pk), expected=children.count(), weighed=weighed))
    return out


# --- PIS-PK family visit ---------------------------------------------------------------------------------------

def family_rows(family, on: dt.date):
    members = list(family.members.all())
    ages = {m.pk: pispk.age_months(m.birth_date, on) for m in members}
    has_baby = any(0 <= ages[m.pk] <= 11 for m in members)
    head = next((m for m in members if m.relation == Member.Relation.KEPALA), members[0] if members else None)
    rows = []
    for m in members:
        cells = [(i, rules.applicable(i, age_months=ages[m.pk], sex=m.sex, family_has_baby=has_baby,
                                      is_head=head is not None and m.pk == head.pk)) for i in range(1, 13)]
        rows.append((m, ages[m.pk], cells))
    return rows


def family_given(family) -> dict:
    """The answers of the family's latest visit: {(member id, indicator): letter}."""
    survey = Survey.objects.filter(family=family).order_by("-visited_on").first()
    given = {}
    if survey is not None:
        for a in survey.answers.all():
            for i, letter in enumerate(a.letters(), start=1):
                given[(a.member_id, i)] = letter
    return given


#: At most this many families are listed for a surveyor (and kept on the phone for offline visits).
SURVEYOR_FAMILIES = 300


def surveyor_families(user, limit: int = SURVEYOR_FAMILIES):
    """The families a PIS-PK surveyor visits: those assigned to the user (inside the user's scope; an assignment
    outside it shows nothing), or, with no assignment, the families of the user's area. Returns (families,
    assigned)."""
    scoped = families_for_user(user)
    assigned = scoped.filter(assignments__user=user)
    if assigned.exists():
        return list(assigned.order_by("desa__name", "rw", "rt", "head_name")[:limit]), True
    return list(scoped.order_by("desa__name", "rw", "rt", "head_name")[:limit]), False


def surveyors_for(actor):
    """The people ``actor`` may give families to visit: active bidan desa and puskesmas staff whose whole area lies
    inside the actor's (the actor included when it is one of them)."""
    from django.contrib.auth import get_user_model

    from binasehat.accounts import roles

    scope = actor.scope
    near = get_user_model().objects.filter(
        scope.region_q("areas__code") | scope.region_q("puskesmas__wilayah_kerja__code"),
        is_active=True, role__in=(roles.BIDAN_DESA, roles.PUSKESMAS)).distinct()
    people = []
    # The codes each person's scope is made of (as ``User.scope`` builds them), read with two prefetches instead of
    # two queries per person.
    for user in near.order_by("first_name", "username").prefetch_related("areas", "puskesmas__wilayah_kerja"):
        if roles.BINDING.get(user.role) == "puskesmas":
            codes = {r.code for p in user.puskesmas.all() for r in p.wilayah_kerja.all()}
        else:
            codes = {a.code for a in user.areas.all()}
        if codes and all(scope.covers(code) for code in codes):
            people.append(user)
    return people


def assignment_lists(actor, surveyor, *, desa: str = "", rw: str = "", q: str = ""):
    """For the assignment page: the surveyor's families (inside the actor's area) and the families the actor may
    still add, filtered by desa, RW and a head's name or No. KK."""
    from binasehat.core.listing import search
    from binasehat.families.selectors import families_for_user

    mine = families_for_user(actor)
    assigned = mine.filter(assignments__user=surveyor).order_by("desa__name", "rw", "rt", "head_name")
    candidates = families_for_user(surveyor).filter(pk__in=mine.values("pk")).exclude(assignments__user=surveyor)
    if desa:
        candidates = candidates.filter(desa__code=desa)
    if rw:
        candidates = candidates.filter(rw=rw)
    if q:
        candidates = search(candidates, q, ["head_name", "no_kk"])
    return assigned, candidates.order_by("desa__name", "rw", "rt", "head_name")

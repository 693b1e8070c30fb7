"""The PIS-PK family visit on a phone: register a family and its members, answer the 12 indicators, see the IKS."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from binasehat.core.scope import area_scoped, scope_of
from binasehat.facilities.selectors import desa_choices_for_user
from binasehat.families import rules as pispk
from binasehat.families import services as family_services
from binasehat.families.models import Member, Survey
from binasehat.families.selectors import families_for_user, family_get

from . import rules


def _date(text, default=None):
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return default


def _member_data(post, prefix="", relation=""):
    data = {"name": post.get(prefix + "name", "").strip(), "sex": post.get(prefix + "sex", ""),
            "birth_date": _date(post.get(prefix + "birth_date", "")), "relation": post.get(prefix + "relation") or relation,
            "nik": post.get(prefix + "nik", "").strip()}
    if not data["name"] or data["sex"] not in ("L", "P") or data["birth_date"] is None \
            or data["relation"] not in Member.Relation.values or data["birth_date"] > timezone.localdate():
        raise ValidationError({"member": "invalid"})
    return data


@area_scoped
def families(request):
    """Families in the user's area, searchable by head's name or No. KK, and the form for a new family."""
    q = request.GET.get("q", "").strip()
    found = families_for_user(request.user)
    if q:
        found = found.filter(Q(head_name__icontains=q) | Q(no_kk__startswith=q))
    errors = None
    if request.method == "POST":
        if not scope_of(request.user).can("posyandu.record"):
            raise PermissionDenied
        try:
            head = _member_data(request.POST, "head_", relation=Member.Relation.KEPALA)
        except ValidationError:
            errors = {"member": True}
        else:
            try:
                family = family_services.family_register(
                    actor=request.user, data={**request.POST.dict(), "desa_id": request.POST.get("desa"),
                                              "head_name": head["name"]},
                    members=[{**head, "relation": Member.Relation.KEPALA}])
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return redirect("field:family", pk=family.pk)
    return render(request, "field/families.html", {
        "families": found.order_by("head_name")[:50], "q": q, "errors": errors, "post": request.POST,
        "desa": desa_choices_for_user(request.user).order_by("name")[:300],
        "can_record": scope_of(request.user).can("posyandu.record"),
    })


def _rows(family, on: dt.date):
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


def _given(family) -> dict:
    """The answers of the family's latest visit: {(member id, indicator): letter}."""
    survey = Survey.objects.filter(family=family).order_by("-visited_on").first()
    given = {}
    if survey is not None:
        for a in survey.answers.all():
            for i, letter in enumerate(a.letters(), start=1):
                given[(a.member_id, i)] = letter
    return given


@area_scoped
def family(request, pk):
    """One family's visit: members, the 12 indicators per member where they apply, the IKS at once."""
    fam = family_get(request.user, pk)
    today = timezone.localdate()
    errors = None
    if request.method == "POST":
        if not scope_of(request.user).can("posyandu.record"):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "member":
                family_services.member_add(actor=request.user, family=fam, data=_member_data(request.POST))
            else:
                visited_on = _date(request.POST.get("visited_on"), today)
                if visited_on > today:
                    raise ValidationError("future")
                previous = _given(fam)
                sensitive = scope_of(request.user).can("sensitive.view")
                answers = {}
                for m, _age, cells in _rows(fam, visited_on):
                    answers[m.pk] = {}
                    for i, applies in cells:
                        value = request.POST.get(f"a{m.pk}_{i}", "") if applies else ("" if i in (11, 12) else "N")
                        if not sensitive and i in pispk.DIAGNOSIS and value == "":
                            value = previous.get((m.pk, i), "")  # not shown to this role: kept as it was
                        answers[m.pk][i] = value if value in ("Y", "T", "N") else ""
                family_services.family_visit_record(actor=request.user, family=fam, visited_on=visited_on,
                                                    answers=answers, surveyor=request.user.get_full_name())
        except ValidationError:
            errors = True
        else:
            return redirect("field:family", pk=fam.pk)
    survey = Survey.objects.filter(family=fam).order_by("-visited_on").first()
    sensitive = scope_of(request.user).can("sensitive.view")
    given = {k: v for k, v in _given(fam).items() if sensitive or k[1] not in pispk.DIAGNOSIS}
    rows = [(m, age, [(i, applies, given.get((m.pk, i), "")) for i, applies in cells])
            for m, age, cells in _rows(fam, today)]
    failing = [pispk.INDICATORS[i][1] for i, v in enumerate(survey.values)
               if v == "T" and (sensitive or i + 1 not in pispk.DIAGNOSIS)] if survey else []
    return render(request, "field/family.html", {
        "family": fam, "rows": rows, "survey": survey, "failing": failing, "errors": errors, "today": today,
        "indicators": pispk.INDICATORS, "relations": Member.Relation.choices,
        "category": pispk.CATEGORY_LABEL.get(survey.category, "") if survey else "",
        "can_record": scope_of(request.user).can("posyandu.record"),
        "sensitive": sensitive, "diagnosis": pispk.DIAGNOSIS,
    })

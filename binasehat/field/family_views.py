"""The PIS-PK family visit on a phone: register a family and its members, answer the 12 indicators, see the IKS."""

from __future__ import annotations

import datetime as dt
import uuid

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

from . import selectors, services


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
    """The families the user visits (assigned ones, else those of the user's area; kept offline by the service
    worker), searchable by head's name or No. KK, and the form for a new family."""
    q = request.GET.get("q", "").strip()
    if q:
        found = list(families_for_user(request.user).filter(Q(head_name__icontains=q) | Q(no_kk__startswith=q))
                     .order_by("head_name")[:50])
        assigned = None
    else:  # the surveyor's list, kept on the phone for visits without a connection
        found, assigned = selectors.surveyor_families(request.user)
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
        "families": found, "assigned": assigned, "q": q, "errors": errors, "post": request.POST,
        "desa": desa_choices_for_user(request.user).order_by("name")[:300],
        "can_record": scope_of(request.user).can("posyandu.record"),
        "can_assign": scope_of(request.user).can("followups.manage"),
    })


@area_scoped
def family(request, pk):
    """One family's visit: members, the 12 indicators per member where they apply, the IKS at once."""
    fam = family_get(request.user, pk)
    today = timezone.localdate()
    errors = None
    if request.method == "POST":
        if not scope_of(request.user).can("posyandu.record"):
            raise PermissionDenied
        if request.POST.get("action") == "member":
            try:
                family_services.member_add(actor=request.user, family=fam, data=_member_data(request.POST))
            except ValidationError:
                errors = True
            else:
                return redirect("field:family", pk=fam.pk)
        else:
            (outcome,) = services.entries_sync(actor=request.user, entries=[{
                "client_id": request.POST.get("client_id") or str(uuid.uuid4()), "kind": "family_visit", "base": False,
                "data": {**request.POST.dict(), "family": fam.pk}}])
            if outcome["status"] == "ok":
                return redirect("field:family", pk=fam.pk)
            errors = True
    survey = Survey.objects.filter(family=fam).order_by("-visited_on").first()
    sensitive = scope_of(request.user).can("sensitive.view")
    given = {k: v for k, v in selectors.family_given(fam).items() if sensitive or k[1] not in pispk.DIAGNOSIS}
    rows = [(m, age, [(i, applies, given.get((m.pk, i), "")) for i, applies in cells])
            for m, age, cells in selectors.family_rows(fam, today)]
    failing = [pispk.INDICATORS[i][1] for i, v in enumerate(survey.values)
               if v == "T" and (sensitive or i + 1 not in pispk.DIAGNOSIS)] if survey else []
    return render(request, "field/family.html", {
        "family": fam, "rows": rows, "survey": survey, "failing": failing, "errors": errors, "today": today,
        "indicators": pispk.INDICATORS, "relations": Member.Relation.choices,
        "category": pispk.CATEGORY_LABEL.get(survey.category, "") if survey else "",
        "can_record": scope_of(request.user).can("posyandu.record"),
        "sensitive": sensitive, "diagnosis": pispk.DIAGNOSIS, "client_id": uuid.uuid4(),
        "base": services.survey_signature(Survey.objects.filter(family=fam, visited_on=today).first()),
    })


@area_scoped(permission="followups.manage")
def assignments(request):
    """Hand out families to visit: choose a surveyor (bidan desa or puskesmas staff in the user's area), see the
    families on the surveyor's list and take some off, find families by desa, RW or name and add them."""
    from django.contrib import messages
    from django.http import Http404
    from django.utils.translation import gettext as _

    from binasehat.core.listing import paginate

    people = selectors.surveyors_for(request.user)
    chosen = request.POST.get("petugas") or request.GET.get("petugas") or ""
    surveyor = next((p for p in people if str(p.pk) == chosen), None)
    if chosen and surveyor is None:
        raise Http404
    if request.method == "POST" and surveyor is not None:
        add = [v for v in request.POST.getlist("tambah") if v.isdigit()]
        remove = [v for v in request.POST.getlist("lepas") if v.isdigit()]
        if not add and not remove:
            messages.warning(request, _("Belum ada keluarga yang dipilih."))
        else:
            try:
                total = services.family_assignments_change(actor=request.user, surveyor=surveyor, add=add,
                                                           remove=remove)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Tersimpan: %(added)d keluarga ditambahkan, %(removed)d dilepas; daftar "
                                            "%(name)s kini %(total)d keluarga.") % {
                    "added": len(add), "removed": len(remove), "name": surveyor.get_full_name() or surveyor.username,
                    "total": total})
        return redirect(request.get_full_path())
    context = {"people": people, "surveyor": surveyor, "limit": selectors.SURVEYOR_FAMILIES,
               "desa_list": desa_choices_for_user(request.user).order_by("name")[:300],
               "desa": request.GET.get("desa", ""), "rw": request.GET.get("rw", "").strip()[:3],
               "q": request.GET.get("q", "").strip()[:100]}
    if surveyor is not None:
        assigned, candidates = selectors.assignment_lists(request.user, surveyor, desa=context["desa"],
                                                          rw=context["rw"], q=context["q"])
        context.update(assigned=list(assigned), page=paginate(request, candidates, 50))
    return render(request, "field/assignments.html", context)

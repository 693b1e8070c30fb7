"""Action items (with the tracker export and overdue lists), coordination meetings and guidance visits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binasehat.accounts.models import Institution
from binasehat.core.audit import history_for
from binasehat.core.listing import paginate, search, xlsx_report
from binasehat.core.scope import area_scoped

from . import selectors, services
from .forms import ActionUpdateForm, AttendeeForm, DecisionForm, FindingForm, MeetingForm, VisitForm
from .models import ActionItem


def _form_errors(form) -> str:
    return " ".join(f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                    for k, v in form.errors.items())


def _filtered(request):
    qs = selectors.action_items(request.user)
    status = request.GET.get("status", "")
    if status == "terbuka":
        qs = qs.filter(status__in=ActionItem.OPEN)
    elif status == "terlambat":
        qs = qs.filter(status__in=ActionItem.OPEN, due__lt=timezone.localdate())
    elif status in ActionItem.Status.values:
        qs = qs.filter(status=status)
    institution = request.GET.get("lembaga", "")
    if institution.isdigit():
        qs = qs.filter(institution_id=int(institution))
    area = request.GET.get("wilayah", "")
    if area:
        qs = qs.filter(region__code__startswith=area)
    q = request.GET.get("q", "").strip()
    if q:
        qs = search(qs, q, ["decision", "owner_name", "institution__name", "region__name"])
    return qs.order_by("due", "pk"), status, institution, area


@area_scoped
def action_list(request):
    qs, status, institution, area = _filtered(request)
    if request.GET.get("format") == "xlsx":
        header = [_("Keputusan"), _("Rapat"), _("Wilayah"), _("Lembaga"), _("Penanggung jawab"), _("Tenggat"),
                  _("Status"), _("Terlambat"), _("Bukti")]
        rows = [[a.decision, str(a.meeting) if a.meeting else "", a.region.name, a.institution.name, a.owner_name,
                 a.due, a.get_status_display(), _("ya") if a.overdue else "", a.evidence]
                for a in qs]
        return xlsx_report(filename="pelacak-tindak-lanjut", sheet=_("Tindak lanjut"),
                           title=_("Pelacak tindak lanjut per lembaga"), header=header, rows=rows,
                           number_format="0")
    institutions = Institution.objects.filter(pk__in=selectors.action_items(request.user).values("institution"))
    return render(request, "followups/actions.html", {
        "page": paginate(request, qs), "status": status, "q": request.GET.get("q", ""), "institution": institution,
        "area": area,
        "statuses": ActionItem.Status.choices, "institutions": institutions,
        "summary": selectors.overdue_summary(request.user)})


@area_scoped
def action_detail(request, pk: int):
    item = selectors.action_for(request.user, pk)
    can_manage = request.user.can("followups.manage")
    stale = None
    if request.method == "POST":
        form = ActionUpdateForm(request.POST, request.FILES, can_manage=can_manage)
        if form.is_valid():
            try:
                services.action_update(actor=request.user, item=item, version=form.cleaned_data["version"],
                                       status=form.cleaned_data["status"], evidence=form.cleaned_data["evidence"],
                                       due=form.cleaned_data.get("due"), files=form.cleaned_data["files"])
            except services.StaleVersion as e:
                stale = e.current
                messages.error(request, _("Tindak lanjut ini sudah diubah oleh %(who)s sejak Anda membukanya: "
                                          "perubahan Anda belum disimpan. Periksa versi terbaru di bawah, lalu "
                                          "simpan lagi bila perlu.") % {
                                   "who": stale.updated_by.get_full_name() or stale.updated_by.username
                                   if stale.updated_by else _("orang lain")})
            except ValidationError as e:
                messages.error(request, " ".join(e.messages))
            else:
                messages.success(request, _("Tindak lanjut tersimpan."))
                return redirect("followups:action", item.pk)
        else:
            messages.error(request, _form_errors(form))
        item = selectors.action_for(request.user, pk)
        if stale is not None:
            form = ActionUpdateForm(can_manage=can_manage, initial={
                "version": item.version, "status": form.data.get("status"), "evidence": form.data.get("evidence"),
                "due": item.due})
    else:
        form = ActionUpdateForm(can_manage=can_manage, initial={"version": item.version, "status": item.status,
                                                                "evidence": item.evidence, "due": item.due})
    context = {"item": item, "form": form, "stale": stale, "files": item.files.all()}
    if request.user.can("audit.view"):
        context["history"] = history_for(item)[:50]
    return render(request, "followups/action.html", context)


@area_scoped
def evidence_file(request, pk: int):
    e = selectors.evidence_for(request.user, pk)
    return FileResponse(e.file.open("rb"), as_attachment=True, filename=e.name, content_type=e.content_type)


@area_scoped
def meeting_list(request):
    form = None
    if request.user.can("followups.manage"):
        form = MeetingForm(request.POST or None, user=request.user)
        if request.method == "POST":
            if form.is_valid():
                try:
                    m = services.meeting_record(actor=request.user, **form.cleaned_data)
                except ValidationError as e:
                    messages.error(request, " ".join(e.messages))
                else:
                    messages.success(request, _("Rapat tersimpan: tambahkan peserta dan keputusannya."))
                    return redirect("followups:meeting", m.pk)
            else:
                messages.error(request, _form_errors(form))
    return render(request, "followups/meetings.html", {
        "page": paginate(request, selectors.meetings(request.user).order_by("-date", "-pk")), "form": form})


@area_scoped
def meeting_detail(request, pk: int):
    m = selectors.meeting_for(request.user, pk)
    return render(request, "followups/meeting.html", {
        "m": m, "attendees": m.attendees.all(), "actions": m.actions.select_related("institution"),
        "can_manage": request.user.can("followups.manage"), "attendee_form": AttendeeForm(),
        "decision_form": DecisionForm(meeting=m)})


@area_scoped(permission="followups.manage")
@require_POST
def meeting_add(request, pk: int, what: str):
    m = selectors.meeting_for(request.user, pk)
    form = AttendeeForm(request.POST) if what == "peserta" else DecisionForm(request.POST, meeting=m)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("followups:meeting", m.pk)
    try:
        if what == "peserta":
            services.attendee_add(actor=request.user, meeting=m, **form.cleaned_data)
        else:
            services.decision_record(actor=request.user, meeting=m, **form.cleaned_data)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Tersimpan."))
    return redirect("followups:meeting", m.pk)


@area_scoped
def visit_list(request):
    form = None
    if request.user.can("followups.manage"):
        form = VisitForm(request.POST or None, user=request.user)
        if request.method == "POST":
            if form.is_valid():
                v = services.visit_record(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Kunjungan tersimpan: tambahkan temuan per posyandu."))
                return redirect("followups:visit", v.pk)
            messages.error(request, _form_errors(form))
    return render(request, "followups/visits.html", {
        "page": paginate(request, selectors.visits(request.user).order_by("-date", "-pk")), "form": form})


@area_scoped
def visit_detail(request, pk: int):
    v = selectors.visit_for(request.user, pk)
    form = FindingForm(request.POST or None, visit=v)
    if request.method == "POST":
        if not request.user.can("followups.manage"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                services.visit_finding_add(actor=request.user, visit=v, **form.cleaned_data)
            except ValidationError as e:
                messages.error(request, " ".join(e.messages))
            else:
                messages.success(request, _("Temuan tersimpan."))
                return redirect("followups:visit", v.pk)
        else:
            messages.error(request, _form_errors(form))
    return render(request, "followups/visit.html", {
        "v": v, "findings": v.findings_per_posyandu.select_related("posyandu"), "form": form,
        "can_manage": request.user.can("followups.manage")})

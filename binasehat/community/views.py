"""Desa Siaga pages (results per desa with every criterion, entry of the entered inputs, district report) and the
KKS instrument (self-assessment per OPD, submission, province and national verification, exports)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binasehat.core.listing import pdf_response
from binasehat.core.scope import area_scoped, get_in_scope_or_404, scope_of
from binasehat.regions.models import Region
from binasehat.regions.selectors import region_get

from . import exports, rules, selectors, services
from .forms import KksAnswerForm, KksBasicForm, KksVerifierForm, SiagaInputForm
from .models import KksAssessment, KksRound, SiagaInput

STRATA_COLOURS = {"Pratama": "#dc2626", "Madya": "#eab308", "Purnama": "#16a34a", "Mandiri": "#2563eb", "": "#9ca3af"}


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        year = today.year - 1
    return min(max(year, 2010), today.year)


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, 2019, -1))


def _no_kader(request):
    if scope_of(request.user).posyandu_ids is not None or scope_of(request.user).role == "opd":
        raise Http404


# --- Desa Siaga ------------------------------------------------------------------------------------------------

@area_scoped
def siaga_list(request):
    _no_kader(request)
    year = _year(request)
    code = request.GET.get("wilayah", "").strip()
    region = region_get(request.user, code) if code else None
    rows = selectors.siaga_results(request.user, year, region.code if region else None)
    recap, total = selectors.siaga_recap(rows)
    _definition, _params, described = selectors.siaga_parameters()
    context = {
        "year": year, "years": _years(), "region": region, "rows": rows, "recap": recap, "total": total,
        "strata": rules.STRATA, "colours": STRATA_COLOURS, "target": rules.SIAGA_TARGET, "parameters": described,
        "generated": timezone.localtime(), "can_configure": scope_of(request.user).can("indicators.manage"),
        "unserved": selectors.siaga_unserved_districts(request.user),
    }
    fmt = request.GET.get("format")
    filename = f"desa-siaga-{region.code if region else 'semua'}-{year}"
    if fmt == "xlsx":
        return exports.siaga_xlsx(context, filename)
    if fmt == "pdf":
        return pdf_response(request, "community/siaga_pdf.html", context, filename)
    return render(request, "community/siaga_list.html", context)


@area_scoped(permission="indicators.manage")
@require_POST
def siaga_parameters(request):
    """Set the disputed cells of the Desa Siaga rule set (audited); values only from each parameter's choices."""
    _no_kader(request)
    _definition, _params, described = selectors.siaga_parameters()
    for key, p in described.items():
        raw = request.POST.get(key)
        if raw is None or raw == str(p["value"]):
            continue
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value not in p.get("choices", []):
            messages.error(request, _("Nilai tidak sah untuk %(label)s.") % {"label": p["label"]})
            continue
        services.rule_parameter_set(actor=request.user, key=key, value=value)
        messages.success(request, _("%(label)s diubah menjadi %(value)s.") % {"label": p["label"], "value": value})
    return redirect(reverse("community:siaga") + f"?tahun={_year(request)}")


def _siaga_row(request, code: str, year: int):
    _no_kader(request)
    desa = get_in_scope_or_404(selectors.siaga_desa_for_user(request.user), code=code)
    return desa, selectors.siaga_compute([desa], year)[0]


def _cell_text(key: str, cell: dict | None) -> str:
    """One cell of the rule table as a user reads it: "≥ 3", "≥ triwulanan", "ya"."""
    if not cell:
        return ""
    value = cell["value"]
    if cell["op"] == "is":
        return _("ya") if value else _("tidak")
    if key == "forum":
        value = rules.FORUM_LEVELS[int(value)]
    elif key == "peraturan":
        value = rules.PERATURAN_LEVELS[int(value)]
    sign = {">=": "≥", "<=": "≤"}.get(cell["op"], cell["op"])
    return f"{sign} {value}"


@area_scoped
def siaga_desa(request, code):
    year = _year(request)
    desa, row = _siaga_row(request, code, year)
    definition, _params, described = selectors.siaga_parameters()
    labels = definition["indicators"]
    cells = {level["key"]: {c["indicator"]: c for c in level["criteria"]} for level in definition["levels"]}
    criteria = [{
        "key": key, "label": labels[key]["label"], "unit": labels[key]["unit"], "value": row.value_text(key),
        "source": row.sources.get(key, ""), "level": row.levels.get(key),
        "cells": [_cell_text(key, cells[s].get(key)) for s in rules.STRATA],
    } for key in rules.CRITERIA]
    for m in row.missing:
        m["text"] = _cell_text(m["indicator"], m)
        m["actual_text"] = row.value_text(m["indicator"]) or "—"
    return render(request, "community/siaga_desa.html", {
        "desa": desa, "row": row, "year": year, "years": _years(), "criteria": criteria, "strata": rules.STRATA,
        "parameters": described, "colours": STRATA_COLOURS,
        "can_edit": scope_of(request.user).can("siaga.enter"),
    })


@area_scoped(permission="siaga.enter")
def siaga_edit(request, code):
    year = _year(request)
    desa, _row = _siaga_row(request, code, year)
    instance = SiagaInput.objects.filter(desa=desa, year=year).first()
    form = SiagaInputForm(request.POST or None, instance=instance or SiagaInput(desa=desa, year=year))
    if request.method == "POST" and form.is_valid():
        try:
            services.siaga_input_save(actor=request.user, desa=desa, year=year,
                                      data={k: form.cleaned_data[k] for k in form.Meta.fields})
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, _("Masukan Desa Siaga tersimpan."))
            return redirect(reverse("community:siaga_desa", args=[desa.code]) + f"?tahun={year}")
    return render(request, "community/siaga_form.html", {"desa": desa, "year": year, "form": form})


# --- KKS -------------------------------------------------------------------------------------------------------

@area_scoped
def kks_index(request):
    scope = scope_of(request.user)
    assessments = selectors.kks_assessments_for_user(request.user).order_by("-round__year", "district__code")
    districts = []
    if scope.can("kks.submit"):
        districts = Region.objects.filter(level=2).filter(scope.region_q("code")).order_by("code")[:50]
    return render(request, "community/kks_index.html", {
        "assessments": assessments, "rounds": KksRound.objects.all(), "districts": districts,
    })


@area_scoped(permission="kks.submit")
@require_POST
def kks_start(request):
    try:
        rnd = KksRound.objects.get(pk=request.POST.get("round"))
    except (KksRound.DoesNotExist, ValueError):
        raise Http404 from None
    district = region_get(request.user, request.POST.get("district", ""))
    if district.level != 2:
        raise Http404
    assessment = services.kks_assessment_start(actor=request.user, round=rnd, district=district)
    return redirect("community:kks_detail", pk=assessment.pk)


def _overview(request, assessment):
    answers = list(selectors.kks_answers_for_user(request.user, assessment))
    for a in answers:
        a.prefill = selectors.kks_answer_prefill(a)
    tatanan, result = selectors.kks_overview(assessment, answers)
    return answers, tatanan, result


@area_scoped
def kks_detail(request, pk):
    assessment = selectors.kks_assessment_get(request.user, pk)
    _answers, tatanan, result = _overview(request, assessment)
    scope = scope_of(request.user)
    return render(request, "community/kks_detail.html", {
        "assessment": assessment, "round": assessment.round, "tatanan": tatanan, "result": result,
        "can_submit": scope.can("kks.submit") and assessment.status == KksAssessment.DRAFT,
        "can_verify_province": scope.can("kks.verify_province") and assessment.status == KksAssessment.SUBMITTED,
        "can_verify_national": scope.can("kks.verify_national") and assessment.status == KksAssessment.PROVINCE,
        "can_basic": scope.can("kks.submit") and assessment.status == KksAssessment.DRAFT,
        "basic_form": KksBasicForm(initial={"odf_percent": assessment.odf_percent}),
        "documents": [(d, (assessment.basic_documents or {}).get(d["key"], {})) for d in assessment.round.basic_documents],
        "is_opd": scope.role == "opd",
    })


STEPS = {
    "ajukan": services.kks_submit,
    "verifikasi-provinsi": services.kks_verify_province,
    "verifikasi-nasional": services.kks_verify_national,
}


@area_scoped
@require_POST
def kks_step(request, pk, step):
    assessment = selectors.kks_assessment_get(request.user, pk)
    action = STEPS.get(step)
    if action is None:
        raise Http404
    try:
        action(actor=request.user, assessment=assessment)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status penilaian diperbarui."))
    return redirect("community:kks_detail", pk=assessment.pk)


@area_scoped(permission="kks.submit")
@require_POST
def kks_basic(request, pk):
    assessment = selectors.kks_assessment_get(request.user, pk)
    form = KksBasicForm(request.POST)
    if form.is_valid():
        docs = {d["key"]: {"ada": request.POST.get(f"doc_{d['key']}") == "on",
                           "nomor": request.POST.get(f"nomor_{d['key']}", "")[:100]}
                for d in assessment.round.basic_documents}
        try:
            services.kks_basic_save(actor=request.user, assessment=assessment,
                                    odf_percent=form.cleaned_data["odf_percent"], documents=docs)
            messages.success(request, _("Syarat dasar tersimpan."))
        except (services.WorkflowError, ValidationError) as exc:
            messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    else:
        messages.error(request, _("ODF harus antara 0 dan 100 %."))
    return redirect("community:kks_detail", pk=assessment.pk)


@area_scoped
def kks_answer(request, pk):
    answer = selectors.kks_answer_get(request.user, pk)
    assessment = answer.assessment
    scope = scope_of(request.user)
    editable = assessment.status == KksAssessment.DRAFT and scope.can("kks.fill")
    verifying = assessment.status == KksAssessment.SUBMITTED and scope.can("kks.verify_province")
    form = KksAnswerForm(request.POST or None, request.FILES or None, indicator=answer.indicator, initial={
        "value": answer.value, "notes": answer.notes, "evidence_link": answer.evidence_link})
    vform = KksVerifierForm(request.POST or None, indicator=answer.indicator, initial={
        "verifier_value": answer.verifier_value, "verifier_comment": answer.verifier_comment})
    if request.method == "POST":
        try:
            if verifying and "verifier" in request.POST:
                if vform.is_valid():
                    services.kks_verifier_save(actor=request.user, answer=answer,
                                               value=vform.cleaned_data["verifier_value"],
                                               comment=vform.cleaned_data["verifier_comment"])
                    messages.success(request, _("Nilai verifikator tersimpan."))
                    return redirect("community:kks_detail", pk=assessment.pk)
            elif editable and form.is_valid():
                services.kks_answer_save(actor=request.user, answer=answer, value=form.cleaned_data["value"],
                                         notes=form.cleaned_data["notes"],
                                         evidence_link=form.cleaned_data["evidence_link"])
                if form.cleaned_data.get("evidence_file"):
                    services.kks_evidence_add(actor=request.user, answer=answer,
                                              upload=form.cleaned_data["evidence_file"])
                messages.success(request, _("Penilaian indikator tersimpan."))
                return redirect("community:kks_detail", pk=assessment.pk)
            elif not editable and not verifying:
                raise services.WorkflowError(_("Penilaian ini tidak dapat diubah pada status sekarang."))
        except (services.WorkflowError, ValidationError, PermissionDenied) as exc:
            text = exc.messages[0] if hasattr(exc, "messages") else str(exc)
            (form if not verifying else vform).add_error(None, text)
    owners = selectors.institutions_for(assessment.district_id) if (
        scope.can("kks.submit") and assessment.status == KksAssessment.DRAFT) else []
    return render(request, "community/kks_answer.html", {
        "answer": answer, "assessment": assessment, "form": form, "vform": vform, "editable": editable,
        "verifying": verifying, "prefill": selectors.kks_answer_prefill(answer), "owners": owners,
        "evidence": answer.evidence.all(),
    })


@area_scoped(permission="kks.submit")
@require_POST
def kks_owner(request, pk):
    answer = selectors.kks_answer_get(request.user, pk)
    owner = None
    if request.POST.get("owner"):
        owner = get_in_scope_or_404(selectors.institutions_for(answer.assessment.district_id),
                                    pk=request.POST.get("owner"))
    try:
        services.kks_owner_set(actor=request.user, answer=answer, owner=owner)
        messages.success(request, _("OPD penanggung jawab tersimpan."))
    except (services.WorkflowError, ValidationError) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    return redirect("community:kks_answer", pk=answer.pk)


@area_scoped
def kks_evidence(request, pk):
    evidence = selectors.kks_evidence_get(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                        content_type=evidence.content_type)


@area_scoped
def kks_export(request, pk):
    assessment = selectors.kks_assessment_get(request.user, pk)
    answers, tatanan, result = _overview(request, assessment)
    filename = f"kks-{assessment.round.year}-{assessment.district_id}"
    if request.GET.get("format") == "pdf":
        return pdf_response(request, "community/kks_pdf.html", {
            "assessment": assessment, "round": assessment.round, "tatanan": tatanan, "result": result,
            "generated": timezone.localtime()}, filename)
    return exports.kks_xlsx(request, assessment, tatanan, result, filename)

"""Risk areas: ranked list with map, per-area explanation, rule set, designations and their plans."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binasehat.core.formatting import date_text
from binasehat.core.listing import paginate, pdf_response, xlsx_report
from binasehat.core.scope import area_scoped, scope_of
from binasehat.regions.models import Region
from binasehat.reports import maps
from binasehat.reports.models import Boundary

from . import selectors, services
from .forms import ActivityForm, DesignationForm, EndForm, ProblemForm, ProgressForm, RuleItemForm
from .loading import current_ruleset
from .models import Designation, RuleItem

FIRST_YEAR = 2020


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        year = today.year - 1
    return min(max(year, FIRST_YEAR), today.year)


def _years():
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def risk_map(rows, year: int) -> dict | None:
    """The desa of ``rows`` coloured by score (red: highest risk) on the uploaded boundaries, as the shared map
    partial (``reports/_map.html``) draws it: legend by class, names where they fit, tap panel, table."""
    from .templatetags.risk import score

    by_code = {r.code: r for r in rows}
    boundaries = Boundary.objects.filter(region_id__in=list(by_code)).select_related("region").order_by("region_id")
    details = {c: _("skor %(score)s, peringkat %(rank)s dari %(n)s") % {"score": score(r.score), "rank": r.rank,
                                                                       "n": len(rows)}
               for c, r in by_code.items()}
    return maps.value_map(boundaries, {c: r.score for c, r in by_code.items()}, details,
                          measure=maps.MapMeasure(_("Skor wilayah berisiko")), year=year, direction="down",
                          text=score) or None


def _rows_xlsx(rows, area, year):
    header = [_("Peringkat kabupaten"), _("Peringkat wilayah kerja"), _("Kode"), _("Desa/kelurahan"),
              _("Puskesmas"), _("Skor"), _("Skor tahun lalu"), _("Gagal"), _("Tanpa data")]
    data = [[r.rank, r.rank_puskesmas, r.code, r.name, r.puskesmas_name, float(r.score),
             None if r.previous is None else float(r.previous.score), "; ".join(r.result.failed),
             "; ".join(r.result.no_data)] for r in rows]
    return xlsx_report(filename=f"wilayah-berisiko-{area.code}-{year}", sheet=str(year),
                       title=_("Skor wilayah berisiko %(area)s %(year)s") % {"area": area.name, "year": year},
                       header=header, rows=data, number_format="0.##",
                       note=_("Skor = jumlah bobot indikator yang tidak memenuhi ambang; indikator tanpa data tidak "
                              "dihitung."))


@area_scoped
def ranked_list(request):
    area = selectors.area_for(request.user, request.GET.get("wilayah"))
    year = _year(request)
    rows = selectors.ranked(request.user, area, year)
    if request.GET.get("format") == "xlsx":
        return _rows_xlsx(rows, area, year)
    ruleset = current_ruleset()
    designated = set(Designation.objects.filter(region_id__in=[r.code for r in rows], year__in=[year, year + 1],
                                                ended_on__isnull=True).values_list("region_id", flat=True))
    areas = Region.objects.filter(scope_of(request.user).region_q("code"), level__in=[2, 3]).order_by("code") \
        if not scope_of(request.user).everything else Region.objects.filter(level__in=[2, 3], code__startswith=
                                                                             area.code[:5]).order_by("code")
    return render(request, "risk/list.html", {
        "area": area, "year": year, "years": _years(), "rows": rows, "ruleset": ruleset,
        "items": ruleset.items.filter(active=True).select_related("indicator"), "map": risk_map(rows, year),
        "designated": designated, "areas": areas})


@area_scoped
def explanation(request, code: str, year: int):
    result = selectors.area_result(request.user, code, year)
    region = Region.objects.select_related("parent").get(code=code)
    ruleset = current_ruleset()
    form = DesignationForm(initial={"year": year + 1})
    existing = selectors.designations(request.user).filter(region=region)
    return render(request, "risk/explanation.html", {
        "r": result, "region": region, "year": year, "ruleset": ruleset, "form": form,
        "existing": existing, "can_plan": request.user.can("risk.plan")})


@area_scoped(permission="risk.plan")
@require_POST
def designate(request, code: str, year: int):
    result = selectors.area_result(request.user, code, year)
    form = DesignationForm(request.POST)
    if form.is_valid():
        try:
            d = services.designation_create(actor=request.user, region=Region.objects.get(code=result.code),
                                            year=form.cleaned_data["year"], score_year=year,
                                            decided_on=form.cleaned_data["decided_on"],
                                            reason=form.cleaned_data["reason"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("%(name)s ditetapkan sebagai wilayah berisiko %(year)s.") % {
                "name": result.name, "year": d.year})
            return redirect("risk:plan", d.pk)
    else:
        messages.error(request, _("Periksa isian keputusan."))
    return redirect("risk:explanation", code, year)


@area_scoped
def ruleset_page(request):
    ruleset = current_ruleset()
    items = list(ruleset.items.select_related("indicator"))
    can_edit = request.user.can("risk.rules")
    if request.method == "POST":
        if not can_edit:
            raise Http404
        item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        if item is None:
            raise Http404
        form = RuleItemForm(request.POST, prefix=f"i{item.pk}")
        if form.is_valid():
            try:
                services.ruleset_item_update(actor=request.user, item=item, **form.cleaned_data)
            except ValidationError as e:
                messages.error(request, " ".join(e.messages))
            else:
                messages.success(request, _("Aturan %(code)s tersimpan.") % {"code": item.code})
            return redirect("risk:ruleset")
        messages.error(request, _("Periksa isian aturan."))
    forms = []
    for i in items:
        form = RuleItemForm(prefix=f"i{i.pk}", initial={"op": i.op, "threshold": i.threshold, "weight": i.weight,
                                                        "active": i.active, "note": i.note})
        for field in form.fields.values():  # the row's inputs belong to the form in its last cell
            field.widget.attrs["form"] = f"rule-form-{i.pk}"
        forms.append((i, form))
    from binasehat.core.models import AuditEntry

    history = AuditEntry.objects.filter(model=RuleItem._meta.label_lower).order_by("-pk")[:20]
    return render(request, "risk/ruleset.html", {"ruleset": ruleset, "forms": forms, "can_edit": can_edit,
                                                 "history": history})


@area_scoped
def designation_list(request):
    qs = selectors.designations(request.user).order_by("-year", "region__code")
    page = paginate(request, qs)
    return render(request, "risk/designations.html", {"designations": page.object_list, "page": page,
                                                       "partner": selectors.is_partner(request.user)})


def _plan_context(request, d: Designation) -> dict:
    activities = list(selectors.activities(request.user, d).prefetch_related("notes__attachments", "actions"))
    problems = list(d.problems.select_related("indicator"))
    partner = selectors.is_partner(request.user)
    if partner:
        problems = [p for p in problems if any(a.problem_id == p.pk for a in activities)]
    codes = [p.indicator.code for p in problems] or [c["code"] for c in d.score_snapshot.get("checks", [])
                                                      if c.get("failed")]
    ruleset = current_ruleset()
    indicator_of = {i.code: i.indicator.code for i in ruleset.items.select_related("indicator")}
    codes = [indicator_of.get(c, c) for c in codes]
    return {"d": d, "activities": activities, "problems": problems, "partner": partner,
            "evaluation": selectors.before_after(d, codes, timezone.localdate().year),
            "can_plan": request.user.can("risk.plan") and not partner,
            "snapshot_items": {i.code: i for i in ruleset.items.select_related("indicator")}}


@area_scoped
def plan(request, pk: int):
    d = selectors.designation_for(request.user, pk)
    ctx = _plan_context(request, d)
    ctx.update({"problem_form": ProblemForm(), "activity_form": ActivityForm(designation=d), "end_form": EndForm(),
                "progress_form": ProgressForm()})
    return render(request, "risk/plan.html", ctx)


@area_scoped(permission="risk.plan")
@require_POST
def plan_change(request, pk: int, what: str):
    d = selectors.designation_for(request.user, pk)
    try:
        if what == "masalah":
            form = ProblemForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Periksa isian masalah."))
            services.problem_add(actor=request.user, designation=d, **form.cleaned_data)
        elif what == "kegiatan":
            form = ActivityForm(request.POST, designation=d)
            if not form.is_valid():
                raise ValidationError([f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                       for k, v in form.errors.items()])
            services.activity_save(actor=request.user, designation=d, **form.cleaned_data)
        elif what == "akhiri":
            form = EndForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Periksa isian keputusan."))
            services.designation_end(actor=request.user, designation=d, ended_on=form.cleaned_data["ended_on"],
                                     reason=form.cleaned_data["reason"])
        else:
            raise Http404
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Tersimpan."))
    return redirect("risk:plan", d.pk)


@area_scoped
@require_POST
def activity_progress(request, pk: int):
    activity = selectors.activity_for(request.user, pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(v) for v in form.errors.values()))
        return redirect("risk:plan", activity.designation_id)
    try:
        services.activity_progress(actor=request.user, activity=activity, date=form.cleaned_data["date"],
                                   text=form.cleaned_data["text"], status=form.cleaned_data["status"],
                                   files=form.cleaned_data["files"])
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Catatan kemajuan tersimpan."))
    return redirect("risk:plan", activity.designation_id)


@area_scoped
def attachment(request, pk: int):
    a = selectors.attachment_for(request.user, pk)
    return FileResponse(a.file.open("rb"), as_attachment=True, filename=a.name, content_type=a.content_type)


@area_scoped
def plan_pdf(request, pk: int):
    d = selectors.designation_for(request.user, pk)
    ctx = _plan_context(request, d)
    rows = []
    if not ctx["partner"]:  # the kecamatan around the area, coloured by score (aggregates only)
        from .scoring import district_of, district_scores

        kecamatan = d.region.parent_id
        rows = [r for c, r in district_scores(district_of(d.region_id), d.score_snapshot.get("year", d.year - 1))
                .items() if c.startswith(kecamatan + ".")]
    map_year = d.score_snapshot.get("year", d.year - 1)
    ctx.update({"map": risk_map(rows, map_year) if rows else None, "generated": timezone.localtime()})
    return pdf_response(request, "risk/plan_pdf.html", ctx, f"wilayah-berisiko-{d.region_id}-{d.year}")


@area_scoped
def plan_xlsx(request, pk: int):
    d = selectors.designation_for(request.user, pk)
    ctx = _plan_context(request, d)
    header = [_("Masalah (indikator)"), _("Kegiatan"), _("Program"), _("Sektor mitra"), _("Lembaga"),
              _("Penanggung jawab"), _("Anggaran (Rp)"), _("Sumber dana"), _("Mulai"), _("Selesai"), _("Status"),
              _("Catatan terakhir")]
    rows = []
    for a in ctx["activities"]:
        last = a.notes.all()[0] if a.notes.all() else None
        rows.append([a.problem.indicator.code if a.problem else "", a.title, a.get_programme_display(),
                     a.get_partner_kind_display(), a.institution.name if a.institution else "", a.responsible,
                     float(a.budget) if a.budget is not None else None, a.get_funding_display(),
                     a.start, a.end, a.get_status_display(),
                     f"{date_text(last.date, short=True)}: {last.text}" if last else ""])
    return xlsx_report(filename=f"rencana-{d.region_id}-{d.year}", sheet=str(d.year),
                       title=_("Rencana intervensi %(name)s %(year)s") % {"name": d.region.name, "year": d.year},
                       header=header, rows=rows, number_format="#,##0")

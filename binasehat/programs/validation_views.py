"""The validation page: violations of validation rules and outliers, filtered, paginated, exported, re-run and
followed up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from binasehat.core.listing import Column, export_response, paginate, wants_export
from binasehat.core.periods import Period, PeriodError
from binasehat.core.scope import area_scoped, get_in_scope_or_404, scope_of

from . import validation
from .models import DataSet, ValidationResult, ValidationRule
from .validation_rules import OPERATOR_SYMBOLS

METHOD_LABELS = {"z": gettext_lazy("skor z"), "modified_z": gettext_lazy("skor z termodifikasi (median/MAD)"),
                 "minmax": gettext_lazy("batas min–maks")}


def unit_name(r: ValidationResult) -> str:
    return r.puskesmas.name if r.puskesmas_id else r.region.name


def _code(r: ValidationResult) -> str:
    return r.rule.code if r.rule_id else r.element.code


def _name(r: ValidationResult) -> str:
    return r.rule.display_name if r.rule_id else r.element.display_name


def _operator(r: ValidationResult) -> str:
    return OPERATOR_SYMBOLS.get(r.rule.operator, "") if r.rule_id else ""


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


COLUMNS = [
    Column("period", gettext_lazy("Periode")),
    Column("org_unit", gettext_lazy("Kode unit")),
    Column("unit", gettext_lazy("Unit"), unit_name),
    Column("kind", gettext_lazy("Jenis"), lambda r: r.get_kind_display()),
    Column("code", gettext_lazy("Kode aturan/elemen"), _code),
    Column("name", gettext_lazy("Nama"), _name),
    Column("importance", gettext_lazy("Tingkat"), lambda r: r.get_importance_display()),
    Column("method", gettext_lazy("Metode"), lambda r: str(METHOD_LABELS.get(r.method, ""))),
    Column("left_value", gettext_lazy("Ruas kiri / nilai")),
    Column("operator", gettext_lazy("Operator"), _operator),
    Column("right_value", gettext_lazy("Ruas kanan / rata-rata atau median")),
    Column("score", gettext_lazy("Skor")),
    Column("lower_bound", gettext_lazy("Batas bawah")),
    Column("upper_bound", gettext_lazy("Batas atas")),
    Column("status", gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column("note", gettext_lazy("Catatan tindak lanjut")),
    Column("followed_up_by", gettext_lazy("Ditindaklanjuti oleh"),
           lambda r: r.followed_up_by.username if r.followed_up_by_id else ""),
    Column("followed_up_at", gettext_lazy("Ditindaklanjuti pada"), lambda r: _local(r.followed_up_at)),
]


def _default_period() -> Period:
    return Period.of_date(timezone.localdate()).previous()


@area_scoped
def index(request):
    get = request.GET
    filters = {"data_set": get.get("data_set", "").strip(), "importance": get.get("tingkat", "").strip(),
               "status": get.get("status", "").strip(), "kind": get.get("jenis", "").strip(),
               "area": get.get("wilayah", "").strip()}
    period_text, period = get.get("periode", "").strip(), None
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError as e:
            messages.error(request, str(e))
    results = validation.results_for(request.user, period=period, **filters)
    if fmt := wants_export(request):
        return export_response(fmt, "validasi-data-program", COLUMNS, results.iterator(chunk_size=2000))
    page = paginate(request, results)
    for r in page.object_list:
        r.unit_name, r.code, r.operator_symbol = unit_name(r), _code(r), _operator(r)
        r.method_label = METHOD_LABELS.get(r.method, "")
    return render(request, "programs/validation.html", {
        "page": page, "filters": filters, "periode": period_text,
        "data_sets": DataSet.objects.all(),
        "importances": ValidationRule.Importance.choices, "statuses": ValidationResult.Status.choices,
        "kinds": ValidationResult.Kind.choices, "methods": list(METHOD_LABELS.items()),
        "can_run": scope_of(request.user).can("programs.enter"),
        "run_period": period_text or str(_default_period()),
        "here": request.get_full_path(),
    })


def _back(request, default_query: dict | None = None):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    url = reverse("validation:index")
    return redirect(f"{url}?{urlencode(default_query)}" if default_query else url)


@area_scoped(permission="programs.enter")
@require_POST
def run(request):
    post = request.POST
    try:
        period = Period.parse(post.get("periode", ""))
    except PeriodError as e:
        messages.error(request, str(e))
        return _back(request)
    data_set = post.get("data_set", "").strip() or None
    if data_set and not DataSet.objects.filter(code=data_set).exists():
        messages.error(request, _("Kumpulan data tidak dikenal: %(code)s") % {"code": data_set})
        return _back(request)
    method = post.get("metode", "z")
    if method not in validation.METHODS:
        method = "z"
    summary = validation.validation_run(actor=request.user, periods=[period], data_set=data_set,
                                        area=post.get("wilayah", "").strip() or None,
                                        with_outliers=bool(post.get("pencilan")), method=method)
    messages.success(request, _("Validasi %(period)s selesai: %(rules)s pelanggaran aturan, %(outliers)s pencilan "
                                "(%(new)s baru, %(gone)s sudah tidak ada).") % {
        "period": period, "rules": len(summary.violations), "outliers": len(summary.outliers),
        "new": summary.created, "gone": summary.removed})
    query = {"periode": str(period)}
    if data_set:
        query["data_set"] = data_set
    return redirect(f"{reverse('validation:index')}?{urlencode(query)}")


@area_scoped(permission="programs.enter")
@require_POST
def follow_up(request, pk: int):
    result = get_in_scope_or_404(validation.results_for(request.user), pk=pk)
    try:
        validation.result_follow_up(actor=request.user, result=result, note=request.POST.get("note", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Ditandai sudah ditindaklanjuti."))
    return _back(request)


# --- the rules themselves (settings the district owns) -------------------------------------------------------

def _rule_form_save(request, form, rule):
    from binasehat.core import district_settings

    from .services import RULE_FIELDS, validation_rule_save

    data = {k: v for k, v in form.cleaned_data.items() if k in RULE_FIELDS}
    try:
        saved = validation_rule_save(actor=request.user, rule=rule, code=form.cleaned_data.get("code", ""),
                                     data=data, version=request.POST.get("version"))
    except district_settings.VersionConflict as e:
        messages.error(request, str(e))
        return redirect("validation:rule_edit", rule.pk) if rule else None
    except ValidationError as e:
        if hasattr(e, "error_dict"):
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, e.messages)
        return None
    messages.success(request, _("Aturan %(code)s tersimpan; hasil validasinya dihitung ulang.") % {"code": saved.code})
    return redirect("validation:rules")


@area_scoped(permission="indicators.manage")
def rules(request):
    from binasehat.core import district_settings

    return render(request, "programs/validation_rules.html", {
        "rules": ValidationRule.objects.all(), "operators": OPERATOR_SYMBOLS,
        "can_change": district_settings.may_change(request.user)})


@area_scoped(permission="indicators.manage")
def rule_edit(request, pk: int | None = None):
    from binasehat.core import district_settings
    from binasehat.core.audit import history_for

    from .forms import ValidationRuleForm
    from .services import rule_version

    rule = ValidationRule.objects.filter(pk=pk).first() if pk is not None else None
    if pk is not None and rule is None:
        from django.http import Http404

        raise Http404
    can_change = district_settings.may_change(request.user)
    form = ValidationRuleForm(request.POST or None, instance=ValidationRule() if rule is None else
                              ValidationRule.objects.get(pk=rule.pk))
    if request.method == "POST":
        if not can_change:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            response = _rule_form_save(request, form, rule)
            if response is not None:
                return response
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "programs/validation_rule_form.html", {
        "rule": rule, "form": form, "version": rule_version(rule) if rule else "", "can_change": can_change,
        "history": history_for(rule)[:20] if rule else None})

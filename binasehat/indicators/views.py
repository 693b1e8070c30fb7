"""Settings the district owns, in the app: the hub listing them, and the indicators' district targets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from binasehat.core import district_settings
from binasehat.core.audit import history_for
from binasehat.core.scope import area_scoped

from . import services
from .forms import TargetFormSet
from .models import Indicator

PERMISSION = district_settings.PERMISSION


@area_scoped(permission=PERMISSION)
def index(request):
    """What the district may set in the app, and the national rules it reads (read-only)."""
    from binasehat.assessments.loading import current, load_rulesets
    from binasehat.assessments.services import RULESETS

    if not current(RULESETS[0]):
        load_rulesets()
    rulesets = [rs for rs in (current(code) for code in RULESETS) if rs is not None]
    for rs in rulesets:
        labels = rs.definition.get("indicators", {})
        rs.rows = _ruleset_rows(rs.definition, labels)
    return render(request, "settings/index.html", {
        "can_change": district_settings.may_change(request.user), "rulesets": rulesets,
    })


def _ruleset_rows(definition: dict, labels: dict) -> list[dict]:
    """The criteria of a posyandu rule set as (level, label, "≥ 8 bulan") rows."""
    signs = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}

    def text(c):
        label = labels.get(c["indicator"], {})
        if c.get("op") == "is":
            return label.get("label", c["indicator"]), _("ya") if c["value"] else _("tidak")
        value = number_format(c["value"], use_l10n=True) if isinstance(c["value"], (int, float)) else c["value"]
        return label.get("label", c["indicator"]), f"{signs.get(c['op'], c['op'])} {value} {label.get('unit', '')}"

    rows = []
    if "levels" in definition:
        for level in definition["levels"]:
            for c in level.get("criteria", []):
                label, rule = text(c)
                rows.append({"level": level.get("name", level.get("key", "")), "label": label, "rule": rule})
    for c in definition.get("criteria", []):
        label, rule = text(c)
        rows.append({"level": "", "label": label, "rule": rule})
    return rows


@area_scoped(permission=PERMISSION)
def targets(request):
    year = timezone.localdate().year
    rows = []
    for ind in Indicator.objects.all():
        entry = ind.target_entry(year)
        rows.append({"indicator": ind, "entry": entry, "district": services.district_targets(ind),
                     "national": services.national_targets(ind)})
    return render(request, "settings/targets.html", {"rows": rows, "year": year,
                                                     "can_change": district_settings.may_change(request.user)})


@area_scoped(permission=PERMISSION)
def target_edit(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    can_change = district_settings.may_change(request.user)
    initial = [{"value": t.get("value"), "start": t.get("from"), "end": t.get("to"), "source": t.get("source", "")}
               for t in services.district_targets(indicator)]
    version = services.targets_version(indicator)
    if request.method == "POST":
        formset = TargetFormSet(request.POST, initial=initial)
        if formset.is_valid():
            entries = [e for e in (f.entry() for f in formset.forms) if e is not None]
            try:
                services.targets_update(actor=request.user, indicator=indicator, district=entries,
                                        version=request.POST.get("version"))
            except district_settings.VersionConflict as e:
                messages.error(request, str(e))
                return redirect("settings:target_edit", code)
            except ValidationError as e:
                formset_errors = e.messages
            else:
                messages.success(request, _("Target %(name)s tersimpan; angka dan capaian di dasbor memakai target "
                                            "ini mulai sekarang.") % {"name": indicator.display_name})
                return redirect("settings:target_edit", code)
        else:
            formset_errors = [_("Periksa isian target.")]
    else:
        formset, formset_errors = TargetFormSet(initial=initial), []
    return render(request, "settings/target_edit.html", {
        "indicator": indicator, "formset": formset, "errors": formset_errors, "version": version,
        "national": services.national_targets(indicator), "can_change": can_change,
        "history": history_for(indicator)[:20],
    })

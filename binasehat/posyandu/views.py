import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from binasehat.cadres.selectors import kader_for_user
from binasehat.core.audit import history_for
from binasehat.core.scope import area_scoped, scope_of
from binasehat.facilities.selectors import posyandu_get

from . import computed, services
from .forms import MonthForm
from .models import PosyanduMonth


@area_scoped(permission="posyandu.record")
def month(request, pk, year, month):
    """The monthly record of one posyandu: a phone-friendly form for its kader (and bidan, puskesmas)."""
    posyandu = posyandu_get(request.user, pk)
    try:
        first = dt.date(int(year), int(month), 1)
    except ValueError:
        raise Http404 from None
    if not services.can_record(request.user, posyandu):
        raise PermissionDenied
    record = PosyanduMonth.objects.filter(posyandu=posyandu, month=first).first()
    last = PosyanduMonth.objects.filter(posyandu=posyandu, month=(first - dt.timedelta(days=1)).replace(day=1)).first()
    form = MonthForm(request.POST or None, instance=record or PosyanduMonth(posyandu=posyandu, month=first),
                     kader_queryset=kader_for_user(request.user).filter(posyandu=posyandu, active=True),
                     computed=computed.computed_figures(request.user, posyandu, first),
                     carried={k: getattr(last, k) for k in ("s", "k") if getattr(last, k, None) is not None})
    future = (first.year, first.month) > (timezone.localdate().year, timezone.localdate().month)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.month_record(actor=request.user, posyandu=posyandu, month=first, data=form.service_data(),
                                  version=form.cleaned_data.get("version"),
                                  override_reason=form.cleaned_data.get("override_reason") or "")
        except services.StaleEdit as exc:
            form.add_error(None, exc.messages[0])
            conflict = _conflict(form, exc.current)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Laporan %(month)s tersimpan.") % {"month": date_format(first, "YEAR_MONTH_FORMAT")})
            return redirect(reverse("reports:posyandu_year", args=[posyandu.pk]) + f"?tahun={first.year}")
    return render(request, "posyandu/month_form.html", {
        "posyandu": posyandu, "month": first, "form": form, "record": record, "future": future, "conflict": conflict,
        "history": history_for(record)[:20] if record and scope_of(request.user).can("audit.view") else None,
    })


def _conflict(form, current):
    """Both versions side by side after a conflict; the form now carries the stored version, so saving again is a
    deliberate choice of this person's values."""
    form.data = form.data.copy()
    form.data["version"] = str(current.version if current is not None else 0)
    if current is None:
        return {"current": None, "rows": []}
    rows = []
    for name in form.Meta.fields:
        saved, yours = getattr(current, name), form.cleaned_data.get(name)
        if saved != yours:
            rows.append({"label": form.fields[name].label, "saved": saved, "yours": yours})
    return {"current": current, "rows": rows}

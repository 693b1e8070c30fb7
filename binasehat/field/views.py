"""Field pages: the home by role, the posyandu day on a phone (online and offline), and the sync endpoint."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from binasehat.accounts.roles import BIDAN_DESA, KADER
from binasehat.core.scope import area_scoped, public, scope_of
from binasehat.facilities import views as facility_views
from binasehat.facilities.selectors import posyandu_for_user, posyandu_get
from binasehat.growth.models import Child, Measurement
from binasehat.growth.selectors import children_for_user

from . import rules, selectors, services
from .models import ServiceVisit

STATIC = Path(__file__).resolve().parent / "static" / "field"

PROMPTS = {
    "oedema": gettext_lazy("Edema: rujuk segera ke Pustu/Puskesmas."),
    "2t": gettext_lazy("2T: berat badan dua kali berturut-turut tidak naik — rujuk ke Pustu/Puskesmas."),
    "t": gettext_lazy("Berat badan tidak naik (T): tanyakan makan dan sakit, rujuk ke tenaga kesehatan."),
    "bgm": gettext_lazy("Di bawah garis merah (BGM): rujuk ke Pustu/Puskesmas."),
    "wasted": gettext_lazy("Gizi kurang/buruk: rujuk ke Pustu/Puskesmas."),
    "overweight": gettext_lazy("Berisiko gizi lebih/gizi lebih/obesitas: rujuk ke Pustu/Puskesmas."),
    "stunted": gettext_lazy("Pendek/sangat pendek: rujuk ke Pustu/Puskesmas untuk konfirmasi."),
    "muac": gettext_lazy("LiLA kurang: perhatikan makan anak; LiLA merah (< 11,5 cm) rujuk."),
    "asi": gettext_lazy("Konseling ASI eksklusif sampai 6 bulan."),
    "mpasi": gettext_lazy("Konseling MP-ASI kaya protein hewani, sesuai umur, dan ASI lanjut."),
    "food": gettext_lazy("Konseling makan gizi seimbang dengan protein hewani."),
    "good": gettext_lazy("Berat badan naik: puji ibu dan lanjutkan pola makan."),
}


def _month(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun") or today.year)
        month = int(request.GET.get("bulan") or today.month)
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        year, month = today.year, today.month
    return year, month


@area_scoped
def home(request):
    """A kader lands on its posyandu day, a bidan on her desa's posyandu; everyone else on the area overview."""
    role = scope_of(request.user).role
    if role == KADER:
        return redirect("field:today")
    if role == BIDAN_DESA:
        return redirect("field:desa")
    return facility_views.home(request)


@area_scoped
def today(request):
    """"Posyandu hari ini": the kader's posyandu this month."""
    places = list(posyandu_for_user(request.user).order_by("name")[:50])
    if len(places) == 1:
        return _day(request, places[0], summary=True)
    year, month = _month(request)
    return render(request, "field/desa.html", {"states": selectors.desa_overview(request.user, year, month),
                                               "year": year, "month": month, "first": dt.date(year, month, 1)})


@area_scoped
def desa(request):
    """The bidan's desa: each posyandu and what is missing this month."""
    year, month = _month(request)
    return render(request, "field/desa.html", {"states": selectors.desa_overview(request.user, year, month),
                                               "year": year, "month": month, "first": dt.date(year, month, 1)})


def _result(user, child: Child, day) -> dict | None:
    m = Measurement.objects.filter(child=child, measured_on=day).first()
    if m is None:
        return None
    state = selectors.posyandu_day(user, child.posyandu, day.year, day.month, q="")
    row = next((r for r in state["rows"] if r.child.pk == child.pk), None)
    code, two_t, bgm = (row.code, row.two_t, row.bgm) if row else ("", False, False)
    age_months = selectors.kbm.months_between(child.birth_date, day) - (1 if day.day < child.birth_date.day else 0)
    prompts = rules.counselling(code=code, two_t=two_t, bgm=bgm, bb_u=m.bb_u, pb_tb_u=m.pb_tb_u,
                                bb_pb_tb=m.bb_pb_tb, oedema=m.oedema,
                                muac_cm=float(m.muac_cm) if m.muac_cm is not None else None, age_months=age_months)
    statuses = [(label, value, rules.severity(value), z) for label, value, z in (
        ("BB/U", m.bb_u, m.zwei), ("PB/U–TB/U", m.pb_tb_u, m.zlen), ("BB/PB–BB/TB", m.bb_pb_tb, m.zwfl),
        ("IMT/U", m.imt_u, m.zbmi)) if value]
    return {"m": m, "code": code, "two_t": two_t, "bgm": bgm, "statuses": statuses,
            "prompts": [(kind, PROMPTS[key]) for kind, key in prompts],
            "services": ServiceVisit.objects.filter(child=child, visited_on=day).first()}


def _day(request, posyandu, summary: bool = False, child_form_errors=None, visit_errors=None, duplicates=None):
    year, month = _month(request)
    q = request.GET.get("q", "").strip()
    state = selectors.posyandu_day(request.user, posyandu, year, month, q=q)
    chosen = None
    if request.GET.get("anak"):
        chosen = children_for_user(request.user).filter(posyandu=posyandu, pk=request.GET["anak"]).first()
    today_ = timezone.localdate()
    result = _result(request.user, chosen, today_) if chosen is not None else None
    return render(request, "field/day.html", {
        "posyandu": posyandu, "state": state, "year": year, "month": month, "q": q, "chosen": chosen,
        "result": result, "summary": summary, "today": today_, "client_id": uuid.uuid4(),
        "child_errors": child_form_errors, "visit_errors": visit_errors, "duplicates": duplicates,
        "imunisasi": ServiceVisit.Imunisasi.choices, "post": request.POST if request.method == "POST" else {},
        "report_url": reverse("posyandu:month", args=[posyandu.pk, year, f"{month:02d}"]),
        "can_record": scope_of(request.user).can("posyandu.record"),
    })


@area_scoped
def day(request, pk):
    """The posyandu day (5 meja) on one page: find or register the child, weigh and measure, services, result."""
    posyandu = posyandu_get(request.user, pk)
    if request.method != "POST":
        return _day(request, posyandu)
    if not scope_of(request.user).can("posyandu.record"):
        raise PermissionDenied
    action = request.POST.get("action")
    entry = {"client_id": request.POST.get("client_id") or str(uuid.uuid4()), "kind": action,
             "data": {**request.POST.dict(), "posyandu": posyandu.pk}}
    if action == "measurement":
        entry["base"] = False
    if action not in ("child", "measurement"):
        return HttpResponseBadRequest()
    (outcome,) = services.entries_sync(actor=request.user, entries=[entry])
    if outcome["status"] == "ok":
        child_id = outcome["child"]["id"]
        return redirect(reverse("field:day", args=[posyandu.pk]) + f"?anak={child_id}")
    if action == "child":
        return _day(request, posyandu, child_form_errors=outcome.get("errors") or {"__all__": outcome["reason"]},
                    duplicates=outcome.get("server"))
    return _day(request, posyandu, visit_errors=outcome.get("errors") or {"__all__": outcome["reason"]})


@area_scoped(permission="posyandu.record")
@require_POST
def sync(request):
    """Entries queued on a phone: ``{"entries": [{"client_id", "kind", "data", "base"?}, …]}`` → one result per
    entry (ok, conflict with both versions, or refused with the reason). CSRF-checked like every POST."""
    try:
        payload = json.loads(request.body or b"{}")
        entries = payload["entries"]
        if not isinstance(entries, list) or len(entries) > 500:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("Data tidak dapat dibaca.")}, status=400)
    return JsonResponse({"results": services.entries_sync(actor=request.user, entries=entries)})


@area_scoped
def service_worker(request):
    """The service worker, served from /lapangan/ so that it controls the field pages only (to logged-in users:
    nobody else has field pages to keep)."""
    response = HttpResponse((STATIC / "sw.js").read_text(encoding="utf-8"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response



THEME_COLOUR = "#0f7b5f"  # the site's green (app.css --green)


@public
def manifest(request):
    """The web app manifest: installs the field pages (posyandu day, family visit) as an app on a phone. Public,
    because browsers fetch it without cookies; it holds nothing but names, colours and icons."""
    data = {
        "name": "Bina Sehat — Kerja Lapangan",
        "short_name": "Bina Sehat",
        "description": "Posyandu hari ini dan kunjungan keluarga, juga tanpa sinyal.",
        "id": "/lapangan/",
        "start_url": "/lapangan/",
        "scope": "/lapangan/",
        "display": "standalone",
        "orientation": "portrait",
        "lang": "id",
        "dir": "ltr",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": static("field/icon-maskable.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "maskable"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response

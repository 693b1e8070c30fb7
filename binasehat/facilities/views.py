"""Pages for the area tree (kabupaten → kecamatan → desa → posyandu) and for puskesmas, pustu and posyandu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import history_for
from binasehat.core.conflicts import side_by_side
from binasehat.core.listing import Column, export_response, paginate, search, wants_export
from binasehat.core.pagecache import cached_page
from binasehat.core.scope import area_scoped, scope_of
from binasehat.regions.models import Region
from binasehat.regions.selectors import population_rollup, region_get

from . import forms, selectors, services


@area_scoped
def home(request):
    """The user's area at a glance: one row per area below the user's own, with totals."""
    rows = selectors.area_breakdown(request.user, None)
    single = rows[0].region if len(rows) == 1 else None
    if single is not None:
        rows = selectors.area_breakdown(request.user, single) or rows
    return render(request, "facilities/home.html", {"rows": rows, "totals": selectors.totals(rows), "single": single})


# --- the area tree -------------------------------------------------------------------------------

AREA_COLUMNS = [
    Column("code", gettext_lazy("Kode"), lambda r: r.region.code),
    Column("name", gettext_lazy("Nama"), lambda r: r.region.name),
    Column("desa", gettext_lazy("Desa"), lambda r: r.desa),
    Column("kelurahan", gettext_lazy("Kelurahan"), lambda r: r.kelurahan),
    Column("puskesmas", gettext_lazy("Puskesmas"), lambda r: r.puskesmas),
    Column("pustu", gettext_lazy("Pustu"), lambda r: r.pustu),
    Column("posyandu_prima", gettext_lazy("Posyandu Prima"), lambda r: r.posyandu_prima),
    Column("posyandu", gettext_lazy("Posyandu"), lambda r: r.posyandu),
    Column("posyandu_beroperasi", gettext_lazy("Posyandu beroperasi"), lambda r: r.posyandu_active),
    Column("penduduk", gettext_lazy("Penduduk"), lambda r: r.population.total if r.population else None),
    Column("tahun_penduduk", gettext_lazy("Tahun data penduduk"), lambda r: r.population.year if r.population else None),
]


@area_scoped
def area_index(request):
    rows = selectors.area_breakdown(request.user, None)
    if len(rows) == 1:
        return redirect("facilities:area", code=rows[0].region.code)
    if fmt := wants_export(request):
        return export_response(fmt, "wilayah", AREA_COLUMNS, rows)
    return render(request, "facilities/area.html", {"region": None, "rows": rows, "totals": selectors.totals(rows)})


@area_scoped
def area_detail(request, code):
    region = region_get(request.user, code)
    rows = selectors.area_breakdown(request.user, region)
    if fmt := wants_export(request):
        return export_response(fmt, f"wilayah-{code}", AREA_COLUMNS, rows)
    context = {
        "region": region,
        "ancestors": Region.objects.filter(code__in=region.ancestor_codes()).order_by("code"),
        "rows": rows,
        "totals": selectors.totals(rows),
    }
    if region.level == 4:
        context["posyandu"] = selectors.posyandu_for_user(request.user).filter(desa=region)
        context["pustu"] = selectors.pustu_for_user(request.user).filter(desa=region)
    if region.level == 3:
        context["puskesmas_here"] = selectors.puskesmas_for_user(request.user).filter(kecamatan=region)
    context["population"] = population_rollup([region.code]).get(region.code)
    if scope_of(request.user).can("audit.view"):
        context["history"] = history_for(region)[:20]
    return render(request, "facilities/area.html", context)


# --- facilities ----------------------------------------------------------------------------------

def _area_filter(queryset, request, field):
    """``?wilayah=CODE`` keeps the facilities inside that area (on top of the user's scope)."""
    code = request.GET.get("wilayah", "").strip()
    if code:
        queryset = queryset.filter(Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."}))
    return queryset, code


@dataclass
class Kind:
    """How one kind of facility is listed, shown, created and edited."""

    name: str
    label: str
    plural: str
    selector: Callable
    getter: Callable
    form: type
    register: Callable
    update: Callable
    permission: str
    area_field: str
    search_fields: tuple[str, ...]
    columns: list[Column]
    detail_fields: tuple[str, ...]

    def form_kwargs(self, user) -> dict:
        desa = selectors.desa_choices_for_user(user)
        if self.name == "posyandu":
            return {"desa_queryset": desa}
        if self.name == "pustu":
            return {"desa_queryset": desa, "puskesmas_queryset": selectors.puskesmas_for_user(user)}
        return {"desa_queryset": desa, "kecamatan_queryset": forms.kecamatan_queryset(desa)}


def _yes(value):
    return _("ya") if value else _("tidak")


POSYANDU = Kind(
    name="posyandu", label=gettext_lazy("Posyandu"), plural=gettext_lazy("Posyandu"),
    selector=selectors.posyandu_for_user, getter=selectors.posyandu_get, form=forms.PosyanduForm,
    register=lambda actor, form: services.posyandu_register(actor=actor, data=form.data_for_service()),
    update=lambda actor, obj, form: services.posyandu_update(
        actor=actor, posyandu=obj, data=form.data_for_service(), version=form.cleaned_data.get("version")),
    permission="facilities.change", area_field="desa__code",
    search_fields=("code", "name", "desa__name", "desa__parent__name", "dusun"),
    columns=[
        Column("code", gettext_lazy("Kode")),
        Column("name", gettext_lazy("Nama")),
        Column("desa_code", gettext_lazy("Kode desa"), lambda p: p.desa_id),
        Column("desa", gettext_lazy("Desa/kelurahan"), lambda p: p.desa.name),
        Column("kecamatan", gettext_lazy("Kecamatan"), lambda p: p.desa.parent.name),
        Column("dusun", gettext_lazy("Dusun")),
        Column("rw", gettext_lazy("RW")),
        Column("address", gettext_lazy("Alamat")),
        Column("latitude", gettext_lazy("Lintang"), lambda p: float(p.latitude) if p.latitude is not None else None),
        Column("longitude", gettext_lazy("Bujur"), lambda p: float(p.longitude) if p.longitude is not None else None),
        Column("founded_on", gettext_lazy("Berdiri")),
        Column("sk_number", gettext_lazy("Nomor SK")),
        Column("sk_date", gettext_lazy("Tanggal SK")),
        Column("active", gettext_lazy("Beroperasi"), lambda p: "ya" if p.active else "tidak"),
        Column("closed_on", gettext_lazy("Tutup")),
    ],
    detail_fields=("code", "name", "desa", "dusun", "rw", "address", "latitude", "longitude", "founded_on",
                   "sk_number", "sk_date", "active", "closed_on"),
)

PUSTU = Kind(
    name="pustu", label=gettext_lazy("Pustu"), plural=gettext_lazy("Pustu / Posyandu Prima"),
    selector=selectors.pustu_for_user, getter=selectors.pustu_get, form=forms.PustuForm,
    register=lambda actor, form: services.pustu_register(actor=actor, data=form.data_for_service()),
    update=lambda actor, obj, form: services.pustu_update(
        actor=actor, pustu=obj, data=form.data_for_service(), version=form.cleaned_data.get("version")),
    permission="facilities.change", area_field="desa__code",
    search_fields=("code", "name", "desa__name", "puskesmas__name"),
    columns=[
        Column("code", gettext_lazy("Kode")),
        Column("name", gettext_lazy("Nama")),
        Column("desa_code", gettext_lazy("Kode desa"), lambda p: p.desa_id),
        Column("desa", gettext_lazy("Desa/kelurahan"), lambda p: p.desa.name),
        Column("puskesmas_code", gettext_lazy("Kode puskesmas"), lambda p: p.puskesmas.code),
        Column("posyandu_prima", gettext_lazy("Posyandu Prima"), lambda p: "ya" if p.posyandu_prima else "tidak"),
        Column("prima_since", gettext_lazy("Prima sejak")),
        Column("address", gettext_lazy("Alamat")),
        Column("active", gettext_lazy("Beroperasi"), lambda p: "ya" if p.active else "tidak"),
    ],
    detail_fields=("code", "name", "desa", "puskesmas", "posyandu_prima", "prima_since", "address", "latitude",
                   "longitude", "active"),
)

PUSKESMAS = Kind(
    name="puskesmas", label=gettext_lazy("Puskesmas"), plural=gettext_lazy("Puskesmas"),
    selector=selectors.puskesmas_for_user, getter=selectors.puskesmas_get, form=forms.PuskesmasForm,
    register=lambda actor, form: services.puskesmas_register(
        actor=actor, data=form.data_for_service(), wilayah_kerja=form.cleaned_data["wilayah_kerja"]),
    update=lambda actor, obj, form: services.puskesmas_update(
        actor=actor, puskesmas=obj, data=form.data_for_service(), wilayah_kerja=form.cleaned_data["wilayah_kerja"],
        version=form.cleaned_data.get("version")),
    permission="puskesmas.change", area_field="kecamatan__code",
    search_fields=("code", "name", "kecamatan__name"),
    columns=[
        Column("code", gettext_lazy("Kode")),
        Column("name", gettext_lazy("Nama")),
        Column("kecamatan_code", gettext_lazy("Kode kecamatan"), lambda p: p.kecamatan_id),
        Column("kecamatan", gettext_lazy("Kecamatan"), lambda p: p.kecamatan.name),
        Column("desa_codes", gettext_lazy("Wilayah kerja"),
               lambda p: ";".join(sorted(r.code for r in p.wilayah_kerja.all()))),
        Column("rawat_inap", gettext_lazy("Rawat inap"), lambda p: "ya" if p.rawat_inap else "tidak"),
        Column("phone", gettext_lazy("Telepon")),
        Column("address", gettext_lazy("Alamat")),
        Column("active", gettext_lazy("Beroperasi"), lambda p: "ya" if p.active else "tidak"),
    ],
    detail_fields=("code", "name", "kecamatan", "rawat_inap", "phone", "address", "latitude", "longitude", "active"),
)

KINDS = {k.name: k for k in (POSYANDU, PUSTU, PUSKESMAS)}


def _list_view(kind: Kind):
    @area_scoped
    @cached_page
    def view(request):
        queryset = kind.selector(request.user)
        queryset = search(queryset, request.GET.get("q", ""), kind.search_fields)
        queryset, area = _area_filter(queryset, request, kind.area_field)
        status = request.GET.get("status", "")
        if status in {"aktif", "tutup"}:
            queryset = queryset.filter(active=(status == "aktif"))
        if kind.name == "puskesmas":
            queryset = queryset.prefetch_related("wilayah_kerja")
        if fmt := wants_export(request):
            return export_response(fmt, kind.name, kind.columns, queryset.iterator(chunk_size=2000)
                                   if kind.name != "puskesmas" else queryset)
        page = paginate(request, queryset)
        return render(request, "facilities/list.html", {
            "kind": kind, "page": page, "q": request.GET.get("q", ""), "status": status, "area": area,
            "can_add": scope_of(request.user).can(kind.permission),
        })

    view.__name__ = view.__qualname__ = f"{kind.name}_list"
    return view


def _detail_view(kind: Kind):
    @area_scoped
    def view(request, pk):
        obj = kind.getter(request.user, pk)
        scope = scope_of(request.user)
        fields = [(obj._meta.get_field(f).verbose_name, _display(obj, f)) for f in kind.detail_fields]
        context = {"kind": kind, "obj": obj, "fields": fields, "can_edit": scope.can(kind.permission)}
        if scope.can("audit.view"):
            context["history"] = history_for(obj)[:50]
        if kind.name == "puskesmas":
            context["wilayah_kerja"] = obj.wilayah_kerja.all()
            context["pustu"] = selectors.pustu_for_user(request.user).filter(puskesmas=obj)
        return render(request, "facilities/detail.html", context)

    view.__name__ = view.__qualname__ = f"{kind.name}_detail"
    return view


def _display(obj, name):
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _yes(value)
    return value if value not in (None, "") else "—"


def _form_view(kind: Kind, editing: bool):
    @area_scoped(permission=kind.permission)
    def view(request, pk=None):
        obj = kind.getter(request.user, pk) if editing else None
        form = kind.form(request.POST or None, instance=obj, **kind.form_kwargs(request.user))
        conflict = None
        if request.method == "POST" and form.is_valid():
            try:
                saved = kind.update(request.user, obj, form) if editing else kind.register(request.user, form)
            except services.StaleEdit as exc:
                form.add_error(None, exc.messages[0])
                if editing:
                    current = type(obj).objects.filter(pk=obj.pk).first()
                    conflict = side_by_side(form, current, current and kind.form(
                        instance=current, **kind.form_kwargs(request.user)))
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("Anda tidak berhak mengubah data ini."))
            except services.ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(label)s %(name)s tersimpan.") % {"label": kind.label, "name": saved.name})
                return redirect(f"facilities:{kind.name}_detail", pk=saved.pk)
        return render(request, "facilities/form.html", {
            "kind": kind, "form": form, "obj": obj, "conflict": conflict,
            "desa_list": selectors.desa_choices_for_user(request.user)[:2000],
        })

    view.__name__ = view.__qualname__ = f"{kind.name}_{'edit' if editing else 'create'}"
    return view


def kind_urls():
    from django.urls import path

    patterns = []
    for kind in KINDS.values():
        patterns += [
            path(f"{kind.name}/", _list_view(kind), name=f"{kind.name}_list"),
            path(f"{kind.name}/baru/", _form_view(kind, editing=False), name=f"{kind.name}_create"),
            path(f"{kind.name}/<int:pk>/", _detail_view(kind), name=f"{kind.name}_detail"),
            path(f"{kind.name}/<int:pk>/ubah/", _form_view(kind, editing=True), name=f"{kind.name}_edit"),
        ]
    return patterns


def detail_url(obj) -> str:
    return reverse(f"facilities:{type(obj).__name__.lower()}_detail", args=[obj.pk])

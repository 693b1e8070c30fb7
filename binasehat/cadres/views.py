from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import history_for
from binasehat.core.conflicts import side_by_side
from binasehat.core.personal import nik_for
from binasehat.core.listing import Column, export_response, paginate, search, wants_export
from binasehat.core.pagecache import cached_page
from binasehat.core.scope import area_scoped, scope_of
from binasehat.facilities.selectors import posyandu_for_user

from . import services
from .forms import KaderForm, TrainingForm
from .selectors import kader_for_user, kader_get, levels_for

COLUMNS = [
    Column("nik", gettext_lazy("NIK")),
    Column("name", gettext_lazy("Nama")),
    Column("sex", gettext_lazy("Jenis kelamin")),
    Column("posyandu_code", gettext_lazy("Kode posyandu"), lambda k: k.posyandu.code),
    Column("sk_number", gettext_lazy("Nomor SK")),
    Column("sk_date", gettext_lazy("Tanggal SK")),
    Column("active", gettext_lazy("Aktif"), lambda k: "ya" if k.active else "tidak"),
    Column("birth_date", gettext_lazy("Tanggal lahir")),
    Column("phone", gettext_lazy("Telepon")),
]


@area_scoped
@cached_page
def kader_list(request):
    scope = scope_of(request.user)
    qs = search(kader_for_user(request.user), request.GET.get("q", ""), ("name", "posyandu__name", "posyandu__code"))
    status = request.GET.get("status", "")
    if status in {"aktif", "tidak"}:
        qs = qs.filter(active=(status == "aktif"))
    if request.GET.get("sk") == "tanpa":
        qs = qs.filter(sk_number="")
    if fmt := wants_export(request):
        if not scope.can("individuals.export"):
            raise PermissionDenied
        return export_response(fmt, "kader", COLUMNS, qs.iterator(chunk_size=2000))
    page = paginate(request, qs)
    levels = levels_for([k.pk for k in page.object_list])
    return render(request, "cadres/list.html", {
        "page": page, "rows": [(k, levels.get(k.pk)) for k in page.object_list], "q": request.GET.get("q", ""),
        "status": status, "can_add": scope.can("facilities.change"), "can_export": scope.can("individuals.export"),
        "sensitive": scope.can("sensitive.view"),
    })


@area_scoped
def kader_detail(request, pk):
    kader = kader_get(request.user, pk)
    scope = scope_of(request.user)
    training_form = TrainingForm(request.POST or None) if scope.can("facilities.change") else None
    if request.method == "POST" and training_form is not None and training_form.is_valid():
        try:
            services.training_add(actor=request.user, kader=kader, **training_form.cleaned_data)
        except PermissionDenied as exc:
            training_form.add_error(None, str(exc))
        else:
            messages.success(request, _("Pelatihan tercatat."))
            return redirect("cadres:detail", pk=kader.pk)
    passed = {ks.skill_id: ks.passed_on for ks in kader.passed_skills.all()}
    from .models import SkillGroup

    groups = [(g, [(s, s.code in passed) for s in g.skills.all()]) for g in SkillGroup.objects.prefetch_related("skills")]
    return render(request, "cadres/detail.html", {
        "kader": kader, "level": levels_for([kader.pk]).get(kader.pk), "groups": groups,
        "trainings": kader.trainings.all(), "nik": nik_for(kader.nik, scope.can("sensitive.view")),
        "can_edit": scope.can("facilities.change"), "training_form": training_form,
        "history": history_for(kader)[:30] if scope.can("audit.view") else None,
    })


def _form(request, kader=None):
    form = KaderForm(request.POST or None, instance=kader,
                     posyandu_queryset=posyandu_for_user(request.user).filter(active=True),
                     initial={"skills": kader.skills.all()} if kader else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if kader:
                saved = services.kader_update(actor=request.user, kader=kader, data=form.service_data(),
                                              skills=form.cleaned_data["skills"], version=form.cleaned_data.get("version"))
            else:
                saved = services.kader_register(actor=request.user, data=form.service_data(),
                                                skills=form.cleaned_data["skills"])
        except services.StaleEdit as exc:
            form.add_error(None, str(exc))
            current = type(kader).objects.filter(pk=kader.pk).first() if kader else None
            if kader:
                conflict = side_by_side(form, current, current and KaderForm(
                    instance=current, posyandu_queryset=posyandu_for_user(request.user).filter(active=True),
                    initial={"skills": current.skills.all()}))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Data kader %(name)s tersimpan.") % {"name": saved.name})
            return redirect("cadres:detail", pk=saved.pk)
    return render(request, "cadres/form.html", {"form": form, "kader": kader, "conflict": conflict})


@area_scoped(permission="facilities.change")
def kader_create(request):
    return _form(request)


@area_scoped(permission="facilities.change")
def kader_edit(request, pk):
    return _form(request, kader_get(request.user, pk))


@area_scoped(permission="indicators.manage")
def levels(request):
    """The rules of the kader levels (settings the district owns): the groups each level requires and how many
    groups in all; one form per level, version-checked."""
    from django.core.exceptions import ValidationError

    from binasehat.core import district_settings
    from binasehat.core.models import AuditEntry

    from .models import Level, SkillGroup

    can_change = district_settings.may_change(request.user)
    groups = list(SkillGroup.objects.all())
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        level = Level.objects.filter(pk=request.POST.get("level", "")).first()
        if level is None:
            messages.error(request, _("Tingkat kader tidak dikenal."))
            return redirect("cadres:levels")
        try:
            minimum = int(request.POST.get("min_groups", ""))
        except ValueError:
            messages.error(request, _("Jumlah kelompok minimal harus bilangan bulat."))
            return redirect("cadres:levels")
        try:
            services.level_update(actor=request.user, level=level, required_groups=request.POST.getlist("required"),
                                  min_groups=minimum, version=request.POST.get("version"))
        except district_settings.VersionConflict as e:
            messages.error(request, str(e))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Aturan tingkat %(name)s tersimpan; tingkat setiap kader dihitung ulang.")
                             % {"name": level.name})
        return redirect("cadres:levels")
    rows = [{"level": lv, "version": services.level_version(lv), "required": set(lv.required_groups)}
            for lv in Level.objects.all()]
    history = AuditEntry.objects.filter(model=Level._meta.label_lower).order_by("-pk")[:20]
    return render(request, "cadres/levels.html", {"rows": rows, "groups": groups, "can_change": can_change,
                                                  "history": history})

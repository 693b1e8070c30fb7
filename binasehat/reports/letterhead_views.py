"""The kop surat and signature block printed on the reports an office sends upward."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binasehat.core.scope import area_scoped, scope_of
from binasehat.regions.models import Letterhead, Region
from binasehat.regions.services import Conflict, letterhead_save


class LetterheadForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    logo_file = forms.FileField(label=gettext_lazy("Logo (PNG atau JPEG, paling besar 512 KB)"), required=False)
    remove_logo = forms.BooleanField(label=gettext_lazy("hapus logo"), required=False)

    class Meta:
        model = Letterhead
        fields = ("government", "office", "address", "contact", "place", "signatory_title", "signatory_name",
                  "signatory_rank", "signatory_nip")


def _areas(user) -> list[Region]:
    """Areas whose letterhead the user may keep: its own areas at kabupaten/kota or province level."""
    scope = scope_of(user)
    if scope.everything:
        return list(Region.objects.filter(level__lte=2).order_by("code")[:600])
    return list(Region.objects.filter(code__in=scope.top_codes(), level__lte=2).order_by("code"))


@area_scoped(permission="regions.import")
def letterhead_page(request):
    areas = _areas(request.user)
    if not areas:
        raise Http404
    code = request.GET.get("wilayah") or request.POST.get("wilayah") or areas[0].code
    region = next((a for a in areas if a.code == code), None)
    if region is None:
        raise Http404
    current = Letterhead.objects.filter(region=region).first()
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=current,
                          initial={"version": current.version if current else 0})
    conflict = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("logo_file")
        logo = upload.read(Letterhead.LOGO_MAX_BYTES + 1) if upload else None
        try:
            letterhead_save(actor=request.user, scope=scope_of(request.user), region=region,
                            data=form.cleaned_data, version=form.cleaned_data["version"], logo=logo,
                            remove_logo=form.cleaned_data.get("remove_logo", False))
        except Conflict as exc:
            conflict = exc.current
            form.add_error(None, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else "logo_file", errors)
            else:
                form.add_error("logo_file", exc)
        else:
            messages.success(request, _("Kop surat tersimpan."))
            return redirect(f"{request.path}?wilayah={region.code}")
    return render(request, "reports/letterhead.html", {
        "form": form, "region": region, "areas": areas, "current": current, "conflict": conflict,
        "letterhead": current,
    })

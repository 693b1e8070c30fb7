from django import forms
from django.utils.translation import gettext_lazy as _

from binasehat.regions.models import Region

from .models import Posyandu, Pustu, Puskesmas


class RegionCodeField(forms.ModelChoiceField):
    """A desa or kecamatan chosen by typing its code or picking it from a list (works for 80,000 desa)."""

    widget = forms.TextInput

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)
        self.error_messages["invalid_choice"] = _("Kode wilayah tidak dikenal atau di luar wilayah kerja Anda.")

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for name in ("founded_on", "sk_date", "closed_on", "prima_since"):
            if name in self.fields:
                self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def data_for_service(self) -> dict:
        data = {}
        for name, value in self.cleaned_data.items():
            if name in {"version", "wilayah_kerja"}:
                continue
            field = self.instance._meta.get_field(name)
            data[field.attname] = value.pk if hasattr(value, "pk") and field.is_relation else value
        return data


class PosyanduForm(VersionedForm):
    def __init__(self, *args, desa_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"] = RegionCodeField(desa_queryset, label=_("Kode desa/kelurahan"))
        self.fields["desa"].widget.attrs["list"] = "desa-list"

    class Meta:
        model = Posyandu
        fields = ["code", "name", "desa", "dusun", "rw", "address", "latitude", "longitude", "founded_on",
                  "sk_number", "sk_date", "active", "closed_on"]

    def clean(self):
        data = super().clean()
        if data.get("closed_on") and data.get("active"):
            self.add_error("closed_on", _("Posyandu yang sudah tutup tidak boleh berstatus beroperasi."))
        if data.get("sk_date") and not data.get("sk_number"):
            self.add_error("sk_number", _("Isi nomor SK bila tanggal SK diisi."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Isi lintang dan bujur bersama-sama."))
        return data


class PustuForm(VersionedForm):
    def __init__(self, *args, desa_queryset, puskesmas_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"] = RegionCodeField(desa_queryset, label=_("Kode desa/kelurahan"))
        self.fields["desa"].widget.attrs["list"] = "desa-list"
        self.fields["puskesmas"].queryset = puskesmas_queryset

    class Meta:
        model = Pustu
        fields = ["code", "name", "desa", "puskesmas", "posyandu_prima", "prima_since", "address", "latitude",
                  "longitude", "active"]

    def clean(self):
        data = super().clean()
        if data.get("prima_since") and not data.get("posyandu_prima"):
            self.add_error("prima_since", _("Tanggal hanya diisi bila pustu sudah menjadi Posyandu Prima."))
        return data


class PuskesmasForm(VersionedForm):
    wilayah_kerja = forms.CharField(
        label=_("Wilayah kerja (kode desa, pisahkan dengan titik koma)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, kecamatan_queryset, desa_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"] = RegionCodeField(kecamatan_queryset, label=_("Kode kecamatan"))
        self.desa_queryset = desa_queryset
        if self.instance.pk:
            self.fields["wilayah_kerja"].initial = "; ".join(self.instance.wilayah_kerja.values_list("code", flat=True))

    class Meta:
        model = Puskesmas
        fields = ["code", "name", "kecamatan", "rawat_inap", "phone", "address", "latitude", "longitude", "active"]

    def clean_wilayah_kerja(self):
        import re

        codes = sorted({c for c in re.split(r"[;,\s]+", self.cleaned_data["wilayah_kerja"]) if c})
        known = set(self.desa_queryset.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(_("Kode desa tidak dikenal atau di luar wilayah Anda: %(codes)s"),
                                        params={"codes": ", ".join(unknown)})
        return codes


def kecamatan_queryset(desa_queryset):
    return Region.objects.filter(level=3, code__in=desa_queryset.values("parent_id"))

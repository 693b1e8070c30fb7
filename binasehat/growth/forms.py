
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Measurement


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "weight_kg", "lenhei_cm", "measure", "oedema", "headc_cm", "muac_cm", "place"]
        widgets = {"measured_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["measured_on"].initial = timezone.localdate()
        for name in ("weight_kg", "lenhei_cm", "headc_cm", "muac_cm"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def clean_measured_on(self):
        day = self.cleaned_data["measured_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Tanggal ukur belum terjadi."))
        if day < self.child.birth_date:
            raise forms.ValidationError(_("Tanggal ukur sebelum tanggal lahir anak."))
        return day

    def clean(self):
        data = super().clean()
        limits = {"weight_kg": (0.5, 150), "lenhei_cm": (38, 210), "headc_cm": (25, 65), "muac_cm": (5, 45)}
        for name, (low, high) in limits.items():
            value = data.get(name)
            if value is not None and not (low <= value <= high):
                self.add_error(name, _("Di luar rentang yang masuk akal (%(low)s–%(high)s).") % {"low": low, "high": high})
        if data.get("weight_kg") is None and data.get("lenhei_cm") is None:
            raise forms.ValidationError(_("Isi berat badan atau panjang/tinggi badan."))
        return data

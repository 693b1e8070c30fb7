from django import forms
from django.utils.translation import gettext_lazy as _


class TargetForm(forms.Form):
    """One district target: value, years it holds (empty: open), and the decision that set it."""

    value = forms.FloatField(label=_("Target"), localize=True, required=False, min_value=0)
    start = forms.IntegerField(label=_("Berlaku mulai tahun"), required=False, min_value=2000, max_value=2100)
    end = forms.IntegerField(label=_("Berlaku sampai tahun"), required=False, min_value=2000, max_value=2100)
    source = forms.CharField(label=_("Sumber (SK, Renstra, …)"), required=False, max_length=300)

    def entry(self) -> dict | None:
        """The entry as stored, or None for an empty row (a row whose value was cleared is removed)."""
        d = self.cleaned_data
        if d.get("value") is None and not (d.get("source") or "").strip():
            return None
        return {"value": d.get("value"), "from": d.get("start"), "to": d.get("end"), "source": d.get("source", "")}


TargetFormSet = forms.formset_factory(TargetForm, extra=2, max_num=20)

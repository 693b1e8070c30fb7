from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binasehat.accounts.models import Institution
from binasehat.indicators.models import Indicator

from . import rules
from .models import Activity, Problem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleItemForm(forms.Form):
    op = forms.ChoiceField(label=_("pembanding"), choices=[(o, o) for o in rules.OPS])
    threshold = forms.FloatField(label=_("ambang"))
    weight = forms.FloatField(label=_("bobot"), min_value=0)
    active = forms.BooleanField(label=_("dipakai"), required=False)
    note = forms.CharField(label=_("keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DesignationForm(forms.Form):
    year = forms.IntegerField(label=_("tahun penetapan"), min_value=2020, max_value=2100)
    decided_on = forms.DateField(label=_("tanggal keputusan"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("alasan"), widget=forms.Textarea(attrs={"rows": 3}))


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("tanggal keputusan"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("alasan diakhiri"), widget=forms.Textarea(attrs={"rows": 2}))


class ProblemForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("indikator"), queryset=Indicator.objects.all())
    description = forms.CharField(label=_("uraian masalah"), widget=forms.Textarea(attrs={"rows": 2}))


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["problem", "title", "programme", "partner_kind", "institution", "responsible", "budget", "funding",
                  "start", "end", "status"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, designation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = Problem.objects.filter(designation=designation).select_related("indicator")
        self.fields["institution"].queryset = Institution.objects.all()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("tanggal"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label=_("catatan kemajuan"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("status kegiatan"), choices=Activity.Status.choices)
    files = MultipleFileField(label=_("foto/dokumen (JPG, PNG, PDF, DOCX, XLSX)"), required=False)

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Kader, Skill


class KaderForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    skills = forms.ModelMultipleChoiceField(Skill.objects.select_related("group"), required=False,
                                            widget=forms.CheckboxSelectMultiple, label=_("Keterampilan dasar yang lulus"))

    class Meta:
        model = Kader
        fields = ["nik", "name", "sex", "birth_date", "phone", "posyandu", "sk_number", "sk_date", "active", "skills"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "sk_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, posyandu_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posyandu"].queryset = posyandu_queryset
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.fields["nik"].widget.attrs.update({"inputmode": "numeric", "maxlength": "16"})

    def clean_nik(self):
        nik = self.cleaned_data["nik"].replace(" ", "")
        problem = rules.nik_problem(nik)
        if problem:
            raise forms.ValidationError(problem)
        return nik

    def clean(self):
        data = super().clean()
        if data.get("sk_date") and not data.get("sk_number"):
            self.add_error("sk_number", _("Isi nomor SK bila tanggal SK diisi."))
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"version", "skills", "posyandu"}}
        data["posyandu_id"] = self.cleaned_data["posyandu"].pk
        return data


class TrainingForm(forms.Form):
    name = forms.CharField(label=_("Pelatihan"), max_length=200)
    held_on = forms.DateField(label=_("Tanggal"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    organizer = forms.CharField(label=_("Penyelenggara"), max_length=150, required=False)

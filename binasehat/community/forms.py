from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SiagaInput


class SiagaInputForm(forms.ModelForm):
    akses_harian = forms.NullBooleanField(label=_("Akses pelayanan kesehatan dasar setiap hari"), required=False,
                                          widget=forms.Select(choices=[("unknown", "—"), ("true", _("Ya")),
                                                                       ("false", _("Tidak"))]))
    evidence_link = forms.URLField(label=_("Tautan bukti"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = SiagaInput
        fields = ["forum", "akses_harian", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif", "peraturan",
                  "phbs_rt_persen", "sk_number", "sk_date", "evidence", "evidence_link"]
        widgets = {"sk_date": forms.DateInput(attrs={"type": "date"}), "evidence": forms.Textarea(attrs={"rows": 3})}


class KksAnswerForm(forms.Form):
    value = forms.TypedChoiceField(label=_("Nilai penilaian mandiri"), coerce=int, empty_value=None, required=False)
    notes = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.URLField(label=_("Tautan data dukung"), required=False, max_length=500,
                                   assume_scheme="https")
    evidence_file = forms.FileField(label=_("Unggah data dukung (PDF, JPG, PNG, XLSX, DOCX; maks. 10 MB)"),
                                    required=False)

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", "—")] + [(o["score"], f"{o['score']} — {o['label']}")
                                                      for o in indicator.options]


class KksVerifierForm(forms.Form):
    verifier_value = forms.TypedChoiceField(label=_("Nilai verifikator"), coerce=int, empty_value=None,
                                            required=False)
    verifier_comment = forms.CharField(label=_("Komentar verifikator"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verifier_value"].choices = [("", "—")] + [(o["score"], f"{o['score']} — {o['label']}")
                                                               for o in indicator.options]


class KksBasicForm(forms.Form):
    odf_percent = forms.DecimalField(label=_("Desa/kelurahan ODF (%)"), min_value=0, max_value=100,
                                     decimal_places=1, required=False)

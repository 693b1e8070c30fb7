from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PosyanduMonth

SECTIONS = [
    (_("Hari buka dan petugas"), ["opening_days", "kader_on_duty", "tenaga_kesehatan"]),
    (_("SKDN balita"), ["s", "k", "d", "n", "o", "b", "bgm", "t2"]),
    (_("Layanan: sasaran dan yang dilayani"), ["ibu_hamil_sasaran", "ibu_hamil_dilayani", "kb_sasaran", "kb_dilayani",
                                               "imunisasi_sasaran", "imunisasi_dilayani", "pmt_diberikan"]),
    (_("Layanan siklus hidup (ILP)"), ["usia_sekolah_dilayani", "remaja_dilayani", "usia_produktif_dilayani",
                                       "usia_produktif_skrining", "lansia_dilayani", "lansia_skrining"]),
    (_("Dana sehat, alat dan kegiatan tambahan"), ["kk_total", "kk_dana_sehat", "alat_pantau", "kegiatan_tambahan",
                                                   "kegiatan_tambahan_uraian"]),
]
HELP = {
    "s": _("S: semua balita di wilayah posyandu"), "k": _("K: balita yang punya KMS/Buku KIA"),
    "d": _("D: balita yang ditimbang bulan ini"), "n": _("N: yang ditimbang dan berat badannya naik"),
    "o": _("O: ditimbang bulan ini, tidak bulan lalu"), "b": _("B: baru pertama kali ditimbang"),
    "bgm": _("BGM: di bawah garis merah"), "t2": _("2T: dua kali berturut-turut tidak naik"),
    "opening_days": _("0 bila posyandu tidak buka bulan ini (kunjungan rumah juga dihitung buka)"),
    "kader_on_duty": _("Rerata jumlah kader yang bertugas per hari buka"),
}


class MonthForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PosyanduMonth
        fields = [f for _title, names in SECTIONS for f in names]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.NumberInput):
                field.widget.attrs.update({"inputmode": "numeric", "min": "0"})
            if name in HELP:
                field.help_text = HELP[name]
        self.fields["kader_on_duty"].widget.attrs["inputmode"] = "decimal"

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

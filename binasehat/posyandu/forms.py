from django import forms
from django.utils.translation import gettext_lazy as _

from binasehat.cadres.models import Kader

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


MODES = [("posyandu", _("hari buka posyandu")), ("kunjungan_rumah", _("kunjungan rumah")),
         ("fasyankes", _("di fasilitas kesehatan"))]
DAY_SLOTS = 3


class MonthForm(forms.ModelForm):
    """The monthly record. Opening days can be given one by one (date, mode, kader present from the registry):
    then the number of opening days and the average of kader on duty are computed from them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PosyanduMonth
        fields = [f for _title, names in SECTIONS for f in names]

    override_reason = forms.CharField(
        label=_("Alasan angka berbeda dari yang dihitung dari data anak"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib diisi bila D, N, O, B, BGM atau 2T tidak sama dengan angka yang dihitung dari data anak."))

    def __init__(self, *args, kader_queryset=None, computed=None, carried=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        #: Figures computed from the children's records ({field: count}); a new record starts from them, and from
        #: S and K carried over from last month (``carried``).
        self.computed = dict(computed or {})
        if not self.instance.pk:
            for name, value in {**(carried or {}), **self.computed}.items():
                if self.initial.get(name) is None:
                    self.initial[name] = value
        days = list(self.instance.opening_dates or [])
        for i in range(1, DAY_SLOTS + 1):
            day = days[i - 1] if i <= len(days) else {}
            self.fields[f"day{i}_date"] = forms.DateField(
                label=_("Tanggal buka %(n)s") % {"n": i}, required=False, initial=day.get("date"),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
            self.fields[f"day{i}_mode"] = forms.ChoiceField(label=_("Cara"), choices=MODES, required=False,
                                                            initial=day.get("mode", "posyandu"))
            self.fields[f"day{i}_kader"] = forms.ModelMultipleChoiceField(
                kader_queryset if kader_queryset is not None else Kader.objects.none(),
                label=_("Kader bertugas"), required=False, widget=forms.CheckboxSelectMultiple,
                initial=day.get("kader", []))
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.NumberInput):
                field.widget.attrs.update({"inputmode": "numeric", "min": "0"})
            if name in HELP:
                field.help_text = HELP[name]
        self.fields["kader_on_duty"].widget.attrs["inputmode"] = "decimal"

    def entered(self, name):
        """The figure as it stands in the form: the posted value when bound, else the initial or stored one."""
        if self.is_bound:
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") and name in self.cleaned_data \
                else self.data.get(name)
        else:
            value = self.initial.get(name, getattr(self.instance, name, None))
        try:
            return None if value in (None, "") else int(value)
        except (TypeError, ValueError):
            return None

    def computed_rows(self) -> list[dict]:
        """Per computed figure: its label, the computed value, the entered one and the difference (entered −
        computed; None while a figure is empty)."""
        rows = []
        for name, value in self.computed.items():
            mine = self.entered(name)
            rows.append({"name": name, "label": self.fields[name].label, "computed": value, "entered": mine,
                         "difference": None if mine is None else mine - value, "changed": mine != value})
        return rows

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def day_slots(self):
        return [(self[f"day{i}_date"], self[f"day{i}_mode"], self[f"day{i}_kader"]) for i in range(1, DAY_SLOTS + 1)]

    def clean(self):
        data = super().clean()
        month = self.instance.month
        days = []
        for i in range(1, DAY_SLOTS + 1):
            date = data.get(f"day{i}_date")
            if not date:
                continue
            if month and (date.year, date.month) != (month.year, month.month):
                self.add_error(f"day{i}_date", _("Tanggal harus di bulan laporan."))
                continue
            days.append({"date": date.isoformat(), "mode": data.get(f"day{i}_mode") or "posyandu",
                         "kader": sorted(k.pk for k in data.get(f"day{i}_kader") or [])})
        if len({d["date"] for d in days}) != len(days):
            self.add_error(None, _("Tanggal buka yang sama diisi dua kali."))
        if days:
            # The opening days and kader on duty follow from the days listed.
            data["opening_days"] = len(days)
            data["kader_on_duty"] = round(sum(len(d["kader"]) for d in days) / len(days), 1)
        data["opening_dates"] = sorted(days, key=lambda d: d["date"])
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items()
                if k not in ("version", "override_reason") and not k.startswith("day")}
        data["opening_dates"] = self.cleaned_data.get("opening_dates", [])
        return data

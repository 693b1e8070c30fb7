from django import forms
from django.utils.translation import gettext_lazy as _

from binasehat.accounts.models import Institution
from binasehat.core.scope import scope_of
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.regions.models import Region
from binasehat.risk.forms import MultipleFileField
from binasehat.risk.models import Activity, Designation

from .models import ActionItem, Meeting, Visit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TRISTATE = [("", "—"), ("ya", _("ya")), ("tidak", _("tidak"))]


def _regions(user):
    return Region.objects.filter(scope_of(user).region_q("code"), level__gte=2).order_by("code")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "level", "region", "designation", "date", "place", "agenda", "findings"]
        widgets = {"date": DATE, "agenda": forms.Textarea(attrs={"rows": 3}),
                   "findings": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)
        self.fields["designation"].queryset = Designation.objects.filter(
            scope_of(user).region_q("region__code"), ended_on__isnull=True).select_related("region")


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["date", "level", "region", "puskesmas", "designation", "team", "findings"]
        widgets = {"date": DATE, "findings": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)
        self.fields["puskesmas"].queryset = Puskesmas.objects.filter(scope_of(user).puskesmas_q())
        self.fields["designation"].queryset = Designation.objects.filter(
            scope_of(user).region_q("region__code"), ended_on__isnull=True).select_related("region")


class FindingForm(forms.Form):
    posyandu = forms.ModelChoiceField(label=_("posyandu"), queryset=Posyandu.objects.none())
    has_sk = forms.TypedChoiceField(label=_("ada SK"), choices=TRISTATE, required=False,
                                    coerce=lambda v: {"ya": True, "tidak": False}.get(v), empty_value=None)
    stratum = forms.CharField(label=_("strata menurut tim"), required=False, max_length=20)
    kader_budget = forms.TypedChoiceField(label=_("ada anggaran kader"), choices=TRISTATE, required=False,
                                          coerce=lambda v: {"ya": True, "tidak": False}.get(v), empty_value=None)
    pmt_budget = forms.TypedChoiceField(label=_("ada anggaran PMT"), choices=TRISTATE, required=False,
                                        coerce=lambda v: {"ya": True, "tidak": False}.get(v), empty_value=None)
    note = forms.CharField(label=_("catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visit is not None:
            self.fields["posyandu"].queryset = Posyandu.objects.filter(
                desa__code__startswith=visit.region_id).order_by("code") if visit.region.level < 4 else \
                Posyandu.objects.filter(desa_id=visit.region_id).order_by("code")


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("nama"), max_length=120)
    institution = forms.CharField(label=_("lembaga"), max_length=200)
    role = forms.CharField(label=_("jabatan/peran"), max_length=120, required=False)


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("keputusan"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_name = forms.CharField(label=_("penanggung jawab"), max_length=120)
    owner_email = forms.EmailField(label=_("surel penanggung jawab"), required=False)
    institution = forms.ModelChoiceField(label=_("lembaga"), queryset=Institution.objects.all())
    due = forms.DateField(label=_("tenggat"), widget=DATE)
    activity = forms.ModelChoiceField(label=_("kegiatan rencana"), queryset=Activity.objects.none(), required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None and meeting.designation_id:
            self.fields["activity"].queryset = Activity.objects.filter(designation_id=meeting.designation_id)
        else:
            del self.fields["activity"]


class ActionUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("status"), choices=ActionItem.Status.choices)
    evidence = forms.CharField(label=_("bukti/keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due = forms.DateField(label=_("tenggat"), widget=DATE, required=False)
    files = MultipleFileField(label=_("berkas bukti (JPG, PNG, PDF, DOCX, XLSX)"), required=False)

    def __init__(self, *args, can_manage=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_manage:
            del self.fields["due"]

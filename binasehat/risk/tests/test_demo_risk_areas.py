"""The demo: two risk areas in the demo district (one is Kelurahan Teladan), plans with partners, visits and a
Pokjanal meeting, all dated up to last month; a demo partner user; building again changes nothing."""

import pytest
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.followups.models import ActionItem, Meeting, Visit
from binasehat.risk import demo as risk_demo
from binasehat.risk.models import Activity, Designation, ProgressNote

pytestmark = pytest.mark.django_db


def test_two_risk_areas_with_partners(demo):
    designations = Designation.objects.filter(region__code__startswith="19.03.")
    assert designations.count() == 2
    assert designations.filter(region_id="19.03.01.1002").exists()
    for d in designations:
        assert d.score_snapshot["checks"] and d.reason
        assert Activity.objects.filter(designation=d).exclude(partner_kind="").exists()
        assert d.problems.exists()
    kinds = set(Activity.objects.values_list("partner_kind", flat=True))
    assert {"lsm", "csr", "desa"} <= kinds


def test_demo_data_end_last_month(demo):
    end = risk_demo.last_month_end(timezone.localdate())
    dates = [*Designation.objects.values_list("decided_on", flat=True),
             *ProgressNote.objects.values_list("date", flat=True),
             *Meeting.objects.values_list("date", flat=True), *Visit.objects.values_list("date", flat=True)]
    assert dates and max(dates) <= end
    assert ActionItem.objects.filter(meeting__kind="pokjanal").count() == 4


def test_demo_partner_user_and_idempotent_build(demo):
    mitra = User.objects.get(username="mitra")
    assert mitra.role == "mitra" and mitra.institution is not None and mitra.check_password("bina-sehat-demo")
    assert mitra.scope.is_empty  # no area: partner pages select by institution
    from binasehat.followups import demo as followups_demo

    counts = (Designation.objects.count(), Activity.objects.count(), ActionItem.objects.count(),
              Meeting.objects.count(), Visit.objects.count())
    risk_demo.build()
    followups_demo.build()
    assert counts == (Designation.objects.count(), Activity.objects.count(), ActionItem.objects.count(),
                      Meeting.objects.count(), Visit.objects.count())

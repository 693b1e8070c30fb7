"""Data set completeness (DHIS2's complete data set registrations and reporting rates): registered by the
entry form or a data value set's ``completeDate``; reporting rate = complete ÷ expected × 100, on time = complete
within 15 days (DHIS2's default ``timelyDays``) after the period ends ÷ expected × 100."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.programs.completeness import CompletionRefused, completion_register, reporting_rates
from binasehat.programs.models import DataSet, DataSetCompletion
from binasehat.regions.models import Region

KEC = "19.03.01"


@pytest.fixture
def dbd():
    return DataSet.objects.get(code="DBD_BULANAN")


def desa_of(kec):
    return list(Region.objects.filter(code__startswith=kec + ".", level=4).order_by("code").values_list("code",
                                                                                                      flat=True))


def test_reporting_rate_and_timeliness_hand_worked(demo, dbd):
    """Kecamatan 19.03.01 has N desa, each expected to send DBD_BULANAN for March 2025 (ends 2025-03-31, on time
    up to 2025-04-15). Desa 1 completes on 2025-04-10 (on time), desa 2 on 2025-04-20 (late):
    rate = 2/N × 100, timeliness = 1/N × 100. Over 2025Q1 the expectation is 3N: rate 2/(3N) × 100."""
    dinkes = User.objects.get(username="dinkes")
    desa = desa_of(KEC)
    n = len(desa)
    completion_register(actor=dinkes, data_set=dbd, org_unit=desa[0], period="2025-03",
                        completed_on=dt.date(2025, 4, 10))
    completion_register(actor=dinkes, data_set=dbd, org_unit=desa[1], period="202503",
                        completed_on=dt.date(2025, 4, 20))
    [march] = reporting_rates(dinkes, period=Period.parse("2025-03"), area=KEC, data_sets=["DBD_BULANAN"])
    assert (march.expected, march.actual, march.on_time) == (n, 2, 1)
    assert march.rate == pytest.approx(200 / n) and march.timeliness == pytest.approx(100 / n)
    [quarter] = reporting_rates(dinkes, period=Period.parse("2025Q1"), area=KEC, data_sets=["DBD_BULANAN"])
    assert (quarter.expected, quarter.actual) == (3 * n, 2) and quarter.rate == pytest.approx(200 / (3 * n))
    # Registering again moves the date (now on time); who and when are recorded and audited.
    again = completion_register(actor=dinkes, data_set=dbd, org_unit=desa[1], period="2025-03",
                                completed_on=dt.date(2025, 4, 15))
    assert again.stored_by == "dinkes" and again.completed_by == dinkes
    [march] = reporting_rates(dinkes, period=Period.parse("2025-03"), area=KEC, data_sets=["DBD_BULANAN"])
    assert march.on_time == 2
    assert AuditEntry.objects.filter(model="programs.datasetcompletion").count() == 3
    # A kecamatan without any completion: 0 %, not "no value"; an area with no units: no row at all.
    [other] = reporting_rates(dinkes, period=Period.parse("2025-03"), area="19.03.02", data_sets=["DBD_BULANAN"])
    assert other.actual == 0 and other.rate == 0.0


def test_registration_is_scoped_and_checked(demo, dbd):
    bidan = User.objects.get(username="bidan")  # desa 19.03.02.2001
    elsewhere = desa_of(KEC)[0]
    with pytest.raises(PermissionDenied):
        completion_register(actor=bidan, data_set=dbd, org_unit=elsewhere, period="2025-03")
    with pytest.raises(CompletionRefused):
        completion_register(actor=bidan, data_set=dbd, org_unit="19.03.02.2001", period="2025")  # yearly period
    with pytest.raises(CompletionRefused):
        completion_register(actor=bidan, data_set=dbd, org_unit="P19030101", period="2025-03")  # not a desa
    future = completion_register(actor=bidan, data_set=dbd, org_unit="19.03.02.2001", period="2025-03",
                                 completed_on=dt.date(2999, 1, 1))
    assert future.completed_on <= dt.date.today()  # DHIS2: a completeDate after today is today
    assert not DataSetCompletion.objects.filter(org_unit=elsewhere).exists()
    # Only the bidan's own desa is expected of her.
    [rate] = reporting_rates(bidan, period=Period.parse("2025-03"), data_sets=["DBD_BULANAN"])
    assert (rate.expected, rate.actual) == (1, 1)


def test_entry_form_marks_complete_and_the_page_shows_rates(demo, client_for, dbd):
    client = client_for("bidan")
    url = reverse("programs:entry", args=["DBD_BULANAN"]) + "?" + urlencode({"unit": "19.03.02.2001",
                                                                            "period": "2025-03"})
    response = client.post(url, {"DBD_KASUS": "2", "complete": "1"})
    assert response.status_code == 302
    done = DataSetCompletion.objects.get(data_set=dbd, org_unit="19.03.02.2001", period="2025-03")
    assert done.stored_by == "bidan"
    assert "Ditandai lengkap" in client.get(url).content.decode()
    page = client.get(reverse("programs:completeness") + "?period=2025-03")
    html = page.content.decode()
    row = re.search(r'<tr id="rate-DBD_BULANAN">(.*?)</tr>', html, re.S).group(1)
    # expected 1, complete 1, on time 0: marked today, long after 2025-04-15; shown with a decimal comma
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert page.status_code == 200 and cells[:3] == ["1", "1", "0"] and cells[3] == "100,0%", cells
    assert client.get(reverse("programs:completeness") + "?wilayah=19.03.01").status_code == 404  # not hers

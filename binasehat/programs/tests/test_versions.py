"""Soft deletes and versions of data values: the entry form carries the versions it showed and a stale form is
refused with both versions; the same value created twice at once is a clear conflict, never a database error;
deleted values are invisible to every reader but the export."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlencode

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.core.periods import Period
from binasehat.programs import selectors
from binasehat.programs.models import DataElement, DataValue
from binasehat.programs.services import NewValue, WriteConflict, datavalues_write, org_unit_of

OWN = "P19030101"


def entry(**params):
    return reverse("programs:entry", args=["TB_BULANAN"]) + "?" + urlencode(params)


def form_fields(html: str) -> dict[str, str]:
    """The inputs of the entry form as a browser would post them back."""
    form = re.search(r'<form method="post"[^>]*id="entry-form">(.*?)</form>', html, re.S).group(1)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def test_a_stale_entry_form_is_refused_with_both_versions(demo, client_for):
    """Two people open the same month; the first saves TB_NOTIFIKASI = stored + 1, the second (whose form still
    shows the old value) saves + 5: the second is refused and told version 1 was seen, version 2 is stored."""
    dv = DataValue.objects.get(org_unit=OWN, period="2025-03", element__code="TB_NOTIFIKASI")
    assert dv.version == 1
    first, second = client_for("puskesmas"), client_for("dinkes")
    form_a = form_fields(first.get(entry(unit=OWN, period="2025-03")).content.decode())
    form_b = form_fields(second.get(entry(unit=OWN, period="2025-03")).content.decode())
    assert form_a["version__TB_NOTIFIKASI"] == "1" and form_a["TB_NOTIFIKASI"] == str(int(dv.value))
    form_a["TB_NOTIFIKASI"] = str(int(dv.value) + 1)
    assert first.post(entry(unit=OWN, period="2025-03"), form_a).status_code == 302
    form_b["TB_NOTIFIKASI"] = str(int(dv.value) + 5)
    response = second.post(entry(unit=OWN, period="2025-03"), form_b)
    html = response.content.decode()
    assert response.status_code == 200
    assert "baru saja diubah orang lain" in html
    assert "TB_NOTIFIKASI P19030101 2025-03: versi yang Anda lihat 1, versi tersimpan 2" in html
    after = DataValue.objects.get(pk=dv.pk)
    assert after.value == dv.value + 1 and after.version == 2  # the first change is kept, nothing reverted
    # Reloading gives the new version, and saving then works.
    form_b = form_fields(second.get(entry(unit=OWN, period="2025-03")).content.decode())
    assert form_b["version__TB_NOTIFIKASI"] == "2"
    form_b["TB_NOTIFIKASI"] = str(int(dv.value) + 5)
    assert second.post(entry(unit=OWN, period="2025-03"), form_b).status_code == 302
    assert DataValue.objects.get(pk=dv.pk).value == dv.value + 5


def test_deletion_is_soft_and_hidden_from_every_reader(demo):
    user = User.objects.get(username="dinkes")
    unit = org_unit_of("19.03.01.2004", "desa")
    element = DataElement.objects.get(code="DBD_KASUS")
    period = Period.parse("2025-02")
    dv = DataValue.objects.get(element=element, org_unit=unit.code, period="2025-02")
    summary = datavalues_write(actor=user, values=[NewValue(element, unit, period, None)])
    assert summary.deleted == 1
    assert not DataValue.objects.filter(pk=dv.pk).exists()  # the default manager: live values only
    gone = DataValue.all_objects.get(pk=dv.pk)
    assert gone.deleted and gone.version == 2 and gone.last_updated > dv.last_updated and gone.value == dv.value
    assert not selectors.datavalues_filtered(user, element="DBD_KASUS", period="2025-02", org_unit=unit.code)
    # Deleting again changes nothing; writing again brings it back as a new value (DHIS2 counts it imported).
    assert datavalues_write(actor=user, values=[NewValue(element, unit, period, None)]).unchanged == 1
    summary = datavalues_write(actor=user, values=[NewValue(element, unit, period, 9.0)])
    assert summary.imported == 1
    back = DataValue.objects.get(pk=dv.pk)
    assert back.value == 9 and not back.deleted and back.version == 3 and back.created == dv.created
    assert back.stored_by == "dinkes"


def test_long_comments_and_followup_are_kept(demo):
    user = User.objects.get(username="dinkes")
    unit = org_unit_of("19.03.01.2004", "desa")
    element = DataElement.objects.get(code="DBD_KASUS")
    comment = "Kasus dari RT 03. " * 40  # 720 characters: DHIS2 allows up to 50000
    datavalues_write(actor=user, values=[NewValue(element, unit, Period.parse("2023-02"), 2.0, comment,
                                                  followup=True)])
    dv = DataValue.objects.get(element=element, org_unit=unit.code, period="2023-02")
    assert dv.comment == comment and dv.followup and dv.version == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers on one lock; the race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_creating_the_same_value_twice_at_once_is_a_conflict_not_a_500(demo):
    """Writer A has inserted the value but not committed; writer B, which did not see it, inserts the same key.
    PostgreSQL makes B wait on the unique index until A commits, then refuses it: B gets WriteConflict."""
    element = DataElement.objects.get(code="DBD_KASUS")
    unit = org_unit_of("19.03.01.2004", "desa")
    period = Period.parse("2023-04")
    outcome = {}

    def writer_b():
        try:
            datavalues_write(actor=User.objects.get(username="dinkes"),
                             values=[NewValue(element, unit, period, 7.0)])
            outcome["b"] = "written"
        except WriteConflict as exc:
            outcome["b"] = str(exc)
        except Exception as exc:  # anything else is the failure this test guards against
            outcome["b"] = repr(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        DataValue.all_objects.create(element=element, org_unit=unit.code, region_id=unit.region_id, period="2023-04",
                                     period_start=period.start, value=5.0)
        thread = threading.Thread(target=writer_b)
        thread.start()
        time.sleep(1.0)
    thread.join(10)
    assert "pada saat yang sama" in outcome["b"], outcome
    assert DataValue.objects.get(element=element, org_unit=unit.code, period="2023-04").value == 5.0

"""A meeting is recorded with attendees, agenda and findings, and each decision becomes an action item; a
guidance visit records findings per posyandu; everything audited and scoped."""

import pytest
from django.urls import reverse

from binasehat.accounts.models import Institution
from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu
from binasehat.followups.models import ActionItem, Meeting, Visit

pytestmark = pytest.mark.django_db


def test_meeting_attendees_and_decisions(demo, client_for):
    client = client_for("dinkes")
    response = client.post(reverse("followups:meetings"), {
        "kind": "lintas_sektor", "level": "kecamatan", "region": "19.03.02", "date": "2026-03-04",
        "place": "Kantor Camat", "agenda": "Stunting", "findings": "PMT belum jalan"})
    m = Meeting.objects.get(kind="lintas_sektor", region_id="19.03.02")
    assert response["Location"] == reverse("followups:meeting", args=[m.pk])
    client.post(reverse("followups:meeting_add", args=[m.pk, "peserta"]),
                {"name": "Camat", "institution": "Kecamatan", "role": "Ketua"})
    pkk = Institution.objects.get(name="TP PKK Kecamatan Toboali")
    client.post(reverse("followups:meeting_add", args=[m.pk, "keputusan"]), {
        "decision": "PKK menyusun jadwal PMT", "owner_name": "Ketua PKK", "owner_email": "pkk@example.org",
        "institution": pkk.pk, "due": "2026-04-01"})
    item = ActionItem.objects.get(meeting=m)
    assert (item.institution, item.region_id, item.status, item.version) == (pkk, "19.03.02", "terbuka", 1)
    assert AuditEntry.objects.filter(model="followups.actionitem", object_pk=str(item.pk)).exists()
    html = client.get(reverse("followups:meeting", args=[m.pk])).content.decode()
    assert "Camat" in html and "PKK menyusun jadwal PMT" in html
    # The puskesmas of another kecamatan does not see it.
    assert client_for("puskesmas").get(reverse("followups:meeting", args=[m.pk])).status_code == 404
    assert client_for("puskesmas").get(reverse("followups:action", args=[item.pk])).status_code == 404


def test_provinsi_reads_but_cannot_record(demo, client_for):
    client = client_for("provinsi")
    assert client.get(reverse("followups:meetings")).status_code == 200
    m = Meeting.objects.first()
    assert client.post(reverse("followups:meeting_add", args=[m.pk, "peserta"]),
                       {"name": "X", "institution": "Y"}).status_code == 403
    assert not m.attendees.filter(name="X").exists()


def test_visit_with_findings_per_posyandu(demo, client_for):
    client = client_for("puskesmas")
    client.post(reverse("followups:visits"), {"date": "2026-05-02", "level": "puskesmas",
                                              "region": "19.03.01.1001", "team": "Tim gizi"})
    v = Visit.objects.get(region_id="19.03.01.1001", date="2026-05-02")
    p = Posyandu.objects.filter(desa_id="19.03.01.1001").first()
    client.post(reverse("followups:visit", args=[v.pk]), {"posyandu": p.pk, "has_sk": "tidak", "stratum": "Madya",
                                                         "kader_budget": "ya", "pmt_budget": "", "note": "SK habis"})
    f = v.findings_per_posyandu.get()
    assert (f.has_sk, f.kader_budget, f.pmt_budget, f.stratum) == (False, True, None, "Madya")
    html = client.get(reverse("followups:visit", args=[v.pk])).content.decode()
    assert p.name in html and "SK habis" in html
    # The demo's visit to Teladan: findings for each of its posyandu.
    demo_visit = Visit.objects.get(region_id="19.03.01.1002")
    assert demo_visit.findings_per_posyandu.count() == Posyandu.objects.filter(desa_id="19.03.01.1002").count()


def test_decision_linked_to_a_plan_activity_and_searchable(demo, client_for):
    from binasehat.risk.models import Activity, Designation

    client = client_for("dinkes")
    d = Designation.objects.get(region_id="19.03.01.1002")
    activity = Activity.objects.filter(designation=d).first()
    client.post(reverse("followups:meetings"), {
        "kind": "lokmin", "level": "desa", "region": d.region_id, "designation": d.pk, "date": "2026-06-04",
        "place": "Puskesmas", "agenda": "Evaluasi"})
    m = Meeting.objects.get(kind="lokmin", region_id=d.region_id, date="2026-06-04")
    assert f'<option value="{activity.pk}">' in client.get(reverse("followups:meeting", args=[m.pk])).content.decode()
    client.post(reverse("followups:meeting_add", args=[m.pk, "keputusan"]), {
        "decision": "Tambah 3 kunjungan rumah", "owner_name": "Bidan", "due": "2026-07-01",
        "institution": Institution.objects.get(name="Kecamatan Toboali").pk, "activity": activity.pk})
    item = ActionItem.objects.get(decision="Tambah 3 kunjungan rumah")
    assert item.activity == activity
    plan = client.get(reverse("risk:plan", args=[d.pk])).content.decode()
    assert reverse("followups:action", args=[item.pk]) in plan
    found = client.get(reverse("followups:actions"), {"q": "kunjungan rumah"}).content.decode()
    assert "Tambah 3 kunjungan rumah" in found and "Jumantik" not in found
    page = client.get(reverse("followups:action", args=[item.pk])).content.decode()
    assert 'class="history"' in page  # the audit trail of the item

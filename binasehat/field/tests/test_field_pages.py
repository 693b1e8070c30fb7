"""The kader's posyandu day and the phone sync endpoint, on the demo district: scoped, idempotent, conflicts kept."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu
from binasehat.field.models import ClientEntry, ServiceVisit
from binasehat.growth.models import Child, Measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def kader(demo):
    return User.objects.get(username="kader")


def sync(client, entries):
    response = client.post("/lapangan/kirim/", data=json.dumps({"entries": entries}), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_home_by_role(demo, client_for):
    assert client_for("kader").get("/").url == "/lapangan/"
    page = client_for("kader").get("/lapangan/")
    assert "Posyandu hari ini" in page.content.decode()
    assert client_for("bidan").get("/").url == "/lapangan/desa/"
    today = timezone.localdate()
    body = client_for("bidan").get("/lapangan/desa/").content.decode()
    assert "laporan belum diisi" in body or "laporan sudah diisi" in body
    assert "/kegiatan/" in body and f"{today.year}-{today.month:02d}" in body
    assert client_for("dinkes").get("/").status_code == 200


def test_register_weigh_and_see_result(kader, client_for):
    client = client_for(kader)
    posyandu = kader.posyandu.get()
    today = timezone.localdate()
    birth = today.replace(day=1) - dt.timedelta(days=400)
    r = client.post(f"/lapangan/posyandu/{posyandu.pk}/", {
        "action": "child", "client_id": str(uuid.uuid4()), "name": "Anak Uji Lapangan", "sex": "P",
        "birth_date": birth.isoformat(), "mother_name": "Ibu Uji"})
    child = Child.objects.get(name="Anak Uji Lapangan")
    assert child.posyandu == posyandu and r.status_code == 302
    assert AuditEntry.objects.filter(model="growth.child", object_pk=str(child.pk), action="create").exists()
    # The same child again (other case and spaces) is a duplicate, as the children import finds it.
    r = client.post(f"/lapangan/posyandu/{posyandu.pk}/", {
        "action": "child", "client_id": str(uuid.uuid4()), "name": "anak  uji lapangan", "sex": "P",
        "birth_date": birth.isoformat(), "mother_name": "ibu uji"})
    assert "sudah terdaftar" in r.content.decode()
    assert Child.objects.filter(name__iexact="Anak Uji Lapangan").count() == 1
    r = client.post(f"/lapangan/posyandu/{posyandu.pk}/", {
        "action": "measurement", "client_id": str(uuid.uuid4()), "child": child.pk,
        "measured_on": today.isoformat(), "weight_kg": "6,1", "lenhei_cm": "70,5", "measure": "l",
        "vitamin_a": "1", "referred": "1", "referral_to": "Puskesmas"}, follow=True)
    body = r.content.decode()
    m = Measurement.objects.get(child=child, measured_on=today)
    assert str(m.weight_kg) == "6.10" and m.posyandu == posyandu
    assert "sev-severe" in body or "sev-moderate" in body  # 6.1 kg at 13 months is far below the median
    assert "rujuk" in body.lower()
    visit = ServiceVisit.objects.get(child=child, visited_on=today)
    assert visit.vitamin_a and visit.referred and visit.referral_to == "Puskesmas"
    # Search by mother's name.
    assert "Anak Uji Lapangan" in client.get(f"/lapangan/posyandu/{posyandu.pk}/?q=ibu+uji").content.decode()


def test_sync_is_idempotent_by_client_id(kader, client_for):
    client = client_for(kader)
    posyandu = kader.posyandu.get()
    today = timezone.localdate()
    child_id, measure_id = str(uuid.uuid4()), str(uuid.uuid4())
    entries = [
        {"client_id": child_id, "kind": "child", "data": {"posyandu": posyandu.pk, "name": "Bayu Luring", "sex": "L",
                                                          "birth_date": (today - dt.timedelta(days=300)).isoformat(),
                                                          "mother_name": "Rina"}},
        {"client_id": measure_id, "kind": "measurement", "base": None,
         "data": {"posyandu": posyandu.pk, "child": f"client:{child_id}", "measured_on": today.isoformat(),
                  "weight_kg": "8,2"}},
    ]
    first = sync(client, entries)
    assert [r["status"] for r in first] == ["ok", "ok"]
    again = sync(client, entries)  # a retry
    assert [r["status"] for r in again] == ["ok", "ok"] and all(r["repeat"] for r in again)
    assert Child.objects.filter(name="Bayu Luring").count() == 1
    assert Measurement.objects.filter(child__name="Bayu Luring").count() == 1
    assert ClientEntry.objects.filter(client_id__in=[child_id, measure_id]).count() == 2


def test_conflict_is_shown_never_overwritten(kader, client_for):
    client = client_for(kader)
    posyandu = kader.posyandu.get()
    today = timezone.localdate()
    child = Child.objects.filter(posyandu=posyandu).first()
    # Someone records today's weighing on the server meanwhile.
    (r,) = sync(client, [{"client_id": str(uuid.uuid4()), "kind": "measurement", "base": None,
                          "data": {"posyandu": posyandu.pk, "child": child.pk, "measured_on": today.isoformat(),
                                   "weight_kg": "10,0"}}])
    assert r["status"] == "ok"
    (r,) = sync(client, [{"client_id": str(uuid.uuid4()), "kind": "measurement", "base": None,
                          "data": {"posyandu": posyandu.pk, "child": child.pk, "measured_on": today.isoformat(),
                                   "weight_kg": "11,5"}}])
    assert r["status"] == "conflict"
    assert r["server"]["weight_kg"] == "10.00" and r["mine"]["weight_kg"] == "11.50"
    assert str(Measurement.objects.get(child=child, measured_on=today).weight_kg) == "10.00"
    # Deciding for one's own version: sent again against the server's version, it is stored.
    (r2,) = sync(client, [{"client_id": str(uuid.uuid4()), "kind": "measurement", "base": r["server"],
                           "data": {"posyandu": posyandu.pk, "child": child.pk, "measured_on": today.isoformat(),
                                    "weight_kg": "11,5"}}])
    assert r2["status"] == "ok"
    assert str(Measurement.objects.get(child=child, measured_on=today).weight_kg) == "11.50"


def test_forged_entry_for_another_posyandu_is_refused_alone(kader, client_for):
    client = client_for(kader)
    own = kader.posyandu.get()
    other = Posyandu.objects.exclude(pk=own.pk).first()
    foreign_child = Child.objects.exclude(posyandu=own).first()
    today = timezone.localdate()
    results = sync(client, [
        {"client_id": str(uuid.uuid4()), "kind": "child", "data": {"posyandu": other.pk, "name": "Palsu", "sex": "L",
                                                                   "birth_date": "2025-01-01"}},
        {"client_id": str(uuid.uuid4()), "kind": "measurement", "base": None,
         "data": {"posyandu": own.pk, "child": foreign_child.pk, "measured_on": today.isoformat(), "weight_kg": "9"}},
        {"client_id": str(uuid.uuid4()), "kind": "child", "data": {"posyandu": own.pk, "name": "Sah Sekali",
                                                                   "sex": "P", "birth_date": "2025-01-01"}},
    ])
    assert [r["status"] for r in results] == ["refused", "refused", "ok"]
    assert "wilayah" in results[0]["reason"] and "posyandu" in results[1]["reason"]
    assert not Child.objects.filter(name="Palsu").exists()
    assert not Measurement.objects.filter(child=foreign_child, measured_on=today).exists()
    assert Child.objects.filter(name="Sah Sekali", posyandu=own).exists()


def test_sync_needs_csrf(kader):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(kader)
    response = client.post("/lapangan/kirim/", data=json.dumps({"entries": []}), content_type="application/json")
    assert response.status_code == 403


def test_monthly_form_shows_suggested_figures(kader, client_for):
    client = client_for(kader)
    posyandu = kader.posyandu.get()
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=min(today.day, 28))
    born = first - dt.timedelta(days=500)
    made = []
    for name, before, now in (("Naik Satu", "9,0", "9,4"), ("Tetap Dua", "9,0", "9,1"), ("Baru Tiga", None, "4,0")):
        entries = [{"client_id": str(uuid.uuid4()), "kind": "child",
                    "data": {"posyandu": posyandu.pk, "name": name, "sex": "L", "birth_date": born.isoformat()}}]
        made.append(entries[0]["client_id"])
        if before:
            entries.append({"client_id": str(uuid.uuid4()), "kind": "measurement", "base": None,
                            "data": {"posyandu": posyandu.pk, "child": f"client:{made[-1]}",
                                     "measured_on": last_month.isoformat(), "weight_kg": before}})
        entries.append({"client_id": str(uuid.uuid4()), "kind": "measurement", "base": None,
                        "data": {"posyandu": posyandu.pk, "child": f"client:{made[-1]}",
                                 "measured_on": today.isoformat(), "weight_kg": now}})
        assert all(r["status"] == "ok" for r in sync(client, entries))
    # Demo children have no weighings in the current month: D = 3 (N: +400 g; T: +100 g < KBM 200 g; B: new).
    from binasehat.field.selectors import skdn_suggestion

    s = skdn_suggestion(kader, posyandu, today.year, today.month)
    assert (s["figures"].d, s["figures"].n, s["figures"].t, s["figures"].b, s["figures"].o) == (3, 1, 1, 1, 0)
    body = client.get(f"/kegiatan/{posyandu.pk}/{today.year}-{today.month:02d}/").content.decode()
    assert "Dihitung dari data anak" in body and 'id="skdn-data"' in body and '"d": 3' in body

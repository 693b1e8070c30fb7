"""The PIS-PK family visit on a phone: applicability per member, the IKS at once (Permenkes 39/2016 Lampiran I)."""

import datetime as dt

import pytest
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.families.models import Family, Survey
from binasehat.field import rules

pytestmark = pytest.mark.django_db


def born(years=0, months=0):
    today = timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=int(years * 365.25 + months * 30.5) + 15))


def test_applicability_hand_cases():
    # A woman of 30 in a family without a baby 0–11 months: nobody answers "persalinan di faskes" (N).
    assert not rules.applicable(2, age_months=360, sex="P", family_has_baby=False, is_head=False)
    assert rules.applicable(2, age_months=360, sex="P", family_has_baby=True, is_head=False)
    assert not rules.applicable(2, age_months=420, sex="L", family_has_baby=True, is_head=True)
    # Imunisasi dasar lengkap: 12–23 months only; ASI eksklusif 7–23; growth monitoring 2–59.
    assert not rules.applicable(3, age_months=8, sex="L", family_has_baby=True, is_head=False)
    assert rules.applicable(4, age_months=8, sex="L", family_has_baby=True, is_head=False)
    assert rules.applicable(5, age_months=59, sex="L", family_has_baby=False, is_head=False)
    assert not rules.applicable(5, age_months=60, sex="L", family_has_baby=False, is_head=False)
    # Water and latrine: the household's, answered on the head's row.
    assert rules.applicable(11, age_months=420, sex="L", family_has_baby=False, is_head=True)
    assert not rules.applicable(12, age_months=360, sex="P", family_has_baby=False, is_head=False)


@pytest.fixture
def bidan(demo):
    return User.objects.get(username="bidan")


def test_register_family_answer_and_see_iks(bidan, client_for):
    client = client_for(bidan)
    desa = bidan.areas.first().code
    r = client.post("/lapangan/keluarga/", {"no_kk": "1903019999000001", "head_name": "Budi Lapangan",
                                            "head_sex": "L", "head_birth_date": born(35).isoformat(), "desa": desa,
                                            "rt": "001", "rw": "002"})
    family = Family.objects.get(no_kk="1903019999000001")
    assert r.status_code == 302 and family.members.count() == 1
    assert AuditEntry.objects.filter(model="families.family", object_pk=str(family.pk)).exists()
    for name, sex, birth, relation in (("Sari", "P", born(30), "pasangan"), ("Dede", "L", born(months=8), "anak")):
        client.post(f"/lapangan/keluarga/{family.pk}/", {"action": "member", "name": name, "sex": sex,
                                                          "birth_date": birth.isoformat(), "relation": relation})
    m = {x.name: x.pk for x in family.members.all()}
    head, wife, baby = m["Budi Lapangan"], m["Sari"], m["Dede"]
    answers = {
        # head: KB Y, TB/hipertensi/jiwa N, smokes (T), JKN Y, water Y, latrine Y
        head: {1: "Y", 6: "N", 7: "N", 8: "N", 9: "T", 10: "Y", 11: "Y", 12: "Y"},
        # wife: KB Y, gave birth at a facility Y, no smoking Y, JKN Y
        wife: {1: "Y", 2: "Y", 6: "N", 7: "N", 8: "N", 9: "Y", 10: "Y"},
        # baby 8 months: ASI eksklusif Y, growth monitoring Y; imunisasi (12–23 months) does not apply
        baby: {3: "Y", 4: "Y", 5: "Y", 8: "N", 9: "Y", 10: "Y"},
    }
    data = {"action": "visit", "visited_on": timezone.localdate().isoformat()}
    for member, given in answers.items():
        data.update({f"a{member}_{i}": v for i, v in given.items()})
    body = client.post(f"/lapangan/keluarga/{family.pk}/", data, follow=True).content.decode()
    survey = Survey.objects.get(family=family)
    # Family values: i1 Y, i2 Y, i3 N (nobody it applies to; the Y posted for the baby is ignored), i4 Y, i5 Y,
    # i6–i8 N, i9 T (one smoker), i10–i12 Y → ΣY 7, ΣT 1, ΣN 4; IKS = 7 / (12 − 4) = 0,875 > 0,800: sehat.
    assert survey.values == "YYNYYNNNTYYY"
    assert (survey.sum_y, survey.sum_t, survey.sum_n, survey.category) == (7, 1, 4, "sehat")
    assert 'id="iks-value">0,875' in body and "Tidak merokok" in body


def test_kader_sees_no_family(demo, client_for):
    family = Family.objects.first()
    assert client_for("kader").get(f"/lapangan/keluarga/{family.pk}/").status_code == 404


def test_family_visit_from_a_phone_is_idempotent_and_conflicts_are_kept(bidan, client_for):
    import json
    import uuid

    client = client_for(bidan)
    family = Family.objects.filter(desa__in=bidan.areas.values("code")).first()
    head = family.members.order_by("birth_date").first()
    today = timezone.localdate().isoformat()

    def send(entries):
        r = client.post("/lapangan/kirim/", json.dumps({"entries": entries}), content_type="application/json")
        return r.json()["results"]

    entry = {"client_id": str(uuid.uuid4()), "kind": "family_visit", "base": None,
             "data": {"family": family.pk, "visited_on": today, f"a{head.pk}_10": "Y"}}
    (first,) = send([entry])
    (again,) = send([entry])
    assert first["status"] == again["status"] == "ok" and again["repeat"]
    assert Survey.objects.filter(family=family, visited_on=today).count() == 1
    stored = Survey.objects.get(family=family, visited_on=today)
    # Another phone that had not seen this visit answers JKN differently: a conflict with both versions.
    (other,) = send([{"client_id": str(uuid.uuid4()), "kind": "family_visit", "base": None,
                      "data": {"family": family.pk, "visited_on": today, f"a{head.pk}_10": "T"}}])
    assert other["status"] == "conflict"
    assert other["server"][str(head.pk)][9] == "Y" and other["mine"][str(head.pk)][9] == "T"
    assert Survey.objects.get(pk=stored.pk).values == stored.values
    # A family outside the area is refused, and nothing else is lost.
    outside = Family.objects.exclude(desa__in=bidan.areas.values("code")).first()
    refused, ok = send([{"client_id": str(uuid.uuid4()), "kind": "family_visit", "base": None,
                         "data": {"family": outside.pk, "visited_on": today}},
                        {"client_id": str(uuid.uuid4()), "kind": "family_visit", "base": other["server"],
                         "data": {"family": family.pk, "visited_on": today, f"a{head.pk}_10": "T"}}])
    assert refused["status"] == "refused" and ok["status"] == "ok"
    assert Survey.objects.get(pk=stored.pk).values[9] == "T"

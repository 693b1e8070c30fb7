"""The monthly record's figures computed from the children's weighings may be entered differently only with a
reason; the form shows the computed figure, the entered one and the difference, and the audit entry keeps the
reason and both figures."""

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.posyandu import services as month_services
from binasehat.posyandu.computed import computed_figures
from binasehat.posyandu.models import PosyanduMonth
from binasehat.posyandu.rules import overrides

pytestmark = pytest.mark.django_db


def test_overrides_hand_cases():
    computed = {"d": 3, "n": 1, "o": 0, "b": 1, "bgm": 1, "t2": 0}
    assert overrides(dict(computed), computed) == {}
    # D typed 4 instead of 3 (+1); O left empty where 0 was computed (no difference can be given).
    assert overrides({**computed, "d": 4, "o": None}, computed) == {
        "d": {"computed": 3, "entered": 4, "difference": 1},
        "o": {"computed": 0, "entered": None, "difference": None}}
    assert overrides({"d": 2}, {}) == {}  # nothing computed: any figure is free


@pytest.fixture
def weighed(demo, client_for):
    """Three children weighed this month at the demo kader's posyandu (as on a phone), hand-counted:
    "Naik Satu" 9,0 → 9,4 kg (+400 g ≥ KBM 200 g at 16 months): N; "Tetap Dua" 9,0 → 9,1 kg (+100 g): T;
    "Baru Tiga" weighed for the first time: B, and 4,0 kg at 16 months is below −3 SD BB/U (WHO boys 16 months:
    −3 SD ≈ 7,7 kg): BGM. So D = 3, N = 1, T = 1, O = 0, B = 1, BGM = 1, 2T = 0."""
    kader = User.objects.get(username="kader")
    client = client_for(kader)
    posyandu = kader.posyandu.get()
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=min(today.day, 28))
    born = first - dt.timedelta(days=500)
    for name, before, now in (("Naik Satu", "9,0", "9,4"), ("Tetap Dua", "9,0", "9,1"), ("Baru Tiga", None, "4,0")):
        child_id = str(uuid.uuid4())
        entries = [{"client_id": child_id, "kind": "child",
                    "data": {"posyandu": posyandu.pk, "name": name, "sex": "L", "birth_date": born.isoformat()}}]
        for day, weight in ((last_month, before), (today, now)):
            if weight:
                entries.append({"client_id": str(uuid.uuid4()), "kind": "measurement", "base": None,
                                "data": {"posyandu": posyandu.pk, "child": f"client:{child_id}",
                                         "measured_on": day.isoformat(), "weight_kg": weight}})
        response = client.post("/lapangan/kirim/", data=json.dumps({"entries": entries}),
                               content_type="application/json")
        assert all(r["status"] == "ok" for r in response.json()["results"]), response.content
    PosyanduMonth.objects.filter(posyandu=posyandu, month=first).delete()
    return kader, posyandu, first, client


DATA = {"opening_days": 1, "kader_on_duty": 5, "s": 40, "k": 38, "d": 3, "n": 1, "o": 0, "b": 1, "bgm": 1, "t2": 0}


def test_computed_figures_are_the_hand_counted_ones(weighed):
    kader, posyandu, first, _client = weighed
    assert computed_figures(kader, posyandu, first) == {"d": 3, "n": 1, "o": 0, "b": 1, "bgm": 1, "t2": 0}


def test_service_same_figures_need_no_reason(weighed):
    kader, posyandu, first, _client = weighed
    record = month_services.month_record(actor=kader, posyandu=posyandu, month=first, data=dict(DATA), version=0,
                                         override_reason="")
    entry = AuditEntry.objects.get(model="posyandu.posyandumonth", object_pk=str(record.pk), action="create")
    assert "override" not in entry.after


def test_service_refuses_an_override_without_reason_and_audits_one_with_reason(weighed):
    kader, posyandu, first, _client = weighed
    with pytest.raises(ValidationError) as refused:
        month_services.month_record(actor=kader, posyandu=posyandu, month=first, data={**DATA, "d": 4}, version=0,
                                    override_reason="")
    assert "override_reason" in refused.value.message_dict
    assert "D berbeda dari yang dihitung" in refused.value.message_dict["override_reason"][0]
    assert not PosyanduMonth.objects.filter(posyandu=posyandu, month=first).exists()
    with pytest.raises(ValidationError):  # blanks are no reason
        month_services.month_record(actor=kader, posyandu=posyandu, month=first, data={**DATA, "d": 4}, version=0,
                                    override_reason="   ")
    record = month_services.month_record(actor=kader, posyandu=posyandu, month=first, data={**DATA, "d": 4},
                                         version=0, override_reason="Satu anak ditimbang di kertas, belum dicatat.")
    assert record.d == 4
    entry = AuditEntry.objects.get(model="posyandu.posyandumonth", object_pk=str(record.pk), action="create")
    assert entry.after["d"] == 4
    assert entry.after["override"] == {"reason": "Satu anak ditimbang di kertas, belum dicatat.",
                                       "figures": {"d": {"computed": 3, "entered": 4, "difference": 1}}}
    # An update keeping the override needs the reason again, and is audited with it.
    with pytest.raises(ValidationError):
        month_services.month_record(actor=kader, posyandu=posyandu, month=first, data={**DATA, "d": 4, "n": 2},
                                    version=record.version, override_reason="")
    month_services.month_record(actor=kader, posyandu=posyandu, month=first, data={**DATA, "d": 4, "n": 2},
                                version=record.version, override_reason="Dua anak naik menurut KMS kertas.")
    update = AuditEntry.objects.get(model="posyandu.posyandumonth", object_pk=str(record.pk), action="update")
    assert update.before["n"] == 1 and update.after["n"] == 2
    assert update.after["override"]["figures"] == {"d": {"computed": 3, "entered": 4, "difference": 1},
                                                   "n": {"computed": 1, "entered": 2, "difference": 1}}


def _form(**kw):
    data = {**DATA, "kader_on_duty": "5", "version": 0, **kw}
    return {k: v for k, v in data.items() if v is not None}


def test_form_prefills_shows_difference_and_requires_a_reason(weighed):
    kader, posyandu, first, client = weighed
    url = f"/kegiatan/{posyandu.pk}/{first.year}-{first.month:02d}/"
    body = client.get(url).content.decode()
    # A new month's form starts from the computed figures.
    assert 'name="d" value="3"' in body and 'name="bgm" value="1"' in body and 'id="computed-figures"' in body
    response = client.post(url, _form(d=2, n=0))
    assert response.status_code == 200
    body = response.content.decode()
    assert "D, N berbeda dari yang dihitung dari data anak" in body
    assert not PosyanduMonth.objects.filter(posyandu=posyandu, month=first).exists()
    # Computed 3, entered 2, difference −1 on D's row; N: 1, 0, −1.
    assert '<tr data-field="d" data-computed="3" class="changed"><th>D</th><td class="computed">3</td>' \
           '<td class="entered">2</td><td class="difference">-1</td></tr>' in body
    assert '<td class="computed">1</td><td class="entered">0</td><td class="difference">-1</td>' in body
    response = client.post(url, _form(d=2, n=0, override_reason="Satu anak salah posyandu."))
    assert response.status_code == 302, response.content.decode()[-2000:]
    record = PosyanduMonth.objects.get(posyandu=posyandu, month=first)
    assert (record.d, record.n) == (2, 0)
    entry = AuditEntry.objects.get(model="posyandu.posyandumonth", object_pk=str(record.pk), action="create")
    assert entry.actor == kader
    assert entry.after["override"] == {"reason": "Satu anak salah posyandu.", "figures": {
        "d": {"computed": 3, "entered": 2, "difference": -1}, "n": {"computed": 1, "entered": 0, "difference": -1}}}


def test_import_of_paper_reports_is_not_checked(weighed):
    """An import of paper reports shows no computed figures and passes no reason (None): stored as given."""
    kader, posyandu, first, _client = weighed
    record = month_services.month_record(actor=kader, posyandu=posyandu, month=first, data={**DATA, "d": 4},
                                         version=0, source="import")
    assert record.d == 4

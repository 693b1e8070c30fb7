"""Two people saving the same monthly record: the second one is told, sees both versions and decides; a form
without a version is refused; values the database cannot hold are refused before anything is written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from binasehat.core.events import data_changed
from binasehat.core.models import AuditEntry
from binasehat.core.tests.live_database import live_db, run_at_once  # noqa: F401 (fixture)
from binasehat.posyandu import services
from binasehat.posyandu.models import PosyanduMonth

from .test_month_entry import form_data

DATA = {"opening_days": 1, "kader_on_duty": Decimal("5"), "s": 40, "k": 38, "d": 30, "n": 20,
        "ibu_hamil_sasaran": 4, "ibu_hamil_dilayani": 2, "kb_sasaran": 30, "kb_dilayani": 15,
        "imunisasi_sasaran": 8, "imunisasi_dilayani": 4, "kk_total": 100, "kk_dana_sehat": 50}


@pytest.fixture
def kader(demo, client_for):
    from binasehat.accounts.models import User

    user = User.objects.get(username="kader")
    return user, user.posyandu.get(), client_for(user)


def test_finding_1a_second_new_record_form_sees_both_versions_and_decides(kader, client_for):
    user, posyandu, client = kader
    PosyanduMonth.objects.filter(posyandu=posyandu, month="2026-10-01").delete()
    url = reverse("posyandu:month", args=[posyandu.pk, 2026, "10"])
    # Both open the empty month (hidden version 0); the bidan saves first.
    assert 'name="version" value="0"' in client.get(url).content.decode()
    bidan = client_for("dinkes")
    assert bidan.post(url, form_data(d=31, n=21, version=0)).status_code == 302
    client.force_login(user)
    response = client.post(url, form_data(d=29, n=19, version=0))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="conflict"' in page
    assert "sudah disimpan orang lain" in page
    record = PosyanduMonth.objects.get(posyandu=posyandu, month="2026-10-01")
    assert record.d == 31 and record.version == 1  # nothing overwritten
    # Both versions side by side: D saved 31, yours 29; the form now carries the stored version.
    assert "<td>31</td><td>29</td>" in page.replace("\n", "")
    assert f'name="version" value="{record.version}"' in page
    # Saving again is a decision: the kader's values win, once.
    assert client.post(url, form_data(d=29, n=19, version=record.version)).status_code == 302
    record.refresh_from_db()
    assert record.d == 29 and record.version == 2


def test_finding_1c_post_without_version_is_refused(kader):
    user, posyandu, client = kader
    url = reverse("posyandu:month", args=[posyandu.pk, 2025, "04"])
    before = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-04-01")
    response = client.post(url, form_data(version=None, d=before.d - 1))
    assert response.status_code == 200 and "tidak menyebut versi" in response.content.decode()
    after = PosyanduMonth.objects.get(pk=before.pk)
    assert after.d == before.d and after.version == before.version
    # Nor does it create a month that does not exist yet.
    PosyanduMonth.objects.filter(posyandu=posyandu, month="2026-09-01").delete()
    url = reverse("posyandu:month", args=[posyandu.pk, 2026, "09"])
    assert "tidak menyebut versi" in client.post(url, form_data(version=None)).content.decode()
    assert not PosyanduMonth.objects.filter(posyandu=posyandu, month="2026-09-01").exists()


def test_finding_1c_services_refuse_an_update_without_version(demo):
    from binasehat.accounts.models import User
    from binasehat.cadres import services as cadres
    from binasehat.cadres.models import Kader
    from binasehat.facilities import services as facilities
    from binasehat.facilities.models import Posyandu

    dinkes = User.objects.get(username="dinkes")
    posyandu = Posyandu.objects.filter(desa__code__startswith="19.03.").order_by("code").first()
    with pytest.raises(facilities.StaleEdit):
        facilities.posyandu_update(actor=dinkes, posyandu=posyandu, data={"name": "Diganti"}, version=None)
    assert Posyandu.objects.get(pk=posyandu.pk).name != "Diganti"
    kader = Kader.objects.filter(posyandu__desa__code__startswith="19.03.").order_by("pk").first()
    with pytest.raises(cadres.StaleEdit):
        cadres.kader_update(actor=dinkes, kader=kader, data={"name": "Diganti"}, version=None)
    assert Kader.objects.get(pk=kader.pk).name != "Diganti"
    with pytest.raises(services.StaleEdit):
        services.month_record(actor=dinkes, posyandu=posyandu, month=dt.date(2025, 4, 1), data=DATA, version=None)


def test_finding_1a_version_zero_means_no_record_and_is_checked(kader):
    user, posyandu, client = kader
    existing = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-04-01")
    with pytest.raises(services.StaleEdit) as caught:
        services.month_record(actor=user, posyandu=posyandu, month=dt.date(2025, 4, 1), data=DATA, version=0)
    assert caught.value.current.pk == existing.pk
    assert PosyanduMonth.objects.get(pk=existing.pk).version == existing.version


def test_finding_2_service_refuses_a_value_the_column_cannot_hold(kader):
    # kader_on_duty is DecimalField(max_digits=4, decimal_places=1): at most 999.9.
    user, posyandu, client = kader
    existing = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-04-01")
    for field, value in [("kader_on_duty", Decimal("123456.7")), ("s", 3_000_000_000)]:
        with pytest.raises(ValidationError) as caught:
            services.month_record(actor=user, posyandu=posyandu, month=dt.date(2025, 4, 1),
                                  data={**DATA, field: value}, version=existing.version)
        assert field in caught.value.message_dict and "tidak dapat disimpan" in caught.value.message_dict[field][0]
    assert PosyanduMonth.objects.get(pk=existing.pk).version == existing.version


def test_finding_1a_eight_concurrent_first_saves_exactly_one_wins(live_db):
    """Eight people save a month that does not exist yet at the same moment, each from a form with version 0:
    one record is created, the seven others get a conflict (never a 500, never a silent overwrite)."""
    from binasehat.accounts.models import User

    user = User.objects.get(username="kader")
    posyandu = user.posyandu.get()
    month = dt.date(2019, 1, 1)  # the demo has no record this far back
    assert not PosyanduMonth.objects.filter(posyandu=posyandu, month=month).exists()

    def cleanup():
        ids = [str(pk) for pk in PosyanduMonth.objects.filter(posyandu=posyandu, month=month).values_list("pk", flat=True)]
        AuditEntry.objects.filter(model="posyandu.posyandumonth", object_pk__in=ids).delete()
        PosyanduMonth.objects.filter(posyandu=posyandu, month=month).delete()
        data_changed.send(sender=PosyanduMonth, source="posyandu", cells=[(posyandu.desa_id, month)])

    live_db.append(cleanup)

    def save(d):
        def run():
            return services.month_record(actor=User.objects.get(pk=user.pk), posyandu=posyandu, month=month,
                                         data={**DATA, "d": d, "n": min(d, 20)}, version=0)
        return run

    results = run_at_once([save(30 - i) for i in range(8)])
    won = [r for r in results if isinstance(r, PosyanduMonth)]
    conflicts = [r for r in results if isinstance(r, services.StaleEdit)]
    assert len(won) == 1 and len(conflicts) == 7, results
    stored = PosyanduMonth.objects.get(posyandu=posyandu, month=month)
    assert stored.d == won[0].d and stored.version == 1
    # Each loser was shown the winner's record.
    assert all(c.current is None or c.current.pk == stored.pk for c in conflicts)
    assert AuditEntry.objects.filter(model="posyandu.posyandumonth", object_pk=str(stored.pk)).count() == 1


def test_finding_1a_concurrent_edits_of_one_version_exactly_one_wins(live_db):
    from binasehat.accounts.models import User

    user = User.objects.get(username="kader")
    posyandu = user.posyandu.get()
    month = dt.date(2019, 2, 1)
    record = services.month_record(actor=user, posyandu=posyandu, month=month, data=DATA, version=0)

    def cleanup():
        AuditEntry.objects.filter(model="posyandu.posyandumonth", object_pk=str(record.pk)).delete()
        PosyanduMonth.objects.filter(pk=record.pk).delete()
        data_changed.send(sender=PosyanduMonth, source="posyandu", cells=[(posyandu.desa_id, month)])

    live_db.append(cleanup)
    results = run_at_once([
        (lambda d=d: services.month_record(actor=User.objects.get(pk=user.pk), posyandu=posyandu, month=month,
                                           data={**DATA, "d": d, "n": 10}, version=record.version))
        for d in (21, 22, 23, 24)
    ])
    assert sum(isinstance(r, PosyanduMonth) for r in results) == 1, results
    assert sum(isinstance(r, services.StaleEdit) for r in results) == 3, results
    assert PosyanduMonth.objects.get(pk=record.pk).version == 2

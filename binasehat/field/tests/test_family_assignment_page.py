"""The page where the puskesmas or Dinas Kesehatan hands out families to visit: surveyors of the user's area only,
families added and taken off as deltas (two organisers never undo each other), audited, scoped."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.families.models import Family
from binasehat.field import selectors, services
from binasehat.field.models import FamilyAssignment
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db

BIDAN_DESA = "19.03.02.2001"  # the demo bidan's desa


@pytest.fixture
def people(demo):
    bidan, dinkes, kader = (User.objects.get(username=u) for u in ("bidan", "dinkes", "kader"))
    mine = [Family.objects.create(no_kk=f"19030220018{i:05d}", head_name=f"Keluarga Bagi {i}", desa_id=BIDAN_DESA,
                                  rt="002", rw="004") for i in range(3)]
    other_desa = Region.objects.filter(code__startswith="19.03.01.", code__regex=r"^[0-9.]{13}$").first()
    other = Family.objects.create(no_kk="1903012001800099", head_name="Keluarga Luar Tugas", desa=other_desa)
    return bidan, dinkes, kader, mine, other


def test_surveyors_are_bidan_and_puskesmas_staff_inside_the_area(people):
    bidan, dinkes, kader, _mine, _other = people
    names = {u.username for u in selectors.surveyors_for(dinkes)}
    assert "bidan" in names and "kader" not in names and "dinkes" not in names
    assert {u.username for u in selectors.surveyors_for(bidan)} == {"bidan"}


def test_page_adds_and_removes_families_and_says_so(people, client_for):
    bidan, dinkes, _kader, mine, other = people
    client = client_for(dinkes)
    url = f"/lapangan/keluarga/penugasan/?petugas={bidan.pk}&rw=004"
    page = client.get(url).content.decode()
    assert "Keluarga Bagi 0" in page and "Keluarga Luar Tugas" not in page  # the surveyor's area only
    response = client.post(url, {"petugas": bidan.pk, "tambah": [mine[0].pk, mine[1].pk]}, follow=True)
    body = response.content.decode()
    assert "2 keluarga ditambahkan, 0 dilepas" in body and "kini 2 keluarga" in body
    assert set(FamilyAssignment.objects.filter(user=bidan).values_list("family_id", flat=True)) == {
        mine[0].pk, mine[1].pk}
    # The surveyor's phone list is now the assigned families.
    families, assigned = selectors.surveyor_families(bidan)
    assert assigned and {f.pk for f in families} == {mine[0].pk, mine[1].pk}
    client.post(url, {"petugas": bidan.pk, "lepas": [mine[0].pk]})
    assert list(FamilyAssignment.objects.filter(user=bidan).values_list("family_id", flat=True)) == [mine[1].pk]
    assert AuditEntry.objects.filter(model="field.familyassignment", action="create").count() == 2
    assert AuditEntry.objects.filter(model="field.familyassignment", action="delete").count() == 1
    # Nothing chosen: told so, nothing written.
    body = client.post(url, {"petugas": bidan.pk}, follow=True).content.decode()
    assert "Belum ada keluarga yang dipilih" in body


def test_two_organisers_deltas_do_not_undo_each_other(people):
    bidan, dinkes, _kader, mine, _other = people
    # Both opened the page when the list was empty; one adds 0, the other adds 1: both stay.
    services.family_assignments_change(actor=dinkes, surveyor=bidan, add=[mine[0].pk])
    services.family_assignments_change(actor=dinkes, surveyor=bidan, add=[mine[1].pk])
    # Adding one already there changes nothing and writes no audit entry.
    services.family_assignments_change(actor=dinkes, surveyor=bidan, add=[mine[1].pk])
    assert FamilyAssignment.objects.filter(user=bidan).count() == 2
    assert AuditEntry.objects.filter(model="field.familyassignment", action="create").count() == 2


def test_scope_and_roles_are_enforced(people, client_for):
    bidan, dinkes, kader, mine, other = people
    with pytest.raises(PermissionDenied):  # the actor does not organise visits
        services.family_assignments_change(actor=kader, surveyor=bidan, add=[mine[0].pk])
    with pytest.raises(PermissionDenied):  # a kader is no surveyor
        services.family_assignments_change(actor=dinkes, surveyor=kader, add=[mine[0].pk])
    with pytest.raises(Exception) as raised:  # outside the surveyor's area
        services.family_assignments_change(actor=dinkes, surveyor=bidan, add=[other.pk])
    assert "wilayah" in str(raised.value)
    assert not FamilyAssignment.objects.exists()
    assert client_for(kader).get("/lapangan/keluarga/penugasan/").status_code == 403
    assert client_for(bidan).get("/lapangan/keluarga/penugasan/").status_code == 403  # no followups.manage
    # A surveyor outside the user's list is a 404, whatever the id.
    assert client_for(dinkes).get(f"/lapangan/keluarga/penugasan/?petugas={kader.pk}").status_code == 404
    assert client_for(dinkes).get("/lapangan/keluarga/penugasan/?petugas=abc").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_of_the_same_family_make_one_assignment(people):
    bidan, dinkes, _kader, mine, _other = people
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    errors = []

    def add():
        try:
            services.family_assignments_change(actor=User.objects.get(pk=dinkes.pk),
                                               surveyor=User.objects.get(pk=bidan.pk), add=[mine[2].pk])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert FamilyAssignment.objects.filter(user=bidan, family=mine[2]).count() == 1


def test_surveyor_list_takes_the_same_queries_however_many_people(people, django_assert_max_num_queries):
    _bidan, dinkes, _kader, _mine, _other = people
    for i in range(6):
        user = User.objects.create_user(username=f"bidan_extra_{i}", password="x", role="bidan_desa")
        user.areas.add(BIDAN_DESA)
    dinkes = User.objects.get(pk=dinkes.pk)
    dinkes.scope  # noqa: B018 - the actor's own scope is read once, outside the count
    with django_assert_max_num_queries(4):
        names = {u.username for u in selectors.surveyors_for(dinkes)}
    assert {f"bidan_extra_{i}" for i in range(6)} | {"bidan"} <= names

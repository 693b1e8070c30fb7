"""A PIS-PK surveyor's families: those assigned to the user, else those of the user's area; only ever inside the
user's scope; the list the service worker keeps for offline visits."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.families.models import Family
from binasehat.families.selectors import families_for_user
from binasehat.field import selectors, services
from binasehat.field.models import FamilyAssignment
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db

BIDAN_DESA = "19.03.02.2001"  # the demo bidan's desa


@pytest.fixture
def people(demo):
    bidan, dinkes, kader = (User.objects.get(username=u) for u in ("bidan", "dinkes", "kader"))
    mine = [Family.objects.create(no_kk=f"19030220019{i:05d}", head_name=f"Keluarga Tugas {i}", desa_id=BIDAN_DESA,
                                  rt="001", rw="001") for i in range(3)]
    other_desa = Region.objects.filter(code__startswith="19.03.01.", code__regex=r"^[0-9.]{13}$").first()
    other = Family.objects.create(no_kk="1903012001900099", head_name="Keluarga Seberang", desa=other_desa)
    return bidan, dinkes, kader, mine, other


def test_without_assignments_the_area_families(people, client_for):
    bidan, _dinkes, _kader, mine, other = people
    families, assigned = selectors.surveyor_families(bidan)
    assert not assigned
    assert {f.pk for f in families} == set(families_for_user(bidan).values_list("pk", flat=True)[:300])
    assert {f.pk for f in mine} <= {f.pk for f in families} and other.pk not in {f.pk for f in families}
    body = client_for(bidan).get("/lapangan/keluarga/").content.decode()
    assert "Keluarga di wilayah Anda" in body and 'id="families" data-precache' in body
    assert "Keluarga Seberang" not in body


def test_assigned_families_only_and_audited(people, client_for):
    bidan, dinkes, _kader, mine, other = people
    services.family_assignments_set(actor=dinkes, surveyor=bidan, families=mine[:2])
    families, assigned = selectors.surveyor_families(bidan)
    assert assigned and [f.head_name for f in families] == ["Keluarga Tugas 0", "Keluarga Tugas 1"]
    body = client_for(bidan).get("/lapangan/keluarga/").content.decode()
    assert "Keluarga tugas kunjungan Anda" in body and "Keluarga Tugas 1" in body and "Keluarga Tugas 2" not in body
    # Each family page in the list is linked, for the service worker to keep.
    assert f'href="/lapangan/keluarga/{mine[0].pk}/"' in body
    assert AuditEntry.objects.filter(model="field.familyassignment", action="create").count() == 2
    # A new list replaces the old one: 1 is dropped (audited), 2 added.
    services.family_assignments_set(actor=dinkes, surveyor=bidan, families=[mine[0], mine[2]])
    assert set(FamilyAssignment.objects.filter(user=bidan).values_list("family_id", flat=True)) == {
        mine[0].pk, mine[2].pk}
    assert AuditEntry.objects.filter(model="field.familyassignment", action="delete").count() == 1
    # Searching still finds every family of the area.
    assert "Keluarga Tugas 1" in client_for(bidan).get("/lapangan/keluarga/?q=Tugas").content.decode()


def test_assignments_stay_inside_scopes(people):
    bidan, dinkes, kader, mine, other = people
    with pytest.raises(ValidationError):  # outside the surveyor's area
        services.family_assignments_set(actor=dinkes, surveyor=bidan, families=[mine[0], other])
    with pytest.raises(PermissionDenied):  # a kader does not organise visits
        services.family_assignments_set(actor=kader, surveyor=bidan, families=[mine[0]])
    with pytest.raises(PermissionDenied):  # the actor must cover the families
        services.family_assignments_set(actor=User.objects.get(username="puskesmas"), surveyor=bidan,
                                        families=[mine[0]])
    assert not FamilyAssignment.objects.exists()
    # An assignment outside the scope (made behind the services' back) shows nothing, and is no way around scope.
    FamilyAssignment.objects.create(user=bidan, family=other)
    families, assigned = selectors.surveyor_families(bidan)
    assert other.pk not in {f.pk for f in families} and not assigned


def test_kader_has_no_families(people, client_for):
    _bidan, _dinkes, kader, _mine, _other = people
    assert selectors.surveyor_families(kader) == ([], False)
    assert "Keluarga Tugas" not in client_for(kader).get("/lapangan/keluarga/").content.decode()

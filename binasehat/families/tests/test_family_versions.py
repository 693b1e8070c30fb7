"""Families and members carry a version: an edit (service) or an import made from an older version is refused and
changes nothing; every update raises the version, so a form opened before an import cannot overwrite it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from binasehat.core.importing import get_importer, run_import
from binasehat.core.models import AuditEntry
from binasehat.core.tabular import MemoryTable
from binasehat.families import rules, services
from binasehat.families.models import Family, Member

NO_KK = "1903010101259901"
DESA = "19.03.01.2004"


@pytest.fixture
def dinkes(demo):
    from binasehat.accounts.models import User

    return User.objects.get(username="dinkes")


@pytest.fixture
def family(dinkes):
    return services.family_register(actor=dinkes, data={"no_kk": NO_KK, "head_name": "Ahmad Sanusi",
                                                        "desa_id": DESA, "address": "Jl. Mawar 3", "rt": "002",
                                                        "rw": "001"},
                                    members=[{"name": "Ahmad Sanusi", "sex": "L", "birth_date": dt.date(1985, 3, 12),
                                              "relation": "kepala", "nik": "1903011203850002"}])


def family_row(**changes):
    row = {"no_kk": NO_KK, "head_name": "Ahmad Sanusi", "desa_code": DESA, "address": "Jl. Mawar 3", "rt": "2",
           "rw": "1", "puskesmas_code": ""}
    return {**row, **changes}


def member_row(**changes):
    row = {"no_kk": NO_KK, "nik": "1903011203850002", "name": "Ahmad Sanusi", "sex": "L", "birth_date": "1985-03-12",
           "relation": "kepala", "visit_date": "2025-07-14", "surveyor": "", "pregnant": "", "breastfeeding": "",
           **dict(zip(rules.COLUMNS, "YNNNNNTNTYYY"))}
    return {**row, **changes}


def test_a_new_family_and_member_start_at_version_1(family):
    assert family.version == 1 and family.members.get().version == 1


def test_family_update_from_the_current_version_saves_raises_the_version_and_audits(dinkes, family):
    updated = services.family_update(actor=dinkes, family=family, data={"head_name": "Ahmad S.", "rt": "003"},
                                     version=1)
    stored = Family.objects.get(pk=family.pk)
    assert (stored.head_name, stored.rt, stored.version) == ("Ahmad S.", "003", 2) and updated.version == 2
    entry = AuditEntry.objects.filter(action="update", object_pk=str(family.pk)).latest("pk")
    assert entry.before["head_name"] == "Ahmad Sanusi" and entry.after["head_name"] == "Ahmad S."


def test_family_update_from_an_older_version_is_refused_and_changes_nothing(dinkes, family):
    services.family_update(actor=dinkes, family=Family.objects.get(pk=family.pk), data={"rt": "003"}, version=1)
    with pytest.raises(services.StaleEdit, match="sudah diubah orang lain"):
        services.family_update(actor=dinkes, family=family, data={"head_name": "Basi"}, version=1)
    with pytest.raises(services.StaleEdit, match="tidak menyebut versi"):
        services.family_update(actor=dinkes, family=family, data={"head_name": "Basi"}, version=None)
    stored = Family.objects.get(pk=family.pk)
    assert (stored.head_name, stored.rt, stored.version) == ("Ahmad Sanusi", "003", 2)


def test_family_update_outside_the_area_is_refused(family, make_user):
    bidan = make_user("bidan_lain", "bidan_desa", areas=["19.03.02.2001"])
    with pytest.raises(PermissionDenied):
        services.family_update(actor=bidan, family=family, data={"head_name": "X"}, version=1)
    own = make_user("bidan_sini", "bidan_desa", areas=[DESA])
    with pytest.raises(PermissionDenied):  # nor moved out of it
        services.family_update(actor=own, family=family, data={"desa_id": "19.03.02.2001"}, version=1)
    assert Family.objects.get(pk=family.pk).version == 1


def test_member_update_checks_the_version(dinkes, family):
    member = family.members.get()
    services.member_update(actor=dinkes, member=member, data={"name": "Ahmad Sanusi Putra"}, version=1)
    with pytest.raises(services.StaleEdit):
        services.member_update(actor=dinkes, member=Member.objects.get(pk=member.pk), data={"name": "Basi"},
                               version=1)
    stored = Member.objects.get(pk=member.pk)
    assert (stored.name, stored.version) == ("Ahmad Sanusi Putra", 2)


def _import(dinkes, kind, rows, progress=None):
    importer = get_importer(kind)(actor=dinkes, scope=dinkes.scope)
    return run_import(importer, [MemoryTable(f"{kind}.csv", rows)], progress=progress)


def test_a_family_import_raises_the_version_so_an_older_form_cannot_overwrite_it(dinkes, family):
    result = _import(dinkes, "families", [family_row(head_name="Ahmad Sanusi Baru")])
    assert result.committed and result.counts()["updated"] == 1
    stored = Family.objects.get(pk=family.pk)
    assert (stored.head_name, stored.version) == ("Ahmad Sanusi Baru", 2)
    with pytest.raises(services.StaleEdit):  # a form opened at version 1, saved after the import
        services.family_update(actor=dinkes, family=family, data={"address": "Jl. Melati"}, version=1)
    assert Family.objects.get(pk=family.pk).address == "Jl. Mawar 3"


def test_a_family_edited_between_validation_and_write_stops_the_import(dinkes, family):
    edits = []

    def progress(rows, fraction):
        if fraction == 1.0 and not edits:
            edits.append(services.family_update(actor=dinkes, family=Family.objects.get(pk=family.pk),
                                                data={"address": "Jl. Melati 1"}, version=1))

    result = _import(dinkes, "families", [family_row(head_name="Dari Impor")], progress)
    assert edits and not result.committed and result.conflicted == 1
    stored = Family.objects.get(pk=family.pk)
    assert (stored.head_name, stored.address, stored.version) == ("Ahmad Sanusi", "Jl. Melati 1", 2)


def test_a_member_edited_between_validation_and_write_stops_the_import(dinkes, family):
    member = family.members.get()
    edits = []

    def progress(rows, fraction):
        if fraction == 1.0 and not edits:
            edits.append(services.member_update(actor=dinkes, member=Member.objects.get(pk=member.pk),
                                                data={"relation": "lain"}, version=1))

    # The member exists and its row changes it (pregnant is not applicable, but the name is corrected).
    result = _import(dinkes, "members", [member_row(name="Ahmad Sanusie")], progress)
    assert edits and not result.committed and result.conflicted == 1
    stored = Member.objects.get(pk=member.pk)
    assert (stored.name, stored.relation, stored.version) == ("Ahmad Sanusi", "lain", 2)


def test_a_member_import_that_changes_the_member_raises_its_version(dinkes, family):
    member = family.members.get()
    result = _import(dinkes, "members", [member_row(name="Ahmad Sanusie")])
    assert result.committed, result.error
    assert Member.objects.get(pk=member.pk).version == 2
    again = _import(dinkes, "members", [member_row(name="Ahmad Sanusie")])  # unchanged: no new version
    assert again.committed and Member.objects.get(pk=member.pk).version == 2

"""The demo's names match sex: no "Arkan Hidayah – Perempuan" or "Putri Anggraini – Laki-laki" among the
children, no woman's name on a male kader, no daughter called Budi."""

import pytest

from binasehat.cadres.models import Kader
from binasehat.demo import build
from binasehat.families import demo as family_demo
from binasehat.families.models import Member
from binasehat.growth.models import Child

pytestmark = pytest.mark.django_db


def _mismatches(rows, names):
    return [(name, sex) for name, sex in rows if name.split()[0] not in names[sex]]


def test_children_kader_and_family_members_have_names_of_their_sex(demo):
    children = list(Child.objects.values_list("name", "sex"))
    assert len(children) > 100 and {s for _n, s in children} == {"L", "P"}
    assert _mismatches(children, {"L": build.BOY_NAMES, "P": build.GIRL_NAMES}) == []

    kader = list(Kader.objects.values_list("name", "sex"))
    assert {s for _n, s in kader} == {"L", "P"}
    assert _mismatches(kader, {"L": build.MEN_GIVEN, "P": build.GIVEN}) == []

    members = list(Member.objects.values_list("name", "sex"))
    assert len(members) > 100
    assert _mismatches(members, {"L": family_demo.MEN, "P": family_demo.WOMEN}) == []


def test_name_lists_keep_the_random_stream():
    """Each list by sex is as long as its counterpart, so a draw consumes the same random numbers (the rest of
    the demo — figures the other tests check — stays the same)."""
    assert len(build.BOY_NAMES) == len(build.GIRL_NAMES) == 22
    assert len(build.MEN_GIVEN) == len(build.GIVEN) and len(build.MALE_FAMILY) == len(build.FAMILY)
    assert not set(build.BOY_NAMES) & set(build.GIRL_NAMES)
    assert family_demo._given_for("Budi", "P") in family_demo.WOMEN
    assert family_demo._given_for("Siti", "L") in family_demo.MEN
    assert family_demo._given_for("Siti", "P") == "Siti"

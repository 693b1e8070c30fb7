"""Kader level rules set by the district in the app: checked, version-guarded, audited, and every kader's level
follows at once (levels are computed when read).

Worked case (reference/skills.json): Purwa needs the groups "pengelolaan" and "balita" and 3 groups in all,
Madya the same two and 4. A kader with exactly 3 completed groups is Purwa; once the district asks 4 groups for
Purwa, the same kader has no level yet."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binasehat.cadres import rules, services
from binasehat.cadres.models import Kader, Level, Skill
from binasehat.cadres.selectors import levels_for, skills_by_group
from binasehat.core import district_settings
from binasehat.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _purwa_with_three_groups() -> int:
    by_group = skills_by_group()
    not_required = set(Skill.objects.filter(placeholder=True).values_list("code", flat=True))
    ids = list(Kader.objects.values_list("pk", flat=True))
    levels = levels_for(ids)
    for pk in ids:
        if levels[pk] != "purwa":
            continue
        passed = list(Kader.objects.get(pk=pk).skills.values_list("code", flat=True))
        if len(rules.completed_groups(passed, by_group, not_required)) == 3:
            return pk
    pytest.skip("no Purwa kader with exactly three groups in the demo")


def test_level_rule_change_moves_kader_and_is_audited(demo, make_user):
    user = make_user("dinkes-lv", "dinkes", areas=["19.03"])
    kader = _purwa_with_three_groups()
    purwa = Level.objects.get(code="purwa")
    assert (purwa.required_groups, purwa.min_groups) == (["pengelolaan", "balita"], 3)
    services.level_update(actor=user, level=purwa, required_groups=["balita", "pengelolaan"], min_groups=4,
                          version=services.level_version(purwa))
    assert levels_for([kader])[kader] is None
    purwa.refresh_from_db()
    assert purwa.required_groups == ["pengelolaan", "balita"] and purwa.min_groups == 4
    entry = AuditEntry.objects.filter(model="cadres.level", object_pk="purwa").latest("pk")
    assert entry.before["min_groups"] == 3 and entry.after["min_groups"] == 4 and entry.actor_name == "dinkes-lv"


def test_level_rule_checks(demo, make_user):
    user = make_user("dinkes-lv2", "dinkes", areas=["19.03"])
    purwa = Level.objects.get(code="purwa")
    version = services.level_version(purwa)

    def update(groups, minimum, v=version):
        services.level_update(actor=user, level=purwa, required_groups=groups, min_groups=minimum, version=v)

    with pytest.raises(ValidationError, match="tidak dikenal: gizi"):
        update(["pengelolaan", "gizi"], 3)
    with pytest.raises(ValidationError, match="antara 2 .* dan 5"):
        update(["pengelolaan", "balita"], 1)
    # Purwa asking 5 groups would be harder than Madya (4).
    with pytest.raises(ValidationError, match="tidak boleh lebih mudah"):
        update(["pengelolaan", "balita"], 5)
    update(["pengelolaan", "balita"], 4)
    with pytest.raises(district_settings.VersionConflict):
        update(["pengelolaan", "balita"], 3)  # the form opened before the change
    with pytest.raises(PermissionDenied):
        services.level_update(actor=make_user("bidan-lv", "bidan_desa", areas=["19.03.02.2001"]), level=purwa,
                              required_groups=["pengelolaan"], min_groups=3,
                              version=services.level_version(Level.objects.get(code="purwa")))


def test_levels_page_post(demo, client_for):
    client = client_for("dinkes")
    page = client.get(reverse("cadres:levels")).content.decode()
    assert 'id="level-form-utama"' in page
    version = page.split('name="level" value="utama"><input type="hidden" name="version" value="')[1].split('"')[0]
    response = client.post(reverse("cadres:levels"), {"level": "utama", "version": version,
                                                       "required": ["pengelolaan", "balita", "ibu"],
                                                       "min_groups": "5"}, follow=True)
    assert "Aturan tingkat Utama tersimpan" in response.content.decode()
    assert Level.objects.get(code="utama").required_groups == ["pengelolaan", "balita", "ibu"]
    again = client.post(reverse("cadres:levels"), {"level": "utama", "version": version, "required": ["balita"],
                                                    "min_groups": "5"}, follow=True)
    assert "sudah diubah orang lain" in again.content.decode()
    # Madya asking "ibu" while Utama does not would make Madya harder than Utama: refused, with the reason.
    page = client.get(reverse("cadres:levels")).content.decode()
    version = page.split('name="level" value="utama"><input type="hidden" name="version" value="')[1].split('"')[0]
    client.post(reverse("cadres:levels"), {"level": "utama", "version": version,
                                           "required": ["pengelolaan", "balita"], "min_groups": "5"})
    page = client.get(reverse("cadres:levels")).content.decode()
    version = page.split('name="level" value="madya"><input type="hidden" name="version" value="')[1].split('"')[0]
    refused = client.post(reverse("cadres:levels"), {"level": "madya", "version": version,
                                                     "required": ["pengelolaan", "balita", "ibu"],
                                                     "min_groups": "4"}, follow=True).content.decode()
    assert "Tingkat Madya tidak boleh lebih mudah" in refused and "(Utama)" in refused
    assert Level.objects.get(code="madya").required_groups == ["pengelolaan", "balita"]

"""District targets edited in the app: validation of years, overlaps and source, the version check, the audit
row, national targets kept as shipped, who may edit, and figures that change at once.

Worked case (RULES.md §6.3, Instrumen Kabupaten/Kota Sehat 2023: ABJ ≥ 95 % from 2023): a desa with 1 880 of
2 000 houses free of larvae has ABJ 94,0 % and misses the national target; a district target of 90 % for 2023
(an SK of the Kepala Dinas) makes the same figure "tercapai", and removing it brings the national 95 % back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binasehat.core import district_settings
from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.indicators import engine, services
from binasehat.indicators.models import Indicator
from binasehat.programs.models import DataElement
from binasehat.programs.services import NewValue, OrgUnit, datavalues_write

pytestmark = pytest.mark.django_db
DESA, YEAR = "19.03.01.1002", 2023
SK = "SK Kepala Dinas Kesehatan No. 440/123/Dinkes/2023"


def _abj():
    return Indicator.objects.get(code="ABJ")


def _update(user, district, version=None, indicator=None):
    indicator = indicator or _abj()
    return services.targets_update(actor=user, indicator=indicator, district=district,
                                   version=version or services.targets_version(indicator))


def test_pure_overlap_check():
    assert services.overlapping([{"from": 2020, "to": 2022}, {"from": 2023, "to": None}]) == []
    assert services.overlapping([{"from": 2020, "to": 2023}, {"from": 2023, "to": 2024}]) == [(0, 1)]
    assert services.overlapping([{"from": None, "to": None}, {"from": 2030, "to": 2030}]) == [(0, 1)]


def test_validation_every_problem_by_row(demo, make_user):
    user = make_user("dinkes-t1", "dinkes", areas=["19.03"])
    with pytest.raises(ValidationError) as e:
        _update(user, [{"value": -1, "from": 2025, "to": 2024, "source": ""}])
    text = " ".join(e.value.messages)
    assert "Baris 1: target harus angka tidak negatif." in text
    assert "tahun mulai 2025 sesudah tahun akhir 2024" in text
    assert "Baris 1: tuliskan sumber target" in text
    with pytest.raises(ValidationError) as e:
        _update(user, [{"value": 90, "from": 2023, "to": 2025, "source": SK},
                       {"value": 92, "from": 2025, "to": None, "source": SK}])
    assert "Target 2023–2025 dan 2025–… berlaku pada tahun yang sama" in e.value.messages[0]
    with pytest.raises(ValidationError):
        _update(user, [{"value": 90, "from": 1899, "to": None, "source": SK}])
    assert _abj().targets == [t for t in _abj().targets if not t.get("district")]  # nothing stored


def test_national_targets_kept_district_after_them_audited(demo, make_user):
    user = make_user("dinkes-t2", "dinkes", areas=["19.03"])
    national = services.national_targets(_abj())
    assert national and national[0]["value"] == 95
    _update(user, [{"value": 92, "from": 2026, "to": None, "source": SK}, {"value": 90, "from": 2023, "to": 2025,
                                                                          "source": f"  {SK} "}])
    ind = _abj()
    # National first, as shipped; district entries sorted by year, marked, source trimmed and kept.
    assert ind.targets == [*national,
                           {"value": 90, "from": 2023, "to": 2025, "source": SK, "district": True},
                           {"value": 92, "from": 2026, "to": None, "source": SK, "district": True}]
    assert ind.target_for(2024) == 90.0 and ind.target_source(2024) == SK and ind.target_is_district(2024)
    entry = AuditEntry.objects.filter(model="indicators.indicator", object_pk=str(ind.pk)).latest("pk")
    assert entry.actor_name == "dinkes-t2" and entry.action == "update"
    assert entry.before == {"targets": national} and entry.after == {"targets": ind.targets}


def test_version_conflict(demo, make_user):
    user = make_user("dinkes-t3", "dinkes", areas=["19.03"])
    opened = services.targets_version(_abj())
    _update(user, [{"value": 90, "from": 2023, "to": None, "source": SK}], version=opened)
    with pytest.raises(district_settings.VersionConflict):
        _update(user, [{"value": 85, "from": 2023, "to": None, "source": SK}], version=opened)
    with pytest.raises(district_settings.VersionConflict):
        services.targets_update(actor=user, indicator=_abj(), district=[], version=None)
    assert _abj().target_for(2023) == 90.0


def test_who_may_change(demo, make_user):
    pkm = make_user("pkm-t", "puskesmas", areas=["19.03.01"])
    with pytest.raises(PermissionDenied):
        _update(pkm, [])
    # A dinkes user whose area is one kecamatan does not cover the district: the targets hold for all of it.
    narrow = make_user("dinkes-narrow", "dinkes", areas=["19.03.01"])
    assert not district_settings.may_change(narrow)
    with pytest.raises(PermissionDenied):
        _update(narrow, [])
    assert district_settings.may_change(make_user("dinkes-t4", "dinkes", areas=["19.03"]))


def test_figure_changes_after_a_target_edit(demo, make_user, client_for):
    user = make_user("dinkes-t5", "dinkes", areas=["19.03"])
    el = {e.code: e for e in DataElement.objects.filter(code__startswith="JENTIK_RUMAH_")}
    unit = OrgUnit(DESA, DESA)
    datavalues_write(actor=user, values=[
        NewValue(el["JENTIK_RUMAH_DIPERIKSA"], unit, Period.month(YEAR, 3), 2000),
        NewValue(el["JENTIK_RUMAH_POSITIF"], unit, Period.month(YEAR, 3), 120)])

    def figure():
        return engine.table([_abj()], [DESA], [Period(YEAR)])[("ABJ", DESA, str(YEAR))]

    before = figure()
    assert before.value == pytest.approx(94.0) and before.target == 95.0 and before.meets is False
    client = client_for(user)
    page = client.get(reverse("settings:target_edit", args=["ABJ"])).content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    response = client.post(reverse("settings:target_edit", args=["ABJ"]), {
        "version": version, "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
        "form-0-value": "90", "form-0-start": "2023", "form-0-end": "2023", "form-0-source": SK,
        "form-1-value": "", "form-1-start": "", "form-1-end": "", "form-1-source": ""})
    assert response.status_code == 302
    after = figure()
    assert after.value == before.value and after.target == 90.0 and after.meets is True
    # Removing the district target brings the national one back.
    page = client.get(reverse("settings:target_edit", args=["ABJ"])).content.decode()
    assert SK in page
    version = page.split('name="version" value="')[1].split('"')[0]
    client.post(reverse("settings:target_edit", args=["ABJ"]), {
        "version": version, "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1",
        "form-0-value": "", "form-0-start": "", "form-0-end": "", "form-0-source": ""})
    assert figure().target == 95.0 and figure().meets is False


def test_a_stale_form_is_refused_on_the_page(demo, make_user, client_for):
    user = make_user("dinkes-t6", "dinkes", areas=["19.03"])
    client = client_for(user)
    response = client.post(reverse("settings:target_edit", args=["ABJ"]), {
        "version": "0000000000000000", "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
        "form-0-value": "90", "form-0-start": "2023", "form-0-end": "", "form-0-source": SK}, follow=True)
    assert "sudah diubah orang lain" in response.content.decode()
    assert _abj().target_for(2023) == 95.0

"""Posyandu verdicts do not freeze on the day they were computed.

Rule (RULES.md §2.1–2.2 applied per year): a year that is over is judged on its twelve months; the current year on
January to the last complete month, marked "sementara s.d. <bulan>"; the stored evaluation says which months it
covered and which rule set version it used; a past year keeps the version in force that year. A verdict becomes
stale when a month closes (or the year ends, or another version is in force for its year) and is refreshed then:
by ``posyandu_assess --refresh-stale`` (cron) and, on read, by the selectors that show verdicts.

Hand-worked case, a posyandu that stops reporting in June 2025: records January–June, each month opened once,
S = 40, D = 24 (D/S 60 %), 5 kader on duty, 5 kader with SK, KIA 2/4, KB 15/30, imunisasi 4/8, dana sehat 50/100
KK, tools yes, an extra activity in January; no record from July on.
* seen in July 2025 (any day): covers Jan–Jun (6 months), provisional; 6 opened months < 8 → Pratama, not aktif;
  rerata D/S = 60 % (mean over the 6 opened months).
* seen in October 2025 with no new record: the verdict is stale (covers 6, the year has 9 complete months) and is
  refreshed to cover Jan–Sep; still 6 opened months.
* seen in January 2026: 2025 is over; final verdict over 12 months; still Pratama, not aktif; D/S still 60 %
  (the 6 unreported months are not counted as 0 % D/S: they already fail the frequency criterion).
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from binasehat.assessments import services
from binasehat.assessments.loading import in_force
from binasehat.assessments.models import PosyanduEvaluation, RuleSet
from binasehat.cadres.models import Kader
from binasehat.facilities.models import Posyandu
from binasehat.posyandu.models import PosyanduMonth

JULY, OCTOBER, NEXT_JANUARY = dt.date(2025, 7, 15), dt.date(2025, 10, 2), dt.date(2026, 1, 5)


@pytest.fixture
def stops_in_june(demo):
    p = Posyandu.objects.create(code="UJI-JUNI", name="Posyandu Uji Juni", desa_id="19.03.01.1001",
                                founded_on=dt.date(2010, 1, 1))
    for i in range(5):
        Kader.objects.create(nik=f"19030141019{i}0001", name=f"Kader Uji {i}", sex="P", posyandu=p,
                             sk_number=f"141/{i}/SK/2024", sk_date=dt.date(2024, 1, 10))
    for month in range(1, 7):
        PosyanduMonth.objects.create(
            posyandu=p, month=dt.date(2025, month, 1), opening_days=1, kader_on_duty=5, s=40, k=40, d=24, n=20,
            ibu_hamil_sasaran=4, ibu_hamil_dilayani=2, kb_sasaran=30, kb_dilayani=15, imunisasi_sasaran=8,
            imunisasi_dilayani=4, kk_total=100, kk_dana_sehat=50, alat_pantau=True, kegiatan_tambahan=month == 1)
    return p


def verdict(p, year=2025):
    return {e.ruleset_code: e for e in PosyanduEvaluation.objects.filter(posyandu=p, year=year)}


def test_stops_reporting_in_june(stops_in_june):
    p = stops_in_june
    services.posyandu_evaluate(year=2025, posyandu_ids=[p.pk], today=JULY)
    v = verdict(p)
    strata, aktif = v["posyandu-strata-2011"], v["posyandu-aktif"]
    assert strata.months_covered == aktif.months_covered == 6 and not strata.final
    assert strata.through == dt.date(2025, 6, 1)
    assert strata.result == "Pratama" and aktif.result == "tidak"
    assert strata.inputs["opening_months"] == 6 and strata.inputs["ds_avg"] == pytest.approx(60.0)
    assert strata.ruleset.version == "2011.2" and aktif.ruleset.version == "2020.1"

    # Any day of July gives the same months: the verdict is not stale on the 31st.
    assert services.stale_posyandu(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk),
                                   today=dt.date(2025, 7, 31)) == []
    # October, no new record: stale, refreshed to January–September.
    assert services.verdicts_refresh(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk),
                                     today=OCTOBER) == 1
    v = verdict(p)
    assert v["posyandu-aktif"].months_covered == 9 and v["posyandu-aktif"].through == dt.date(2025, 9, 1)
    assert v["posyandu-strata-2011"].inputs["opening_months"] == 6
    # The year is over: final over twelve months.
    assert services.verdicts_refresh(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk),
                                     today=NEXT_JANUARY) == 1
    v = verdict(p)
    strata, aktif = v["posyandu-strata-2011"], v["posyandu-aktif"]
    assert strata.months_covered == 12 and strata.final and aktif.final
    assert strata.result == "Pratama" and aktif.result == "tidak"
    assert strata.inputs["ds_avg"] == pytest.approx(60.0)
    assert aktif.inputs["services_8_months"] == 0
    # Nothing left to refresh, however late it is looked at.
    assert services.stale_posyandu(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk),
                                   today=dt.date(2031, 3, 3)) == []


def test_no_verdict_before_a_month_is_complete(stops_in_june):
    assert services.posyandu_evaluate(year=2025, posyandu_ids=[stops_in_june.pk], today=dt.date(2025, 1, 20)) == 0
    assert verdict(stops_in_june) == {}


def test_past_year_keeps_the_rule_set_version_in_force_that_year(stops_in_june):
    """A 2027 version of Posyandu Aktif (here: ≥ 6 kader with SK) does not touch 2025; a correction valid from 2025
    makes the 2025 verdicts stale and they are re-judged with it."""
    p = stops_in_june
    base = in_force("posyandu-aktif", 2025)
    stricter = {**base.definition, "version": "2027.1", "valid_from": 2027}
    stricter["criteria"] = [dict(c, value=6) if c["indicator"] == "kader_sk" else c
                            for c in base.definition["criteria"]]
    RuleSet.objects.create(code="posyandu-aktif", version="2027.1", title="uji", source="uji", definition=stricter,
                           valid_from=2027)
    assert in_force("posyandu-aktif", 2025) == base
    assert in_force("posyandu-aktif", 2027).version == "2027.1"
    services.posyandu_evaluate(year=2025, posyandu_ids=[p.pk], today=NEXT_JANUARY)
    assert verdict(p)["posyandu-aktif"].ruleset == base
    assert services.stale_posyandu(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk),
                                   today=NEXT_JANUARY) == []
    RuleSet.objects.create(code="posyandu-aktif", version="2020.2", title="koreksi", source="uji",
                           definition={**base.definition, "version": "2020.2"}, valid_from=2025)
    assert services.stale_posyandu(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk),
                                   today=NEXT_JANUARY) == [p.pk]
    services.verdicts_refresh(year=2025, posyandu_queryset=Posyandu.objects.filter(pk=p.pk), today=NEXT_JANUARY)
    assert verdict(p)["posyandu-aktif"].ruleset.version == "2020.2"


def test_refresh_stale_command_for_cron(demo):
    """Only stale verdicts are re-evaluated: one made stale by hand, none else."""
    ev = PosyanduEvaluation.objects.filter(year=2025).first()
    PosyanduEvaluation.objects.filter(posyandu_id=ev.posyandu_id, year=2025).update(months_covered=5)
    out = io.StringIO()
    call_command("posyandu_assess", "--refresh-stale", "--year", "2025", stdout=out)
    assert out.getvalue().startswith("2025: 1 posyandu re-evaluated (12 months)")
    assert set(PosyanduEvaluation.objects.filter(posyandu_id=ev.posyandu_id, year=2025)
               .values_list("months_covered", flat=True)) == {12}
    out = io.StringIO()
    call_command("posyandu_assess", "--refresh-stale", "--year", "2025", stdout=out)
    assert out.getvalue().startswith("2025: 0 posyandu re-evaluated")


def test_pages_refresh_stale_verdicts_and_mark_the_current_year(stops_in_june, client_for):
    """On read: a stale verdict is refreshed before the page shows it; the current year says "sementara s.d."."""
    p = stops_in_june
    services.posyandu_evaluate(year=2025, posyandu_ids=[p.pk], today=JULY)
    page = client_for("dinkes").get(f"{reverse('reports:posyandu_year', args=[p.pk])}?tahun=2025")
    assert page.status_code == 200
    assert set(PosyanduEvaluation.objects.filter(posyandu=p, year=2025)
               .values_list("months_covered", flat=True)) == {12}
    assert "sementara s.d." not in page.content.decode()
    today = timezone.localdate()
    months = services.months_covered(today.year)
    if months == 0:
        pytest.skip("January: the current year has no complete month yet")
    PosyanduMonth.objects.create(posyandu=p, month=dt.date(today.year, 1, 1), opening_days=1, s=10, d=5)
    url = reverse("reports:posyandu_year", args=[p.pk])
    html = client_for("dinkes").get(f"{url}?tahun={today.year}").content.decode()
    from django.utils.formats import date_format

    assert f"sementara s.d. {date_format(dt.date(today.year, months, 1), 'F Y')}" in html
    recap = client_for("dinkes").get(f"{reverse('reports:pokjanal')}?tahun={today.year}").content.decode()
    assert "sementara s.d." in recap

"""The demo tells the seed's story from records, nothing typed:

* Posyandu Aktif (Kemenkes DO, 5 criteria) computed from the 2025 monthly records and the kader registry of
  Kabupaten Bangka Selatan: 117 of 122 = 95,90 %; the five others fail for different, visible reasons;
* kader at every level (Purwa, Madya, Utama) from their passed skills;
* the risk kelurahan Teladan (19.03.01.1002, Kecamatan Toboali), PIS-PK 2025: TB treated 10 / 33 = 30,3 %,
  mental illness treated 18 / 31 = 58,1 % (families Y ÷ families Y + T, RULES.md §1.4);
* dengue in Kecamatan Toboali 13 cases more in 2025 than in 2024, most of them in Teladan;
* records run to the last complete month before today; no percentage can pass 100 %, also annualised.
"""

import csv
import datetime as dt
import io
from collections import defaultdict

from django.core.management import call_command
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.assessments.models import PosyanduEvaluation
from binasehat.cadres.models import Kader
from binasehat.cadres.selectors import levels_for
from binasehat.demo.build import demo_months
from binasehat.families.selectors import area_figures
from binasehat.posyandu.models import PosyanduMonth
from binasehat.programs.models import DataValue
from binasehat.regions.models import Region
from binasehat.reports.selectors import pokjanal_recap
from binasehat.reports.templatetags.recap import pct


def test_posyandu_aktif_2025_is_computed_117_of_122(demo, client_for):
    out = io.StringIO()
    call_command("posyandu_assess", "--year", "2025", "--area", "19.03", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 122 and sum(r["aktif"] == "ya" for r in rows) == 117
    assert {r["months"] for r in rows} == {"12"}
    _rows, total = pokjanal_recap(User.objects.get(username="dinkes"), 2025, Region.objects.get(code="19.03"))
    assert (total.aktif, total.posyandu) == (117, 122)
    assert pct(100 * total.aktif / total.posyandu, 2) == "95,90"
    page = client_for("dinkes").get(reverse("reports:pokjanal") + "?tahun=2025&wilayah=19.03").content.decode()
    assert "117 dari 122 posyandu aktif (95,9%)" in page


def test_the_five_fail_for_different_visible_reasons(demo):
    """Each misses its own criterion: the posyandu that stopped reporting in July opened 6 months (so its services
    cannot reach 8 months either); one has 4 kader with SK; one reaches 50 % in only 1 service; one has no
    growth-monitoring tools; one had no extra activity."""
    failing = PosyanduEvaluation.objects.filter(year=2025, ruleset_code="posyandu-aktif", result="tidak")
    missing = sorted(sorted(c["indicator"] for c in e.missing) for e in failing)
    assert missing == sorted([["opening_months", "services_8_months"], ["kader_sk"], ["services_8_months"],
                              ["alat_pantau"], ["extra_program"]])
    by = {tuple(sorted(c["indicator"] for c in e.missing)): e for e in failing}
    assert by[("opening_months", "services_8_months")].inputs["opening_months"] == 6
    assert by[("kader_sk",)].inputs["kader_sk"] == 4
    assert by[("services_8_months",)].inputs["services_8_months"] == 1


def test_kader_levels_purwa_madya_utama_occur(demo):
    levels = set(levels_for(list(Kader.objects.values_list("pk", flat=True))).values())
    assert {"purwa", "madya", "utama", None} <= levels


def test_teladan_pispk_coverages(demo):
    figures, _known = area_figures(User.objects.get(username="dinkes"), 2025, "desa")
    teladan = figures["19.03.01.1002"]
    assert Region.objects.get(code="19.03.01.1002").name == "Teladan"
    assert (teladan.y[5], teladan.t[5]) == (10, 23) and pct(float(100 * teladan.coverage(6))) == "30,3"
    assert (teladan.y[7], teladan.t[7]) == (18, 13) and pct(float(100 * teladan.coverage(8))) == "58,1"


def test_dengue_in_toboali_rose_by_13_mostly_in_teladan(demo):
    def cases(prefix, year):
        return DataValue.objects.filter(element__code="DBD_KASUS", period_start__year=year,
                                        region__code__startswith=prefix).aggregate(s=Sum("value"))["s"]

    assert cases("19.03.01.", 2025) - cases("19.03.01.", 2024) == 13
    rise = cases("19.03.01.1002", 2025) - cases("19.03.01.1002", 2024)
    assert rise > 13 / 2


def test_records_run_to_last_month(demo):
    today = timezone.localdate()
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    assert demo_months(today)[-1] == last
    assert demo_months(dt.date(2026, 12, 2))[-1] == (2026, 11)
    assert demo_months(dt.date(2027, 1, 5))[-1] == (2026, 12) and len(demo_months(dt.date(2027, 1, 5))) == 24
    assert PosyanduMonth.objects.aggregate(m=Max("month"))["m"] == dt.date(*last, 1)
    assert DataValue.objects.aggregate(m=Max("period_start"))["m"] == dt.date(*last, 1)
    months = PosyanduEvaluation.objects.filter(year=today.year).values_list("months_covered", flat=True)
    assert set(months) == ({last[1]} if last[0] == today.year else set())


YEARLY = {"TB_NOTIFIKASI": "TB_ESTIMASI_INSIDEN", "TB_DIOBATI": "TB_ESTIMASI_INSIDEN",
          "TB_KASUS_BARU_KAMBUH": "TB_ESTIMASI_INSIDEN", "TB_TERDUGA_DILAYANI": "TB_TERDUGA_SASARAN",
          "ODGJ_DILAYANI": "ODGJ_PROYEKSI", "JIWA_SKRINING": "JIWA_SKRINING_SASARAN"}


def test_no_percentage_above_100_even_annualised(demo):
    """Per puskesmas, kecamatan and kabupaten: a month's count × 12, a quarter's × 4 and the year's stay below
    the yearly denominator; cumulative January → month m × 12 / m as well. Posyandu: K ≤ S, D ≤ S, N ≤ D."""
    monthly = defaultdict(float)  # (element, area, year, month)
    yearly = defaultdict(float)
    for code, unit, region, start, kind, value in DataValue.objects.filter(
            element__code__in=set(YEARLY) | set(YEARLY.values())).values_list(
            "element__code", "org_unit", "region_id", "period_start", "period", "value"):
        for area in (unit, region, region[:5]):  # puskesmas, kecamatan, kabupaten
            if len(kind) == 4:
                yearly[(code, area, start.year)] += value
            else:
                monthly[(code, area, start.year, start.month)] += value
    checked = 0
    for (code, area, year, month), value in monthly.items():
        den = yearly[(YEARLY[code], area, year)]
        assert value * 12 < den or value == 0, (code, area, year, month, value, den)
        q = (month - 1) // 3 * 3
        quarter = sum(monthly.get((code, area, year, q + i), 0) for i in (1, 2, 3))
        assert quarter * 4 < den or quarter == 0, (code, area, year, q)
        cumulative = sum(monthly.get((code, area, year, i), 0) for i in range(1, month + 1))
        assert cumulative * 12 / month < den or cumulative == 0, (code, area, year, month)
        checked += 1
    assert checked > 1000
    for a, b in (("TB_KASUS_BARU_KAMBUH", "TB_NOTIFIKASI"), ("TB_DIOBATI", "TB_NOTIFIKASI")):
        for (code, area, year, month), value in monthly.items():
            if code == a:
                assert value <= monthly[(b, area, year, month)]
    for s, k, d, n in PosyanduMonth.objects.values_list("s", "k", "d", "n"):
        assert k <= s and d <= s and n <= d

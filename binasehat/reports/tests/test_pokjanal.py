"""The Pokjanal recap reproduces from the monthly records, agrees with `posyandu_assess`, sums counts (never
averages percentages), and is scoped like every page."""

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.facilities.models import Posyandu
from binasehat.posyandu.models import PosyanduMonth
from binasehat.regions.models import Region
from binasehat.reports.selectors import pokjanal_recap
from binasehat.reports.templatetags.recap import pct

YEAR = 2025


@pytest.fixture
def assessed(demo):
    out = io.StringIO()
    call_command("posyandu_assess", "--year", str(YEAR), "--area", "19.03", stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_command_lists_every_posyandu_of_the_area(assessed):
    assert len(assessed) == Posyandu.objects.filter(desa__code__startswith="19.03.").count()
    assert set(assessed[0]) >= {"code", "name", "desa_code", "stratum", "aktif", "strata_ds_avg", "aktif_kader_sk_met"}
    assert {r["stratum"] for r in assessed} <= {"Pratama", "Madya", "Purnama", "Mandiri"}


def test_command_includes_posyandu_without_records(demo, make_user):
    p = Posyandu.objects.filter(active=True).last()
    PosyanduMonth.objects.filter(posyandu=p, month__year=YEAR).delete()
    out = io.StringIO()
    call_command("posyandu_assess", "--year", str(YEAR), "--area", p.desa_id, stdout=out)
    row = next(r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["code"] == p.code)
    assert row["stratum"] == "Pratama" and row["aktif"] == "tidak" and row["strata_opening_months"] == "0"


def test_page_agrees_with_the_command(assessed, client_for):
    rows, total = pokjanal_recap(User.objects.get(username="dinkes"), YEAR, Region.objects.get(code="19.03"))
    strata = Counter(r["stratum"] for r in assessed)
    assert total.strata == {s: strata.get(s, 0) for s in ("Pratama", "Madya", "Purnama", "Mandiri")}
    assert total.aktif == sum(r["aktif"] == "ya" for r in assessed)
    assert total.posyandu == len(assessed)
    page = client_for("dinkes").get(reverse("reports:pokjanal") + f"?tahun={YEAR}&wilayah=19.03").content.decode()
    sentence = f"{total.aktif} dari {total.posyandu} posyandu aktif ({pct(100 * total.aktif / total.posyandu)}%)"
    assert sentence in page


def test_totals_are_sums_of_counts_not_means_of_percentages(demo):
    rows, total = pokjanal_recap(User.objects.get(username="dinkes"), YEAR, Region.objects.get(code="19.03"))
    assert total.posyandu == sum(r.posyandu for r in rows)
    assert total.d == sum(r.d for r in rows) and total.s == sum(r.s for r in rows)
    assert total.ds == pytest.approx(100 * total.d / total.s)
    assert total.aktif_pct == pytest.approx(100 * sum(r.aktif for r in rows) / sum(r.posyandu for r in rows))


def test_skdn_reproduces_by_hand_from_the_records(demo):
    """SKDN of kecamatan Toboali summed straight from the monthly records, without the report's code."""
    rows, _ = pokjanal_recap(User.objects.get(username="dinkes"), YEAR, Region.objects.get(code="19.03"))
    toboali = next(r for r in rows if r.key == "19.03.01")
    records = PosyanduMonth.objects.filter(month__year=YEAR, posyandu__desa__code__startswith="19.03.01.")
    assert toboali.s == sum(m.s or 0 for m in records) and toboali.d == sum(m.d or 0 for m in records)
    assert toboali.n == sum(m.n or 0 for m in records)


def test_percentage_rounding_117_of_122():
    """A district once published 117/122 as 95.12 %; it is 95.90 %."""
    assert pct(100 * 117 / 122) == "95,9"
    assert pct(100 * 117 / 122, 2) == "95,90"


def test_drill_down_and_exports(demo, client_for):
    client = client_for("dinkes")
    desa = Region.objects.get(code="19.03.01.1001")
    page = client.get(reverse("reports:pokjanal") + f"?tahun={YEAR}&wilayah={desa.code}").content.decode()
    for p in Posyandu.objects.filter(desa=desa):
        assert p.name in page
    response = client.get(reverse("reports:pokjanal") + f"?tahun={YEAR}&wilayah=19.03&format=xlsx")
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [ws.cell(row=r, column=1).value for r in range(4, 12)]
    assert names == list(Region.objects.filter(parent_id="19.03").order_by("code").values_list("name", flat=True))
    pdf = client.get(reverse("reports:pokjanal") + f"?tahun={YEAR}&wilayah=19.03&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_recap_is_scoped(demo, client_for):
    client = client_for("bidan")
    assert client.get(reverse("reports:pokjanal") + f"?tahun={YEAR}&wilayah=19.03").status_code == 404
    rows, total = pokjanal_recap(User.objects.get(username="bidan"), YEAR, None)
    assert total.posyandu == Posyandu.objects.filter(desa_id="19.03.02.2001").count()

"""Scores from the demo district through the indicator engine: the batch command, the ranked list and the
explanation agree with the engine's (dashboard's) figures, a value exactly at a threshold meets it, and an
indicator without data is listed apart."""

import csv
import io
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.urls import reverse

from binasehat.core.periods import Period
from binasehat.indicators import engine
from binasehat.regions.models import Region
from binasehat.risk import rules
from binasehat.risk.loading import current_ruleset
from binasehat.risk.scoring import district_scores

pytestmark = pytest.mark.django_db
TELADAN = "19.03.01.1002"


def _command(*args) -> list[dict]:
    out = io.StringIO()
    call_command("risk_score", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _by_hand(code: str, year: int) -> tuple[float, list[str], list[str]]:
    """The score worked out from the engine's numerators and denominators, compared exactly (as the dashboard
    compares a value with its target; never the rounded value)."""
    items = list(current_ruleset().items.filter(active=True).select_related("indicator"))
    table = engine.table([it.indicator for it in items], [code], [Period(year - 1), Period(year)])
    failed, no_data, total = [], [], 0.0
    for it in items:
        def exact(y):
            v = table[(it.indicator.code, code, str(y))]
            if v.value is None:
                return None
            if v.numerator is None:
                return Fraction(repr(v.value))
            value = Fraction(repr(v.numerator)) * Fraction(str(it.indicator.factor)) * Fraction(repr(v.scale))
            return value if v.denominator is None else value / Fraction(repr(v.denominator))
        value = exact(year) if it.measure == "value" else (
            None if exact(year) is None or exact(year - 1) is None else exact(year) - exact(year - 1))
        if value is None:
            no_data.append(it.code)
        elif not rules.meets(value, it.op, it.threshold):
            failed.append(it.code)
            total += it.weight
    return total, failed, no_data


def test_command_prints_one_row_per_desa_ranked(demo):
    rows = _command("--year", "2025", "--area", "19.03", "--format", "csv")
    assert list(rows[0]) == ["area_code", "name", "score", "rank", "failed", "no_data"]
    assert len(rows) == Region.objects.filter(level=4, code__startswith="19.03.").count() == 53
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["rank"] == "1"
    # Equal scores share a rank, and the next rank skips the places they take.
    for prev, row in zip(rows, rows[1:]):
        if row["score"] == prev["score"]:
            assert row["rank"] == prev["rank"]
        else:
            assert int(row["rank"]) == rows.index(row) + 1
    # Every row can be reproduced by hand from the engine's figures.
    for row in rows[:5] + [r for r in rows if r["area_code"] == TELADAN]:
        total, failed, no_data = _by_hand(row["area_code"], 2025)
        assert float(row["score"]) == total
        assert row["failed"] == ";".join(failed)
        assert row["no_data"] == ";".join(no_data)


def test_command_below_a_kecamatan_keeps_district_ranks(demo):
    district = {r["area_code"]: r for r in _command("--year", "2025", "--area", "19.03", "--format", "csv")}
    rows = _command("--year", "2025", "--area", "19.03.01", "--format", "csv")
    assert rows and all(r["area_code"].startswith("19.03.01.") for r in rows)
    assert all(r == district[r["area_code"]] for r in rows)


def test_tb_and_mental_health_spm_have_no_desa_data(demo):
    # TB and ODGJ programme data are reported per puskesmas, not per desa: at desa level the engine has no
    # value for TB_TC and ODGJ_SPM, so they are listed as no data, never as failed.
    r = district_scores("19.03", 2025)[TELADAN]
    assert {"TB_TC", "ODGJ_SPM"} <= set(r.result.no_data)
    assert not {"TB_TC", "ODGJ_SPM"} & set(r.result.failed)


def test_a_value_exactly_at_the_threshold_meets_it(demo):
    # Set the posyandu-aktif threshold to Teladan's own value: "≥" is met, while ">" at the same value fails.
    # (The threshold must be the exact value: a rounded one would be compared exactly, see test_exact_threshold.)
    rs = current_ruleset()
    item = rs.items.get(code="POSYANDU_AKTIF")
    v = engine.table([item.indicator], [TELADAN], [Period(2025)])[("POSYANDU_AKTIF", TELADAN, "2025")]
    assert v.value is not None
    assert Fraction(repr(v.value)) == Fraction(repr(v.numerator)) * 100 / Fraction(repr(v.denominator))
    item.threshold, item.op = v.value, ">="
    item.save()
    r = district_scores("19.03", 2025)[TELADAN]
    assert "POSYANDU_AKTIF" in r.result.passed
    item.op = ">"
    item.save()
    r2 = district_scores("19.03", 2025)[TELADAN]
    assert "POSYANDU_AKTIF" in r2.result.failed
    assert r2.score == r.score + item.weight


def test_ranks_within_a_puskesmas_wilayah_kerja(demo):
    scored = district_scores("19.03", 2025)
    toboali = {c: r for c, r in scored.items() if r.puskesmas == "P19030101"}
    assert len(toboali) == 5
    expected = rules.ranks({c: r.score for c, r in toboali.items()})
    assert {c: r.rank_puskesmas for c, r in toboali.items()} == expected
    # Movement: last year's rank minus this year's.
    for r in scored.values():
        assert r.movement == r.previous_rank - r.rank


def test_ranked_list_explanation_and_export(demo, client_for):
    client = client_for("dinkes")
    html = client.get(reverse("risk:list"), {"wilayah": "19.03", "tahun": 2025}).content.decode()
    scored = district_scores("19.03", 2025)
    assert html.count('<tr id="row-') == 53
    assert html.count('<path class="map-shape"') == 53  # the map: one shape per desa (stand-in boundaries)
    page = client.get(reverse("risk:explanation", args=[TELADAN, 2025])).content.decode()
    r = scored[TELADAN]
    assert f"peringkat {r.rank} di kabupaten" in page
    for code in r.result.failed:
        assert f'id="check-{code}"' in page
    assert page.count("tidak memenuhi</span>") == len(r.result.failed)
    assert page.count("tidak ada data</span>") == len(r.result.no_data)
    response = client.get(reverse("risk:list"), {"wilayah": "19.03", "tahun": 2025, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_puskesmas_sees_only_its_wilayah_kerja(demo, client_for):
    client = client_for("puskesmas")
    html = client.get(reverse("risk:list"), {"tahun": 2025}).content.decode()
    assert html.count('<tr id="row-') == 5
    assert client.get(reverse("risk:explanation", args=["19.03.05.2001", 2025])).status_code == 404

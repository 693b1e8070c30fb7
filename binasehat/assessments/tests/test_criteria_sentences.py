"""Rule-set criteria shown as sentences ("Frekuensi penimbangan … minimal 8 bulan: ya, 11 bulan") instead of the
evaluator's operators (">= 8", "is True"); the evaluation itself is unchanged (test_posyandu_rules)."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from binasehat.assessments import criteria, rules
from binasehat.facilities.models import Posyandu

RULESETS = Path(rules.__file__).resolve().parent / "rulesets"
STRATA = json.loads((RULESETS / "posyandu-strata-2011.json").read_text())
AKTIF = json.loads((RULESETS / "posyandu-aktif.json").read_text())


def _rows(ruleset, inputs):
    return {r["indicator"]: r for r in rules.evaluate(ruleset, inputs).criteria}


def test_hand_worked_criteria_read_as_sentences():
    # Kemenkes 2011 (Mandiri column): penimbangan ≥ 8 times a year, D/S ≥ 50 %, program tambahan present.
    inputs = {"opening_months": 11, "kader_avg": 4.5, "ds_avg": 62.5, "kia_cum": 40, "kb_cum": 55,
              "imunisasi_cum": 50, "extra_program": False, "dana_sehat": 0}
    rows = _rows(STRATA, inputs)
    with translation.override("id"):
        assert criteria.sentence(rows["opening_months"], STRATA) == (
            "Frekuensi penimbangan (bulan buka per tahun) minimal 8 bulan: ya, 11 bulan")
        assert criteria.sentence(rows["kader_avg"], STRATA) == "Rerata kader bertugas minimal 5 orang: tidak, 4,5 orang"
        assert criteria.sentence(rows["ds_avg"], STRATA) == "Rerata cakupan D/S (bulan buka) minimal 50%: ya, 62,5%"
        assert criteria.sentence(rows["extra_program"], STRATA) == "Program tambahan: tidak"
        assert criteria.requirement(rows["ds_avg"], STRATA) == "Rerata cakupan D/S (bulan buka) minimal 50%"
        assert criteria.actual(rows["extra_program"], STRATA) == "tidak"
    with translation.override("en"):
        assert criteria.sentence(rows["kader_avg"], STRATA).endswith("at least 5 orang: no, 4.5 orang")
    # Posyandu Aktif (DO Kemenkes): at least 8 months with activity, tools for growth monitoring present.
    rows = _rows(AKTIF, {"opening_months": 7, "kader_sk": 5, "services_8_months": 3, "alat_pantau": True,
                         "extra_program": True})
    with translation.override("id"):
        assert criteria.sentence(rows["opening_months"], AKTIF) == (
            "Kegiatan rutin (bulan berbeda dengan hari buka) minimal 8 bulan: tidak, 7 bulan")
        assert criteria.sentence(rows["alat_pantau"], AKTIF) == (
            "Memiliki alat pemantauan pertumbuhan dan perkembangan: ya")


@pytest.mark.django_db
def test_posyandu_page_shows_sentences_not_operators(demo, client_for):
    client = client_for("dinkes")
    posyandu = Posyandu.objects.filter(desa__code__startswith="19.03", active=True).first()
    html = client.get(reverse("reports:posyandu_year", args=[posyandu.pk])).content.decode()
    assert "minimal 8 bulan" in html
    for raw in ("&gt;= 8", ">= 8", "is True", "is False", "&gt;= 5"):
        assert raw not in html
    assert 'id="months-note"' in html and "D (data anak) =" in html

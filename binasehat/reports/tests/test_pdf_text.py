"""Every PDF the app produces, read back as text with poppler's ``pdftotext`` (as an officer reads the paper):
dates written the Indonesian way (3 Des 2026), numbers with Indonesian marks (1.138; 95,9), no ISO date, no raw
key, no English heading; each report's headline figure checked against the records, worked out here by hand."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")]

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RAW_KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_id\b")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ENGLISH = ("Generated", "Page ", "Total", "Score", "Rank", "Village", "Indicator", "Target met", "None")


def pdf_text(client, url: str, tmp_path) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
    path = tmp_path / "r.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())  # lines joined: wrapped phrases read as one


def indonesian(n: float, decimals: int = 0) -> str:
    """1234.56 → "1.234,6" (worked by hand: thousands with a dot, decimals with a comma)."""
    text = f"{n:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def check_common(text: str):
    assert not ISO_DATE.search(text), ISO_DATE.search(text).group(0)
    assert not RAW_KEY.search(text), RAW_KEY.search(text).group(0)
    today = timezone.localdate()
    assert f"{today.day} {MONTHS[today.month - 1]} {today.year}" in text  # "Dibuat 3 Des 2026 …"
    for word in ENGLISH:
        assert word not in text, word


def test_indonesian_helper():
    assert indonesian(146437) == "146.437" and indonesian(95.9016, 1) == "95,9" and indonesian(0.1918, 3) == "0,192"


def test_profile_pdf(demo, client_for, tmp_path):
    from binasehat.facilities.models import Posyandu

    text = pdf_text(client_for("dinkes"), reverse("reports:profile") + "?wilayah=19.03&tahun=2025", tmp_path)
    check_common(text)
    assert "Profil kesehatan Kabupaten Bangka Selatan — 2025" in text
    operating = Posyandu.objects.filter(desa__code__startswith="19.03.", active=True).count()
    assert f"Posyandu beroperasi: {indonesian(operating)}" in text
    population = re.search(r"Penduduk 2025: ([\d.]+)", text).group(1)
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", population)  # 146.437, grouped with dots


def test_pokjanal_recap_pdf(demo, client_for, tmp_path):
    from binasehat.assessments.models import PosyanduEvaluation

    text = pdf_text(client_for("dinkes"), reverse("reports:pokjanal") + "?tahun=2025&format=pdf", tmp_path)
    check_common(text)
    active, total, percent = re.search(r"(\d+) dari (\d+) posyandu aktif \(([\d,]+)%\)", text).groups()
    aktif = PosyanduEvaluation.objects.filter(year=2025, ruleset_code="posyandu-aktif", result="ya",
                                              posyandu__desa__code__startswith="19.03.").count()
    assert int(active) == aktif
    assert percent == indonesian(100 * int(active) / int(total), 1)  # e.g. 117 / 122 = 95,9 %


def test_iks_report_pdf(demo, client_for, tmp_path):
    text = pdf_text(client_for("dinkes"), reverse("families:report") + "?tahun=2025&format=pdf", tmp_path)
    check_common(text)
    m = re.search(r"([\d,]+) [\d,]+ IKS wilayah \(sehat / terdata lengkap\): ([\d.]+) / ([\d.]+)", text)
    iks, healthy, complete = m.group(1), int(m.group(2).replace(".", "")), int(m.group(3).replace(".", ""))
    assert iks == indonesian(healthy / complete, 3)  # e.g. 214 / 1.116 = 0,192
    assert m.group(3) == indonesian(complete)  # 1.116, not 1116
    assert 0 <= healthy / complete <= 1


def test_siaga_pdf(demo, client_for, tmp_path):
    from binasehat.regions.models import Region

    text = pdf_text(client_for("dinkes"), reverse("community:siaga") + "?tahun=2025&format=pdf", tmp_path)
    check_common(text)
    active, total, percent = re.search(r"(\d+) dari (\d+) desa/kelurahan Siaga Aktif \(([\d,]+) %", text).groups()
    assert int(total) == Region.objects.filter(level=4, code__startswith="19.03.").count()
    assert percent == indonesian(100 * int(active) / int(total), 1)  # e.g. 48 / 53 = 90,6 %


def test_kks_pdf(demo, client_for, tmp_path):
    from binasehat.community.models import KksAssessment

    assessment = KksAssessment.objects.order_by("pk").first()
    text = pdf_text(client_for("dinkes"), reverse("community:kks_export", args=[assessment.pk]) + "?format=pdf",
                    tmp_path)
    check_common(text)
    overall = re.search(r"Skor keseluruhan \(rata-rata tatanan\): ([\d,]+)", text).group(1)
    table = text[text.index("Tatanan Skor Yang kurang"):text.index("1. Kehidupan Masyarakat Sehat Mandiri Kode")]
    scores = [float(s.replace(",", ".")) for s in re.findall(r" (\d+,\d) (?:kurang|sudah|—)", table)]
    assert len(scores) == assessment.round.tatanan.count() == 9
    # The overall score is the mean of the tatanan: e.g. (71,4 + 50,0 + 7 × 0,0) ÷ 9 = 13,49 → 13,5.
    assert overall == indonesian(sum(scores) / len(scores), 1)


def test_risk_plan_pdf(demo, client_for, tmp_path):
    from binasehat.risk.models import Designation

    d = Designation.objects.order_by("pk").first()
    text = pdf_text(client_for("dinkes"), reverse("risk:plan_pdf", args=[d.pk]), tmp_path)
    check_common(text)
    on = d.decided_on
    assert f"Ditetapkan {on.day} {MONTHS[on.month - 1]} {on.year}" in text
    snap = d.score_snapshot
    assert f"Rincian skor saat penetapan ({snap['year']}):" in text and f"peringkat {snap['rank']}" in text
    assert "POSYANDU_AKTIF" not in text  # rule items by their names, not their codes
    for budget in d.activities.exclude(budget=None).values_list("budget", flat=True):
        assert f"Rp {indonesian(budget)}" in text  # Rp 3.500.000

"""Designation is a decision with the score at the time; plans have problems linked to indicators, activities
with partners, progress notes with checked uploads served only through scoped views; ending is a decision."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.risk.models import Activity, Attachment, Designation
from binasehat.risk.scoring import district_scores

pytestmark = pytest.mark.django_db
DESA = "19.03.01.1003"  # Tanjung Ketapang, in Puskesmas Toboali's wilayah kerja
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _designate(client, year=2026):
    return client.post(reverse("risk:designate", args=[DESA, 2025]),
                       {"year": year, "decided_on": "2026-02-10", "reason": "Skor tinggi; disepakati lokmin."})


def test_designation_records_the_score_at_the_time(demo, client_for):
    response = _designate(client_for("puskesmas"))
    d = Designation.objects.get(region_id=DESA, year=2026)
    assert response.status_code == 302 and response["Location"] == reverse("risk:plan", args=[d.pk])
    r = district_scores("19.03", 2025)[DESA]
    assert d.score_snapshot["score"] == r.score and d.score_snapshot["rank"] == r.rank
    assert d.score_snapshot["failed"] == r.result.failed and d.score_snapshot["no_data"] == r.result.no_data
    assert d.decided_by.username == "puskesmas"
    assert AuditEntry.objects.filter(model="risk.designation", object_pk=str(d.pk), action="create").exists()
    # A second open designation of the same area and year is refused.
    _designate(client_for("puskesmas"))
    assert Designation.objects.filter(region_id=DESA, year=2026).count() == 1


def test_plan_activity_progress_upload_and_end(demo, client_for, media, settings):
    client = client_for("puskesmas")
    _designate(client)
    d = Designation.objects.get(region_id=DESA, year=2026)
    from binasehat.indicators.models import Indicator

    client.post(reverse("risk:plan_change", args=[d.pk, "masalah"]),
                {"indicator": Indicator.objects.get(code="STUNTING").pk, "description": "Balita pendek 30 %."})
    problem = d.problems.get()
    from binasehat.accounts.models import Institution

    csr = Institution.objects.create(name="PT Contoh Sejahtera", kind="csr")
    client.post(reverse("risk:plan_change", args=[d.pk, "kegiatan"]), {
        "problem": problem.pk, "title": "PMT lokal", "programme": "gizi", "partner_kind": "csr",
        "institution": csr.pk, "responsible": "Staf CSR", "budget": "12000000", "funding": "csr",
        "start": "2026-03-01", "end": "2026-06-30", "status": "rencana"})
    activity = Activity.objects.get(designation=d)
    assert (activity.programme, activity.institution, activity.budget) == ("gizi", csr, 12000000)

    def progress(name, content, status="berjalan"):
        return client.post(reverse("risk:progress", args=[activity.pk]), {
            "date": "2026-04-01", "text": "PMT hari ke-30", "status": status,
            "files": SimpleUploadedFile(name, content)})

    progress("foto.png", PNG)
    note = activity.notes.get()
    a = note.attachments.get()
    assert a.content_type == "image/png" and a.size == len(PNG)
    assert a.file.path.startswith(str(media)) and open(a.file.path, "rb").read() == PNG
    activity.refresh_from_db()
    assert activity.status == "berjalan"
    # Wrong type, content not matching its name, too large: refused, nothing stored.
    settings.FOLLOWUP_UPLOAD_MAX_BYTES = 100
    for name, content in [("skrip.exe", b"MZ" + b"\x00" * 10), ("palsu.pdf", PNG), ("besar.png", PNG * 3)]:
        progress(name, content)
    assert Attachment.objects.filter(note__activity=activity).count() == 1
    assert activity.notes.count() == 1
    # Served only through the scoped view: the owner downloads it, another puskesmas gets 404.
    response = client.get(reverse("risk:attachment", args=[a.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    from binasehat.accounts.models import User
    from binasehat.facilities.models import Puskesmas

    other = User.objects.create_user("pkm_lain", password="Rahasia-Sekali-2025", role="puskesmas")
    other.puskesmas.set([Puskesmas.objects.get(code="P19030102")])
    assert client_for(other).get(reverse("risk:attachment", args=[a.pk])).status_code == 404
    assert client_for(other).get(reverse("risk:plan", args=[d.pk])).status_code == 404
    # The PDF profile and XLSX plan.
    client = client_for("puskesmas")
    pdf = client.get(reverse("risk:plan_pdf", args=[d.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("risk:plan_xlsx", args=[d.pk]))
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[4]][:3] == ["STUNTING", "PMT lokal", "gizi"]
    # Ending the designation is a decision too.
    client.post(reverse("risk:plan_change", args=[d.pk, "akhiri"]), {"ended_on": "2026-11-30",
                                                                     "reason": "Target tercapai."})
    d.refresh_from_db()
    assert d.ended_on is not None and d.ended_by.username == "puskesmas" and d.end_reason == "Target tercapai."


def test_evaluation_shows_linked_indicators_before_and_after(demo, client_for):
    d = Designation.objects.get(region_id="19.03.01.1002", year__gte=2025)
    html = client_for("dinkes").get(reverse("risk:plan", args=[d.pk])).content.decode()
    from binasehat.risk.selectors import before_after

    rows = before_after(d, [p.indicator.code for p in d.problems.all()], 2100)
    assert len(rows) == d.problems.count() >= 1
    assert html.count("<tr><td>", html.index('id="evaluation"')) >= len(rows)

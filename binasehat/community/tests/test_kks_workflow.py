"""KKS: draft → submitted → province verified → nationally verified; no step skipped, read-only once verified,
every change audited; OPD users see and edit only their institution's indicators; evidence checked and scoped;
computed indicators pre-filled and flagged when the data change after submission."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.community import services
from binasehat.community.models import Institution, KksAnswer, KksAssessment, KksEvidence, KksRound
from binasehat.community.selectors import kks_answer_prefill, kks_overview
from binasehat.core.models import AuditEntry
from binasehat.programs.models import DataValue
from binasehat.regions.models import Region

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def kks(demo):
    """The demo's 2025 self-assessment of Kabupaten Bangka Selatan (in draft, three OPD)."""
    assessment = KksAssessment.objects.get(round__year=2025, district_id="19.03")
    return assessment


def _answer(assessment, code):
    return KksAnswer.objects.select_related("assessment", "indicator", "owner").get(
        assessment=assessment, indicator__code=code)


def test_demo_assessment_in_progress_with_three_opd(kks):
    assert kks.status == KksAssessment.DRAFT
    owners = set(KksAnswer.objects.filter(assessment=kks).exclude(owner=None).values_list("owner__code", flat=True))
    assert owners == {"DINKES", "PUPR", "DISDIK"}
    assert KksAnswer.objects.filter(assessment=kks).exclude(value=None).exists()
    assert KksAnswer.objects.filter(assessment=kks, value=None).exists()
    assert KksRound.objects.get(year=2025).tatanan.count() == 9
    assert KksRound.objects.get(year=2021).tatanan.count() == 7


def test_workflow_cannot_skip_a_step_and_is_read_only_once_verified(kks):
    dinkes, provinsi, admin = (User.objects.get(username=u) for u in ("dinkes", "provinsi", "admin"))
    with pytest.raises(services.WorkflowError):
        services.kks_verify_province(actor=provinsi, assessment=kks)
    with pytest.raises(services.WorkflowError):
        services.kks_verify_national(actor=admin, assessment=kks)
    with pytest.raises(PermissionDenied):  # the province does not submit for the district
        services.kks_submit(actor=provinsi, assessment=kks)
    services.kks_submit(actor=dinkes, assessment=kks)
    with pytest.raises(services.WorkflowError):
        services.kks_submit(actor=dinkes, assessment=kks)
    with pytest.raises(services.WorkflowError):
        services.kks_verify_national(actor=admin, assessment=kks)
    answer = _answer(kks, "1.4")
    with pytest.raises(services.WorkflowError):  # a submitted self-assessment is no longer changed
        services.kks_answer_save(actor=dinkes, answer=answer, value=100)
    services.kks_verifier_save(actor=provinsi, answer=answer, value=0, comment="ABJ 93 %: belum 95 %")
    services.kks_verify_province(actor=provinsi, assessment=kks)
    with pytest.raises(services.WorkflowError):
        services.kks_verifier_save(actor=provinsi, answer=answer, value=100)
    with pytest.raises(PermissionDenied):  # national verification is not the province's
        services.kks_verify_national(actor=provinsi, assessment=kks)
    services.kks_verify_national(actor=admin, assessment=kks)
    kks.refresh_from_db()
    assert kks.status == KksAssessment.NATIONAL
    for action in (lambda: services.kks_answer_save(actor=dinkes, answer=answer, value=100),
                   lambda: services.kks_verifier_save(actor=provinsi, answer=answer, value=100),
                   lambda: services.kks_basic_save(actor=dinkes, assessment=kks, odf_percent=90, documents={}),
                   lambda: services.kks_owner_set(actor=dinkes, answer=answer, owner=None)):
        with pytest.raises(services.WorkflowError):
            action()
    statuses = [e.after["status"] for e in AuditEntry.objects.filter(
        model="community.kksassessment", object_pk=str(kks.pk)).order_by("pk") if e.after and "status" in e.after]
    assert statuses[-3:] == ["submitted", "province_verified", "national_verified"]
    assert AuditEntry.objects.filter(model="community.kksanswer", object_pk=str(answer.pk),
                                     actor=provinsi).exists()


def test_opd_edits_only_its_own_indicators_and_gets_404_on_others(kks, client_for):
    pupr = User.objects.get(username="opd_pupr")
    own = _answer(kks, "2.2")
    other = _answer(kks, "1.4")  # owned by Dinas Kesehatan
    assert own.owner.code == "PUPR"
    client = client_for(pupr)
    assert client.get(reverse("community:kks_answer", args=[other.pk])).status_code == 404
    assert client.post(reverse("community:kks_answer", args=[other.pk]), {"value": "100"}).status_code == 404
    response = client.post(reverse("community:kks_answer", args=[own.pk]), {"value": "100", "notes": "ok",
                                                                           "evidence_link": ""})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.value == 100 and own.updated_by == "opd_pupr"
    with pytest.raises(PermissionDenied):
        services.kks_answer_save(actor=pupr, answer=other, value=100)
    detail = client.get(reverse("community:kks_detail", args=[kks.pk])).content.decode()
    assert 'data-code="2.2"' in detail and 'data-code="1.4"' not in detail
    # an OPD does not submit, and sees nothing of the rest of the system
    assert client.post(reverse("community:kks_step", args=[kks.pk, "ajukan"])).status_code == 403
    kks.refresh_from_db()
    assert kks.status == KksAssessment.DRAFT
    assert client.get(reverse("community:siaga")).status_code == 404
    assert pupr.scope.is_empty
    # an option that is not on the indicator's scale is refused
    with pytest.raises(ValidationError):
        services.kks_answer_save(actor=pupr, answer=own, value=75)


def test_province_verifier_sees_only_submitted_assessments_of_its_districts(kks, client_for, make_user):
    client = client_for("provinsi")
    assert client.get(reverse("community:kks_detail", args=[kks.pk])).status_code == 404
    services.kks_submit(actor=User.objects.get(username="dinkes"), assessment=kks)
    assert client.get(reverse("community:kks_detail", args=[kks.pk])).status_code == 200
    other_province = make_user("prov-jabar", "provinsi", areas=[Region.objects.get_or_create(
        code="32", defaults={"name": "Jawa Barat", "kind": "provinsi"})[0]])
    assert client_for(other_province).get(reverse("community:kks_detail", args=[kks.pk])).status_code == 404


def test_evidence_upload_checked_stored_and_served_only_in_scope(kks, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kesehatan = User.objects.get(username="opd_kesehatan")
    answer = _answer(kks, "1.1")
    for name, content in (("bukti.exe", b"MZ..."), ("bukti.pdf", b"not a pdf"), ("kosong.pdf", b"")):
        with pytest.raises(ValidationError):
            services.kks_evidence_add(actor=kesehatan, answer=answer, upload=SimpleUploadedFile(name, content))
    with pytest.raises(ValidationError):
        services.kks_evidence_add(actor=kesehatan, answer=answer, upload=SimpleUploadedFile(
            "besar.pdf", PDF + b"0" * services.EVIDENCE_MAX_BYTES))
    client = client_for(kesehatan)
    response = client.post(reverse("community:kks_answer", args=[answer.pk]), {
        "value": "100", "notes": "AKI 2025", "evidence_link": "https://example.org/aki",
        "evidence_file": SimpleUploadedFile("laporan AKI.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    evidence = KksEvidence.objects.get(answer=answer)
    assert evidence.file.path.startswith(str(tmp_path))
    assert evidence.size == len(PDF) and evidence.content_type == "application/pdf"
    download = client.get(reverse("community:kks_evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert client_for("opd_pupr").get(reverse("community:kks_evidence", args=[evidence.pk])).status_code == 404
    assert client_for("bidan").get(reverse("community:kks_evidence", args=[evidence.pk])).status_code == 404


def test_prefill_from_the_engine_and_flag_when_data_change_after_submission(kks):
    """ABJ 2025 of the demo district is 41529 / 44531 = 93.26 % → option 0 (< 95 %)."""
    answer = _answer(kks, "1.4")
    pre = kks_answer_prefill(answer)
    assert pre.indicator_code == "ABJ" and pre.period == "2025"
    assert pre.option == (100 if pre.value >= 95 else 0)
    assert "ind=ABJ" in pre.link and "wilayah=19.03" in pre.link
    assert not pre.changed
    services.kks_submit(actor=User.objects.get(username="dinkes"), assessment=kks)
    answer.refresh_from_db()
    assert answer.submitted_data["value"] == pre.value
    assert not kks_answer_prefill(answer).changed
    from binasehat.core.periods import Period
    from binasehat.programs.services import NewValue, datavalues_write, org_unit_of

    row = DataValue.objects.filter(element__code="JENTIK_RUMAH_POSITIF", period__startswith="2025",
                                   region__code__startswith="19.03.").select_related("element__data_set").first()
    unit = org_unit_of(row.org_unit, row.element.data_set.org_kind)
    datavalues_write(actor=None, values=[NewValue(row.element, unit, Period.parse(row.period), row.value + 500)])
    after = kks_answer_prefill(answer)
    assert after.value != pre.value and after.changed


def test_scores_and_category_follow_the_answers(kks):
    """All indicators at 100, ODF 100 % and the three aspek dasar → every tatanan 100 → Wistara; one tatanan's
    indicators at 0 → that tatanan 0: the 2025 basis (every tatanan) gives no category."""
    dinkes = User.objects.get(username="dinkes")
    for a in KksAnswer.objects.filter(assessment=kks).select_related("indicator", "assessment", "owner"):
        services.kks_answer_save(actor=None, answer=a, value=100)
    services.kks_basic_save(actor=dinkes, assessment=kks, odf_percent=100, documents={
        "sk_tim_pembina": {"ada": True}, "sk_forum": {"ada": True}, "rencana_kerja": {"ada": True}})
    kks.refresh_from_db()
    tatanan, result = kks_overview(kks, [])
    assert [t.score for t in tatanan] == [100.0] * 9 and result.category == "Wistara"
    for a in KksAnswer.objects.filter(assessment=kks, indicator__tatanan__number=9).select_related(
            "indicator", "assessment", "owner"):
        services.kks_answer_save(actor=None, answer=a, value=0)
    tatanan, result = kks_overview(kks, [])
    assert tatanan[8].score == 0 and tatanan[8].lacks == ("Padapa", 71)
    assert result.overall == pytest.approx(800 / 9) and result.category is None


def test_instrument_xlsx_and_pdf(kks, client_for):
    import io

    from python_calamine import CalamineWorkbook

    client = client_for("dinkes")
    response = client.get(reverse("community:kks_export", args=[kks.pk]) + "?format=xlsx")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header = sheet[3]
    assert header[:4] == ["Tatanan", "Kode", "Indikator", "Pilihan nilai"]
    assert "Nilai verifikator" in header
    codes = [r[1] for r in sheet[4:] if len(r) > 1 and r[1]]
    assert "1.4" in codes and len(codes) == KksAnswer.objects.filter(assessment=kks).count()
    pdf = client.get(reverse("community:kks_export", args=[kks.pk]) + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert Institution.objects.filter(district_id="19.03").count() == 3

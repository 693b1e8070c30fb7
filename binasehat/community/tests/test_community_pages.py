"""Every page of the community app, walked from its URL patterns: it answers for a user who may use it, sends an
anonymous visitor to the login page, and shows nothing to a user outside its scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.community import services
from binasehat.community.models import Institution, KksAnswer, KksAssessment, KksEvidence, KksRound
from binasehat.community.urls import urlpatterns
from binasehat.core.scope import AREA, policy_of

POST_ONLY = {"kks_start", "kks_step", "kks_basic", "kks_owner", "siaga_parameters"}


@pytest.fixture
def objects(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assessment = KksAssessment.objects.get(round__year=2025, district_id="19.03")
    answer = KksAnswer.objects.get(assessment=assessment, indicator__code="1.1")
    if not KksEvidence.objects.filter(answer=answer).exists():
        services.kks_evidence_add(actor=None, answer=answer, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4 x"))
    evidence = KksEvidence.objects.filter(answer=answer).first()
    return {
        "siaga": [], "siaga_parameters": [], "siaga_desa": ["19.03.01.1001"], "siaga_edit": ["19.03.01.1001"], "kks": [], "kks_start": [],
        "kks_detail": [assessment.pk], "kks_step": [assessment.pk, "ajukan"], "kks_basic": [assessment.pk],
        "kks_export": [assessment.pk], "kks_answer": [answer.pk], "kks_owner": [answer.pk],
        "kks_evidence": [evidence.pk],
    }


def test_every_community_view_declares_area_scope():
    assert {p.name for p in urlpatterns} == {"siaga", "siaga_parameters", "siaga_desa", "siaga_edit", "kks", "kks_start", "kks_detail",
                                            "kks_step", "kks_basic", "kks_export", "kks_answer", "kks_owner",
                                            "kks_evidence"}
    assert all(policy_of(p.callback) == AREA for p in urlpatterns)


def test_walk_every_community_url(objects, client, client_for):
    for pattern in urlpatterns:
        url = reverse(f"community:{pattern.name}", args=objects[pattern.name])
        assert client.get(url).status_code == 302, url  # anonymous: to the login page
        dinkes = client_for("dinkes")
        response = dinkes.get(url)
        if pattern.name in POST_ONLY:
            assert response.status_code == 405, url
        else:
            assert response.status_code == 200, (url, response.status_code)
        client.logout()
    for fmt in ("xlsx", "pdf"):
        assert client_for("dinkes").get(reverse("community:siaga") + f"?format={fmt}").status_code == 200
        assert client_for("dinkes").get(reverse("community:kks_export", args=objects["kks_export"])
                                        + f"?format={fmt}").status_code == 200


def test_walk_as_users_outside_the_scope(objects, client_for, make_user):
    """A kader and a user bound to nothing see nothing: 404 (or 403 for a missing role permission)."""
    nobody = make_user("tanpa-wilayah", "dinkes")
    for who in ("kader", nobody):
        c = client_for(who if isinstance(who, User) else User.objects.get(username=who))
        for pattern in urlpatterns:
            if pattern.name in POST_ONLY or pattern.name in {"siaga", "kks"}:
                continue
            url = reverse(f"community:{pattern.name}", args=objects[pattern.name])
            assert c.get(url).status_code in (403, 404), (who, url)
        assert "19.03" not in c.get(reverse("community:kks")).content.decode().split("<main>")[1]


def test_post_steps_through_the_pages(objects, client_for):
    dinkes = client_for("dinkes")
    rnd = KksRound.objects.get(year=2023)
    response = dinkes.post(reverse("community:kks_start"), {"round": rnd.pk, "district": "19.03"})
    assert response.status_code == 302
    started = KksAssessment.objects.get(round=rnd, district_id="19.03")
    assert KksAnswer.objects.filter(assessment=started).count() == sum(
        t.indicators.count() for t in rnd.tatanan.all())
    response = dinkes.post(reverse("community:kks_basic", args=[started.pk]), {
        "odf_percent": "82.5", "doc_sk_tim_pembina": "on", "nomor_sk_tim_pembina": "188/1"})
    started.refresh_from_db()
    assert float(started.odf_percent) == 82.5 and started.basic_documents["sk_tim_pembina"]["ada"] is True
    answer = KksAnswer.objects.filter(assessment=started).first()
    pupr = Institution.objects.get(district_id="19.03", code="PUPR")
    dinkes.post(reverse("community:kks_owner", args=[answer.pk]), {"owner": pupr.pk})
    answer.refresh_from_db()
    assert answer.owner == pupr
    dinkes.post(reverse("community:kks_step", args=[started.pk, "ajukan"]))
    started.refresh_from_db()
    assert started.status == KksAssessment.SUBMITTED


def test_dinkes_configures_a_disputed_cell_on_the_page(objects, client_for):
    """Mandiri "≥ 3 other funding sources" (default) → 2; a value outside the documented readings is refused."""
    from binasehat.community.models import RuleParameter

    dinkes = client_for("dinkes")
    page = dinkes.get(reverse("community:siaga") + "?tahun=2025").content.decode()
    assert 'id="siaga-parameters"' in page
    dinkes.post(reverse("community:siaga_parameters"), {"mandiri_dana_min": "7"})
    assert not RuleParameter.objects.filter(key="mandiri_dana_min").exists()
    dinkes.post(reverse("community:siaga_parameters"), {"mandiri_dana_min": "2", "mandiri_ormas_min": "2"})
    assert RuleParameter.objects.get(key="mandiri_dana_min").value == 2
    assert not RuleParameter.objects.filter(key="mandiri_ormas_min").exists()  # unchanged: the default stays
    assert client_for("bidan").post(reverse("community:siaga_parameters"), {"mandiri_dana_min": "3"}).status_code == 403
    assert RuleParameter.objects.get(key="mandiri_dana_min").value == 2

"""A KKS round in the browser: two OPD fill their indicators, dinkes submits, the province verifies, the nation
verifies, and the instrument downloads as XLSX."""

import io

import pytest

from binasehat.community.models import KksAnswer, KksAssessment

pytestmark = pytest.mark.browser


def _open_assessment(page):
    page.goto("/komunitas/kks/")
    page.locator("#kks-list a").first.click()
    page.wait_for_load_state()


def _fill(page, code, value):
    page.locator(f'tr[data-code="{code}"] a').first.click()
    page.wait_for_load_state()
    page.select_option("#id_value", str(value))
    page.fill("#id_notes", f"diisi {code}")
    page.click("#answer-form button.primary")
    page.wait_for_load_state()
    assert "tersimpan" in page.locator(".msg-success").inner_text()


def test_opd_fill_dinkes_submits_province_and_nation_verify(demo, new_page, login, artifacts_dir):
    assessment = KksAssessment.objects.get(round__year=2025, district_id="19.03")

    kesehatan = new_page()
    login(kesehatan, "opd_kesehatan")
    _open_assessment(kesehatan)
    assert kesehatan.locator('tr[data-code="2.1"]').count() == 0  # PUPR's indicator is not shown
    _fill(kesehatan, "1.7", 100)

    pupr = new_page(phone=True)
    login(pupr, "opd_pupr")
    _open_assessment(pupr)
    _fill(pupr, "2.2", 100)
    pupr.screenshot(path=str(artifacts_dir / "kks-opd-phone.png"), full_page=True)
    assert KksAnswer.objects.get(assessment=assessment, indicator__code="2.2").updated_by == "opd_pupr"

    dinkes = new_page()
    login(dinkes, "dinkes")
    _open_assessment(dinkes)
    assert dinkes.locator('tr[data-code="1.7"] [data-value]').inner_text() == "100"
    dinkes.click("#kks-submit")
    dinkes.wait_for_load_state()
    assert dinkes.locator("#kks-status").get_attribute("data-status") == "submitted"
    assert dinkes.locator("#kks-submit").count() == 0

    provinsi = new_page()
    login(provinsi, "provinsi")
    _open_assessment(provinsi)
    provinsi.locator('tr[data-code="1.4"] a').first.click()
    provinsi.wait_for_load_state()
    provinsi.select_option("#id_verifier_value", "0")
    provinsi.fill("#id_verifier_comment", "ABJ di bawah 95 %")
    provinsi.click("#verifier-form button.primary")
    provinsi.wait_for_load_state()
    provinsi.click("#kks-verify-province")
    provinsi.wait_for_load_state()
    assert provinsi.locator("#kks-status").get_attribute("data-status") == "province_verified"

    admin = new_page()
    login(admin, "admin")
    _open_assessment(admin)
    admin.click("#kks-verify-national")
    admin.wait_for_load_state()
    assert admin.locator("#kks-status").get_attribute("data-status") == "national_verified"
    admin.screenshot(path=str(artifacts_dir / "kks-verified.png"), full_page=True)

    with dinkes.expect_download() as download_info:
        dinkes.click("#kks-xlsx")
    content = open(download_info.value.path(), "rb").read()
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    by_code = {r[1]: r for r in rows[4:] if len(r) > 9 and r[1]}
    assert by_code["1.7"][5] == 100 and by_code["2.2"][5] == 100
    assert by_code["1.4"][9] == 0

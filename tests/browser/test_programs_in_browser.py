"""A puskesmas programme holder enters a month of TB data on a phone."""

import pytest

from binasehat.programs.models import DataValue

pytestmark = pytest.mark.browser


def test_puskesmas_enters_tb_month_on_a_phone(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "puskesmas")
    page.goto("/data/")
    page.locator("#ds-TB_BULANAN").get_by_role("link", name="Isi data").click()
    assert "/data/isi/TB_BULANAN/" in page.url
    page.goto("/data/isi/TB_BULANAN/?unit=P19030101&period=2025-03")
    stored = DataValue.objects.get(org_unit="P19030101", period="2025-03", element__code="TB_NOTIFIKASI").value
    assert page.input_value("#id_TB_NOTIFIKASI") == str(int(stored))
    page.fill("#id_TB_NOTIFIKASI", str(int(stored) + 4))
    page.fill("#id_TB_DIOBATI", "7")
    page.click("#entry-form button.primary")
    page.wait_for_load_state()
    assert "tersimpan" in page.locator(".msg-success").inner_text()
    page.screenshot(path=str(artifacts_dir / "puskesmas-tb-entry-phone.png"), full_page=True)
    assert DataValue.objects.get(org_unit="P19030101", period="2025-03", element__code="TB_NOTIFIKASI").value \
        == stored + 4
    assert DataValue.objects.get(org_unit="P19030101", period="2025-03", element__code="TB_DIOBATI").value == 7
    assert page.input_value("#id_TB_DIOBATI") == "7"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

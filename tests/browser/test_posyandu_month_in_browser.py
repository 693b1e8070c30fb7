"""A kader records a month on a phone; the district sees the recap and drills down to a posyandu."""

import pytest

from binasehat.accounts.models import User
from binasehat.posyandu.models import PosyanduMonth

pytestmark = pytest.mark.browser


def test_kader_records_a_month_on_a_phone(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "kader")
    posyandu = User.objects.get(username="kader").posyandu.get()
    page.goto(f"/laporan/posyandu/{posyandu.pk}/?tahun=2025")
    assert page.locator("#stratum").inner_text().strip() in {"Pratama", "Madya", "Purnama", "Mandiri"}
    page.locator("#months tbody tr").nth(2).get_by_role("link").click()  # March
    assert "/kegiatan/" in page.url
    record = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-03-01")
    # N above D is refused with the reason, in Indonesian, and nothing changes.
    page.fill("#id_n", str((record.d or 0) + 1))
    page.click("button.primary")
    assert "tidak boleh lebih dari D" in page.content()
    page.screenshot(path=str(artifacts_dir / "kader-month-error-phone.png"), full_page=True)
    assert PosyanduMonth.objects.get(pk=record.pk).n == record.n
    # A correct change is saved and shows in the year's table.
    page.fill("#id_d", str(record.k))
    page.fill("#id_n", str(record.k - 5))  # N + O + B ≤ D
    page.click("button.primary")
    assert f"/laporan/posyandu/{posyandu.pk}/" in page.url
    assert "tersimpan" in page.content()
    assert PosyanduMonth.objects.get(pk=record.pk).d == record.k
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_dinkes_recap_drills_down_to_a_posyandu(demo, page, login, artifacts_dir):
    login(page, "dinkes")
    page.goto("/laporan/pokjanal/?tahun=2025")
    sentence = page.locator("#recap-sentence").inner_text()
    assert "dari 122 posyandu aktif" in sentence and "8 kecamatan" in sentence
    page.screenshot(path=str(artifacts_dir / "dinkes-pokjanal.png"), full_page=True)
    page.get_by_role("link", name="Toboali").first.click()
    assert "wilayah=19.03.01" in page.url
    page.locator("#recap tbody a").first.click()  # a desa
    page.locator("#recap tbody a").first.click()  # a posyandu's year
    assert "/laporan/posyandu/" in page.url
    assert page.locator("#aktif").inner_text().strip() in {"Aktif", "Belum aktif"}

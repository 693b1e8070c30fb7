"""The dashboard on a 390 px phone: the programme sections start folded, each summary shows its headline figures,
so the page is short (it was about 12,800 px with every indicator row and trend open) and a programme is one tap
away; on a desktop every section is open."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DASHBOARD = "/laporan/dasbor/?wilayah=19.03&tahun=2025"


def test_phone_shows_programmes_folded_with_headlines(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "dinkes")
    page.goto(DASHBOARD)
    sections = page.locator("#indicator-table details.programme")
    assert sections.count() == 6
    assert sections.evaluate_all("ds => ds.filter(d => d.open).length") == 0
    expect(page.locator("#indicator-table .headline")).to_contain_text("indikator mencapai target")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(artifacts_dir / "dashboard-phone-folded.png"), full_page=True)
    assert height < 6000, height
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    # The DBD section's summary is within the first two screens, and one tap opens it.
    dbd = page.locator("#program-dbd")
    assert dbd.locator("summary").bounding_box()["y"] < 2 * 844
    expect(dbd.locator("summary")).to_contain_text("DBD")
    expect(dbd.locator('tr[data-indicator="DBD_CFR"]')).to_be_hidden()
    dbd.locator("summary").tap()
    expect(dbd.locator('tr[data-indicator="DBD_CFR"]')).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "dashboard-phone-dbd-open.png"), full_page=True)


def test_desktop_shows_every_programme_open(demo, new_page, login):
    page = new_page(phone=False)
    login(page, "dinkes")
    page.goto(DASHBOARD)
    sections = page.locator("#indicator-table details.programme")
    assert sections.count() == 6
    assert sections.evaluate_all("ds => ds.filter(d => !d.open).length") == 0
    expect(page.locator('tr[data-indicator="DBD_CFR"]')).to_be_visible()

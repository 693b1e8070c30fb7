"""The risk page's map in Chromium, on a desktop and on a 390 px phone: it is the dashboard's map (the shared
partial), so a tap on a desa shows its name, score and rank in the panel, and the names drawn are visible."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard_map_pivot_in_browser import FIND_TAP_POINT

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_risk_map_tap_shows_score_and_rank(demo, new_page, login, artifacts_dir, phone):
    page = new_page(phone=phone)
    login(page, "dinkes")
    page.goto("/risiko/?wilayah=19.03&tahun=2025")
    shapes = page.locator("#peta .map-shape")
    assert shapes.count() == 53
    labels = page.locator("#peta .map-label")
    assert any(labels.nth(i).is_visible() for i in range(labels.count())), "no desa name visible"
    for i in range(shapes.count()):
        shape = shapes.nth(i)
        shape.scroll_into_view_if_needed()
        point = shape.evaluate(FIND_TAP_POINT)
        if point:
            (page.touchscreen.tap if phone else page.mouse.click)(*point)
            break
    else:
        raise AssertionError("no desa could be tapped")
    detail = page.locator("#peta [data-map-detail]")
    expect(detail).to_contain_text(shape.get_attribute("data-title"))
    expect(detail).to_contain_text(re.compile(r"skor \d+(,\d+)?, peringkat \d+ dari 53"))
    expect(shape).to_have_class(re.compile("is-selected"))
    page.locator("#peta").screenshot(path=str(artifacts_dir / f"risk-map-{'phone' if phone else 'desktop'}.png"))

"""The dashboard, its map and the pivot table in Chromium, on a desktop and on a 390 px phone: a tap on a desa
shows its value in the panel, the ranking's indicator changes in place (no reload, scroll position kept), the
pivot's controls are whole and the page is short."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DASHBOARD = "/laporan/dasbor/?wilayah=19.03&tahun=2025"

#: A point of the element where a tap lands on the element itself (not on a posyandu dot or a neighbour).
FIND_TAP_POINT = """(el) => {
  const box = el.getBoundingClientRect();
  for (let fy = 0.5; fy < 1; fy += 0.1) for (const s of [1, -1]) for (let fx = 0.1; fx < 1; fx += 0.1) {
    const x = box.left + box.width * fx, y = box.top + box.height * (s > 0 ? fy : 1 - fy);
    if (document.elementFromPoint(x, y) === el) return [x, y];
  }
  return null;
}"""


def _tap_a_desa(page, phone: bool):
    shapes = page.locator("#peta .map-shape")
    assert shapes.count() == 53
    for i in range(shapes.count()):
        shape = shapes.nth(i)
        shape.scroll_into_view_if_needed()
        point = shape.evaluate(FIND_TAP_POINT)
        if point:
            if phone:
                page.touchscreen.tap(*point)
            else:
                page.mouse.click(*point)
            return shape
    raise AssertionError("no desa could be tapped")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_map_tap_shows_the_desa_value(demo, new_page, login, artifacts_dir, phone):
    page = new_page(phone=phone)
    login(page, "dinkes")
    page.goto(DASHBOARD + "&ind=POSYANDU_AKTIF")
    legend = page.locator("#peta figcaption").inner_text()
    assert "0,0–0,0" not in legend
    # Names are drawn where they fit at this width (and are visible there).
    labels = page.locator("#peta .map-label")
    visible = [labels.nth(i) for i in range(labels.count()) if labels.nth(i).is_visible()]
    assert visible, "no desa name visible"
    shape = _tap_a_desa(page, phone)
    name = shape.get_attribute("data-title")
    detail = page.locator("#peta [data-map-detail]")
    expect(detail).to_contain_text(name)
    expect(detail).to_contain_text("Persentase posyandu aktif")
    expect(shape).to_have_class(re.compile("is-selected"))
    # A posyandu dot is clearly visible (at least 9 px across on screen) and its tap target is at least 20 px
    # across (a transparent ring around it); a tap tells its name and status.
    dot = page.locator("#peta .map-point").first
    box = dot.locator(".map-dot").bounding_box()
    assert box["width"] >= 9, box
    assert dot.locator(".map-hit").bounding_box()["width"] >= 20
    # Tap the first dot whose centre is not covered by a neighbour's tap target.
    points = page.locator("#peta .map-point")
    for i in range(points.count()):
        dot = points.nth(i)
        dot.scroll_into_view_if_needed()
        centre = dot.locator(".map-dot").evaluate(
            "c => { const b = c.getBoundingClientRect(); const x = b.left + b.width / 2, y = b.top + b.height / 2;"
            " const hit = document.elementFromPoint(x, y); return hit && hit.closest('.map-point') === c.parentNode"
            " ? [x, y] : null; }")
        if centre:
            break
    assert centre, "every posyandu dot is covered by another"
    page.touchscreen.tap(*centre) if phone else page.mouse.click(*centre)
    # Where dots crowd, Chromium's touch adjustment may pick a neighbour: the panel then names that posyandu.
    expect(detail).to_contain_text(re.compile(r"· (aktif|tidak aktif|belum dinilai)$"))
    shown = detail.locator("strong").inner_text()
    assert shown in points.evaluate_all("ps => ps.map(p => p.dataset.title)")
    if not phone:
        assert shown == dot.get_attribute("data-title")
    figure = page.locator("#peta")
    figure.screenshot(path=str(artifacts_dir / f"dashboard-map-{'phone' if phone else 'desktop'}.png"))
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_ranking_indicator_changes_without_reload(demo, new_page, login, artifacts_dir, phone):
    page = new_page(phone=phone)
    login(page, "dinkes")
    page.goto(DASHBOARD)
    page.screenshot(path=str(artifacts_dir / f"dashboard-{'phone' if phone else 'desktop'}.png"), full_page=True)
    page.evaluate("window.bsMarker = 'still here'")  # gone if the page reloads
    select = page.locator("#ranking-indicator")
    select.scroll_into_view_if_needed()
    page.mouse.wheel(0, 120)
    page.wait_for_timeout(200)
    before = page.evaluate("window.scrollY")
    assert before > 300
    with page.expect_response(lambda r: "/laporan/dasbor/" in r.url and "ind=STUNTING" in r.url):
        select.select_option("STUNTING")
    expect(page.locator("#peringkat h2")).to_contain_text("stunting")
    assert page.evaluate("window.bsMarker") == "still here"
    assert abs(page.evaluate("window.scrollY") - before) < 5
    assert "ind=STUNTING" in page.url
    assert page.locator("#dashboard-xlsx").get_attribute("href").endswith("ind=STUNTING&format=xlsx")
    assert page.locator("#dashboard-ind").get_attribute("value") == "STUNTING"
    assert page.locator('#indicator-table tr.selected').get_attribute("data-indicator") == "STUNTING"
    assert "stunting" in page.locator("#peta h2").inner_text().lower()
    # A filter (the year) also updates in place.
    page.evaluate("window.scrollTo(0, 0)")
    with page.expect_response(lambda r: "tahun=2024" in r.url):
        page.locator("#dashboard-filters select[name=tahun]").select_option("2024")
    expect(page.locator("main h1")).to_contain_text("2024")
    assert page.evaluate("window.bsMarker") == "still here"
    assert "tahun=2024" in page.url and "ind=STUNTING" in page.url


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_pivot_controls(demo, new_page, login, artifacts_dir, phone):
    page = new_page(phone=phone)
    login(page, "dinkes")
    page.goto("/laporan/pivot/?wilayah=19.03&tahun=2025")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < (7000 if phone else 4000), height
    assert page.locator("#pivot-table tbody tr").count() == 40
    assert "dari" in page.locator("#pivot-pager").inner_text()
    page.screenshot(path=str(artifacts_dir / f"pivot-{'phone' if phone else 'desktop'}.png"), full_page=True)
    form = page.locator("#pivot-form")
    assert not form.is_visible()  # folded by default
    page.locator("#pivot-controls > summary").click()
    assert form.is_visible()
    # Selects show their whole text (not "satu t", "triw").
    for name in ("tingkat", "periode", "tahun"):
        sel = form.locator(f"select[name={name}]")
        width = sel.evaluate("s => s.getBoundingClientRect().width")
        text = sel.evaluate("s => { const c = document.createElement('canvas').getContext('2d');"
                            " c.font = getComputedStyle(s).font; return c.measureText(s.selectedOptions[0].text).width; }")
        assert width >= text + 16, (name, width, text)
    # Search narrows the indicator checkboxes; two are chosen by ticking.
    page.fill("#pivot-indicator-search", "stunting")
    shown = form.locator(".checks label:visible")
    assert shown.count() == 1
    shown.first.locator("input").check()
    page.fill("#pivot-indicator-search", "wasting")
    form.locator(".checks label:visible input").first.check()
    form.locator("select[name=periode]").select_option("quarter")
    page.screenshot(path=str(artifacts_dir / f"pivot-controls-{'phone' if phone else 'desktop'}.png"), full_page=True)
    with page.expect_navigation():
        form.locator("button.primary").click()
    codes = set(page.locator("#pivot-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.indicator)"))
    assert codes == {"STUNTING", "WASTING"}
    assert page.locator("#pivot-table thead th.num").count() == 4
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_big_map_page_on_a_phone(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "bidan")
    page.goto("/laporan/peta/?tahun=2025")
    page.screenshot(path=str(artifacts_dir / "map-bidan-phone.png"), full_page=True)
    caption = page.locator("figure.map figcaption").inner_text() if page.locator("figure.map").count() else ""
    assert "0,0–0,0" not in caption

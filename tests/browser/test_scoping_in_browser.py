"""Area scoping as a person sees it: the demo district in headless Chromium against the live server.

Every check goes through the real pages (login form, lists, detail pages, CSV export) and is compared with
the database, so a leak in a template, a view or the scoping middleware shows here even when the unit tests
of the selectors pass.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from binasehat.facilities.models import Posyandu

pytestmark = pytest.mark.browser

NOT_FOUND = "Halaman tidak ditemukan"
WRONG_LOGIN = "Nama pengguna atau kata sandi salah"
DISTRICT = "19.03"
DISTRICT_POSYANDU = 122
DISTRICT_KECAMATAN = 8
PHONE_WIDTH = 390  # the phone viewport of new_page(phone=True)


def _heading_count(page) -> int:
    """The number in parentheses in a list page's heading, e.g. ``Posyandu (122)``."""
    text = page.locator("main h1").first.inner_text()
    match = re.search(r"\((\d+)\)", text)
    assert match, f"no count in the heading {text!r}"
    return int(match.group(1))


def _user(username):
    return get_user_model().objects.get(username=username)


def _goto(page, url, status=200):
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.status == status, f"{url}: HTTP {response.status}, expected {status}"
    return response


def _csv_rows(page, url) -> list[dict]:
    """Download a CSV export with the page's cookies (the logged-in session) and parse it."""
    response = page.request.get(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    assert response.headers.get("content-type", "").startswith("text/csv"), response.headers
    return list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))


def test_kader_sees_only_its_own_posyandu(demo, page, login):
    own = _user("kader").posyandu.get()  # the demo binds the kader to exactly one posyandu
    login(page, "kader")

    _goto(page, "/")
    expect(page.locator(".demo-banner")).to_contain_text("DATA DEMO")
    # A kader has no puskesmas or pustu lists in its menu.
    expect(page.locator(".mainnav a[href='/puskesmas/']")).to_have_count(0)
    expect(page.locator(".mainnav a[href='/pustu/']")).to_have_count(0)

    _goto(page, "/posyandu/")
    assert _heading_count(page) == 1
    rows = page.locator("#facility-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(own.name)
    expect(rows.first).to_contain_text(own.code)
    expect(rows.first.locator("a")).to_have_attribute("href", f"/posyandu/{own.pk}/")

    _goto(page, f"/posyandu/{own.pk}/")
    expect(page.locator("main h1")).to_contain_text(own.name)


def test_dinkes_sees_the_whole_district(demo, page, login):
    assert Posyandu.objects.filter(desa__code__startswith=DISTRICT + ".").count() == DISTRICT_POSYANDU
    login(page, "dinkes")

    _goto(page, "/posyandu/")
    assert _heading_count(page) == DISTRICT_POSYANDU
    expect(page.locator("#facility-list tbody tr")).to_have_count(25)  # the first page of PAGE_SIZE rows
    expect(page.locator(".pager")).to_contain_text("Halaman 1 dari 5")

    _goto(page, f"/wilayah/{DISTRICT}/")
    rows = page.locator("main .table-wrap table tbody tr")
    expect(rows).to_have_count(DISTRICT_KECAMATAN)
    for i in range(DISTRICT_KECAMATAN):
        expect(rows.nth(i).locator("a")).to_have_attribute("href", re.compile(rf"^/wilayah/{re.escape(DISTRICT)}\.\d\d/$"))
    # The footer totals the kecamatan rows: all 122 posyandu of the district.
    expect(page.locator("main tfoot")).to_contain_text(str(DISTRICT_POSYANDU))


def test_kader_typing_another_posyandu_url_gets_404(demo, page, login):
    own = _user("kader").posyandu.get()
    same_desa = Posyandu.objects.filter(desa=own.desa).exclude(pk=own.pk).order_by("code").first()
    elsewhere = Posyandu.objects.exclude(desa__parent=own.desa.parent).order_by("code").first()
    assert same_desa is not None and elsewhere is not None
    login(page, "kader")

    _goto(page, f"/posyandu/{own.pk}/")  # control: its own posyandu opens
    for other in (same_desa, elsewhere):
        _goto(page, f"/posyandu/{other.pk}/", status=404)
        expect(page.locator("main h1")).to_have_text(NOT_FOUND)
        expect(page.locator("main")).not_to_contain_text(other.name)
        expect(page.locator("main")).not_to_contain_text(other.code)
    # Nor through the edit URL. A kader may not edit posyandu at all, so it is refused before any lookup: the
    # answer is the same for its own posyandu as for another one and tells nothing about the other.
    own_edit = page.goto(f"/posyandu/{own.pk}/ubah/").status
    other_edit = page.goto(f"/posyandu/{same_desa.pk}/ubah/").status
    assert own_edit == other_edit and other_edit in (403, 404), (own_edit, other_edit)
    expect(page.locator("main")).not_to_contain_text(same_desa.name)


def test_puskesmas_sees_only_its_wilayah_kerja(demo, page, login):
    puskesmas = _user("puskesmas").puskesmas.get()
    assert puskesmas.kecamatan_id == "19.03.01"
    wilayah_kerja = sorted(puskesmas.wilayah_kerja.values_list("code", flat=True))
    inside = Posyandu.objects.filter(desa__code__in=wilayah_kerja)
    other_kecamatan = Posyandu.objects.filter(desa__code__startswith="19.03.02.").order_by("code").first()
    # The kecamatan is split between two puskesmas: the other half is not this user's either.
    same_kecamatan_other_puskesmas = (
        Posyandu.objects.filter(desa__code__startswith="19.03.01.").exclude(desa__code__in=wilayah_kerja)
        .order_by("code").first()
    )
    assert inside.exists() and other_kecamatan and same_kecamatan_other_puskesmas
    login(page, "puskesmas")

    _goto(page, f"/posyandu/{inside.order_by('code').first().pk}/")
    for other in (other_kecamatan, same_kecamatan_other_puskesmas):
        _goto(page, f"/posyandu/{other.pk}/", status=404)
        expect(page.locator("main h1")).to_have_text(NOT_FOUND)

    _goto(page, "/posyandu/")
    assert _heading_count(page) == inside.count()

    rows = _csv_rows(page, "/posyandu/?format=csv")
    assert len(rows) == inside.count() > 0
    outside = [r for r in rows if not any(r["desa_code"] == d or r["desa_code"].startswith(d + ".") for d in wilayah_kerja)]
    assert not outside, f"the export holds posyandu outside the wilayah kerja: {outside[:3]}"
    assert {r["code"] for r in rows} == set(inside.values_list("code", flat=True))

    # Filtering the export to another kecamatan yields nothing rather than that kecamatan's posyandu.
    assert _csv_rows(page, "/posyandu/?wilayah=19.03.02&format=csv") == []
    assert _csv_rows(page, f"/posyandu/?q={other_kecamatan.code}&format=csv") == []


def test_wrong_password_shows_indonesian_error(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    response = login(page, "dinkes", "bukan-kata-sandinya", expect_success=False)
    assert "/akun/masuk/" in page.url
    assert response is not None and response.status in (200, 401, 403)
    expect(page.locator("main .msg-error")).to_contain_text(WRONG_LOGIN)
    expect(page.locator("input[name=username]")).to_have_value("dinkes")
    page.screenshot(path=str(artifacts_dir / "phone-login-error.png"), full_page=True)

    # The right password still works after one failure.
    login(page, "dinkes")
    _goto(page, "/posyandu/")
    assert _heading_count(page) == DISTRICT_POSYANDU


def _assert_no_horizontal_page_overflow(page):
    width = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert width["inner"] == PHONE_WIDTH, width
    assert width["scroll"] <= width["inner"] + 1, f"the page scrolls sideways on a phone: {width}"


def test_phone_viewport_menu_and_scrolling_tables(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "dinkes")

    _goto(page, "/")
    toggle = page.locator("label[for=nav-toggle]")
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text("Menu")
    nav_link = page.locator(".mainnav a[href='/posyandu/']")
    expect(nav_link).to_be_hidden()
    toggle.click()
    expect(nav_link).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "phone-dinkes-menu-open.png"))
    toggle.click()
    expect(nav_link).to_be_hidden()

    # The home page's area table has eight columns: wider than a phone, it scrolls inside its wrapper.
    wrap = page.locator("main .table-wrap").first
    expect(wrap).to_be_visible()
    sizes = wrap.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth, overflow: getComputedStyle(e).overflowX})")
    assert sizes["overflow"] in ("auto", "scroll"), sizes
    assert sizes["scroll"] > sizes["client"], f"expected the area table to be wider than the phone: {sizes}"
    _assert_no_horizontal_page_overflow(page)
    page.screenshot(path=str(artifacts_dir / "phone-dinkes-home.png"), full_page=True)

    _goto(page, "/posyandu/")
    expect(page.locator("#facility-list")).to_be_visible()
    wrap = page.locator("main .table-wrap").filter(has=page.locator("#facility-list"))
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") in ("auto", "scroll")
    _assert_no_horizontal_page_overflow(page)
    page.screenshot(path=str(artifacts_dir / "phone-dinkes-posyandu.png"), full_page=True)


@pytest.mark.parametrize("username", ["kader", "bidan", "puskesmas", "dinkes"])
def test_screenshots_per_role(demo, page, login, artifacts_dir, username):
    """Full-page screenshots of the home page and the posyandu list for a human to look at."""
    login(page, username)
    _goto(page, "/")
    expect(page.locator(".demo-banner")).to_contain_text("DATA DEMO")
    page.screenshot(path=str(artifacts_dir / f"{username}-home.png"), full_page=True)
    _goto(page, "/posyandu/")
    expect(page.locator("#facility-list")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"{username}-posyandu.png"), full_page=True)

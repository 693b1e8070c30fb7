"""A PIS-PK surveyor on a phone: the family list and pages kept offline; a visit entered with no signal shows
"belum terkirim", is sent when the signal returns, and the family's IKS appears. Also: the field pages at 360 px,
and logging out empties what the phone keeps."""

import datetime as dt
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from binasehat.accounts.models import User
from binasehat.families import services as family_services
from binasehat.families.models import Survey

pytestmark = pytest.mark.browser

MONTHS_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def years_ago(n):
    today = timezone.localdate()
    return today.replace(year=today.year - n, day=1) - dt.timedelta(days=20)


def cached(page, path, timeout_s=20):
    """Wait until the service worker's cache holds ``path`` (it keeps the pages one at a time)."""
    for _ in range(timeout_s * 5):
        if page.evaluate("async (p) => !!(await caches.match(p))", path):
            return True
        page.wait_for_timeout(200)
    return False


def test_family_visit_offline_then_online(demo, new_page, login, artifacts_dir):
    bidan = User.objects.get(username="bidan")
    family = family_services.family_register(
        actor=bidan, data={"no_kk": "1903022001770001", "head_name": "Budi Luring", "desa_id": "19.03.02.2001",
                           "rt": "002", "rw": "001"},
        members=[{"name": "Budi Luring", "sex": "L", "birth_date": years_ago(40), "relation": "kepala"},
                 {"name": "Sari Luring", "sex": "P", "birth_date": years_ago(35), "relation": "pasangan"}])
    page = new_page(phone=True)
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "bidan")
    page.goto("/lapangan/keluarga/")
    expect(page.locator("#families-title")).to_have_text("Keluarga di wilayah Anda")
    url = f"/lapangan/keluarga/{family.pk}/"
    assert cached(page, url), "the family page was not kept for offline use"

    page.context.set_offline(True)
    # Going to the family with no signal: the page comes from the phone.
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Budi Luring")
    expect(page.locator("#net")).to_be_visible()
    # Head: smokes (9 T); everything else asked is Y. Family values: 1 Y, 2–5 N (no baby, no balita), 6–8 Y,
    # 9 T, 10–12 Y: IKS = 7 / (7 + 1) = 0,875 (Permenkes 39/2016: Y / (12 − N)), "Keluarga Sehat" (> 0,800).
    members = {m.name: m.pk for m in family.members.all()}
    selects = page.locator("#visit-form select")
    for i in range(selects.count()):
        select = selects.nth(i)
        name = select.get_attribute("name")
        select.select_option("T" if name == f"a{members['Budi Luring']}_9" else "Y")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#queue-list li.pending")).to_have_count(1)
    today = timezone.localdate()
    expect(page.locator("#queue-list li.pending")).to_contain_text(
        f"Budi Luring · {today.day} {MONTHS_ID[today.month - 1]} {today.year} — belum terkirim")
    page.screenshot(path=str(artifacts_dir / "family-visit-offline-360.png"), full_page=True)
    assert not Survey.objects.filter(family=family).exists()

    page.context.set_offline(False)
    expect(page.locator("#iks-value")).to_have_text("0,875")  # sent, and the page shows the stored visit
    expect(page.locator("#queue")).to_be_hidden()
    survey = Survey.objects.get(family=family)
    assert (survey.sum_y, survey.sum_t, survey.sum_n, survey.iks_text) == (7, 1, 4, "0,875")
    expect(page.locator("#iks")).to_contain_text("Keluarga sehat")
    expect(page.locator("#iks")).to_contain_text(f"{today.day} {MONTHS_ID[today.month - 1]} {today.year}")
    page.screenshot(path=str(artifacts_dir / "family-visit-sent-360.png"), full_page=True)
    # Sending again (a reload runs the queue) stores nothing twice.
    page.reload()
    assert Survey.objects.filter(family=family).count() == 1


def test_field_pages_at_360_px(demo, new_page, login, artifacts_dir):
    from binasehat.growth.services import child_register

    today = timezone.localdate()
    kader = User.objects.get(username="kader")
    child = child_register(actor=kader, posyandu=kader.posyandu.get(), data={
        "name": "Alya Sempit", "sex": "P", "birth_date": today - dt.timedelta(days=700), "mother_name": "Ibu Alya"})
    page = new_page(phone=True)
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "kader")
    assert "/lapangan/" in page.url
    # Dates as Indonesians write them: "3 Des 2026".
    expect(page.locator(".field-page > p.muted").first).to_contain_text(
        f"{today.day} {MONTHS_ID[today.month - 1]} {today.year}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Large touch targets: every input, select and button of the field forms is at least 44 px high, and the
    # submit buttons span the width.
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.field-form input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .field-form select, .field-form button, .field-form label.check, .field-form .choices label')]
        .filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 80))""")
    assert small == []
    widths = page.evaluate("() => [...document.querySelectorAll('.field-form button.big')].map((b) => b.getBoundingClientRect().width)")
    assert widths and min(widths) >= 0.8 * 360
    # Comma decimals in the weighing form: 9,5 kg and 80,5 cm are stored as 9.50 and 80.5.
    page.select_option("#f-child", str(child.pk))
    page.fill("#f-weight", "9,5")
    page.fill("#f-len", "80,5")
    page.check("#measure-form input[name=measure][value=h]")
    with page.expect_navigation():
        page.click("#measure-form button[type=submit]")
    from binasehat.growth.models import Measurement

    m = Measurement.objects.get(child=child, measured_on=today)
    assert (str(m.weight_kg), str(m.lenhei_cm)) == ("9.50", "80.5")
    expect(page.locator("#result")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "field-day-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_logout_empties_the_phone(demo, new_page, login):
    page = new_page(phone=True)
    login(page, "kader")
    assert cached(page, "/lapangan/"), "the posyandu day was not kept"
    page.click("label.nav-toggle-label")  # the menu of a phone
    with page.expect_navigation():
        page.locator("form[data-field-logout] button").click()
    expect(page.locator("input[name=password]")).to_be_visible()  # logged out, on the login page
    assert page.evaluate("async () => (await caches.keys()).includes('binasehat-field-v1')") is False
    assert page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)").count("binasehat-field") == 0

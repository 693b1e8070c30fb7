"""A kader on a 390 px phone: home → posyandu day; offline, registers a child and weighs it, back online every entry
arrives exactly once; a weighing changed on the server meanwhile shows as a conflict."""

import datetime as dt
import decimal

import pytest
from playwright.sync_api import expect
from django.utils import timezone

from binasehat.accounts.models import User
from binasehat.growth.models import Child, Measurement

pytestmark = pytest.mark.browser


def test_posyandu_day_offline_then_online(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "kader")
    assert "/lapangan/" in page.url
    assert page.get_by_text("Posyandu hari ini").first.is_visible()
    kader = User.objects.get(username="kader")
    posyandu = kader.posyandu.get()
    today = timezone.localdate()
    from binasehat.growth.services import child_register
    other = child_register(actor=kader, posyandu=posyandu, data={
        "name": "Alya Daring", "sex": "P", "birth_date": today - dt.timedelta(days=700), "mother_name": "Ibu Alya"})
    page.reload()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts_dir / "field-day-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    page.context.set_offline(True)
    page.wait_for_selector("#net:not([hidden])")
    page.fill("#c-name", "Putri Luring")
    page.check("#child-form input[name=sex][value=P]")
    page.fill("#c-birth", (today - dt.timedelta(days=200)).isoformat())
    page.fill("#c-mother", "Ibu Luring")
    page.click("#child-form button[type=submit]")
    page.wait_for_selector("#queue-list li.pending")
    # The new child can be weighed offline, and so can a child already registered.
    option = page.locator("#f-child option", has_text="Putri Luring").get_attribute("value")
    assert option.startswith("client:")
    page.select_option("#f-child", option)
    page.fill("#f-weight", "6,4")
    page.click("#measure-form button[type=submit]")
    expect(page.locator("#queue-list li.pending")).to_have_count(2)
    page.select_option("#f-child", str(other.pk))
    page.fill("#f-weight", "12,3")
    page.click("#measure-form button[type=submit]")
    expect(page.locator("#queue-list li.pending")).to_have_count(3)
    page.screenshot(path=str(artifacts_dir / "field-offline-queue-phone.png"), full_page=True)
    assert not Child.objects.filter(name="Putri Luring").exists()

    # Meanwhile someone records the other child's weighing of today on the server.
    from binasehat.growth.services import measurement_record
    measurement_record(actor=kader, child=other, data={"measured_on": today, "weight_kg": decimal.Decimal("11.0"),
                                                        "posyandu_id": posyandu.pk})

    page.context.set_offline(False)
    page.wait_for_selector("#queue[hidden]", state="attached")
    page.wait_for_selector("#conflict-list li.problem-conflict")
    page.screenshot(path=str(artifacts_dir / "field-conflict-phone.png"), full_page=True)
    assert Child.objects.filter(name="Putri Luring").count() == 1
    putri = Child.objects.get(name="Putri Luring")
    assert str(Measurement.objects.get(child=putri, measured_on=today).weight_kg) == "6.40"
    assert str(Measurement.objects.get(child=other, measured_on=today).weight_kg) == "11.00"  # never overwritten
    conflict = page.locator("#conflict-list li.problem-conflict").inner_text()
    assert "11.00" in conflict and "12.30" in conflict
    # Sending again (a reload re-runs the sync) stores nothing twice.
    page.reload()
    assert Child.objects.filter(name="Putri Luring").count() == 1
    assert Measurement.objects.filter(child=putri).count() == 1
    # The kader keeps her version: stored against the server's version.
    page.click("#conflict-list li.problem-conflict button.use-mine")
    page.wait_for_selector("#conflict-list li.problem-conflict", state="detached")
    expect(page.locator("#queue")).to_be_hidden()
    assert str(Measurement.objects.get(child=other, measured_on=today).weight_kg) == "12.30"


def test_monthly_form_uses_the_suggested_figures(demo, new_page, login):
    page = new_page(phone=True)
    login(page, "kader")
    page.click("#report-link")
    assert "/kegiatan/" in page.url
    page.wait_for_selector("#skdn-suggestion")


def test_new_child_weighed_and_status_shown_online(demo, new_page, login, artifacts_dir):
    page = new_page(phone=True)
    login(page, "kader")  # tap 1: the home is the posyandu day
    today = timezone.localdate()
    page.fill("#c-name", "Rafi Daring")
    page.check("#child-form input[name=sex][value=L]")
    page.fill("#c-birth", (today - dt.timedelta(days=400)).isoformat())
    page.fill("#c-mother", "Ibu Daring")
    with page.expect_navigation():
        page.click("#child-form button[type=submit]")  # tap 2: registered, the weighing form opens on the child
    assert page.locator("#f-child option:checked").inner_text().startswith("Rafi Daring")
    page.fill("#f-weight", "7,0")
    page.fill("#f-len", "72,5")
    page.check("#measure-form input[name=measure][value=l]")
    with page.expect_navigation():
        page.click("#measure-form button[type=submit]")  # tap 3: the result
    result = page.locator("#result")
    assert result.is_visible()
    assert result.locator(".sev-severe, .sev-moderate").count() >= 1  # 7 kg at 13 months: underweight
    assert result.locator(".prompt-refer").count() >= 1
    page.screenshot(path=str(artifacts_dir / "field-result-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

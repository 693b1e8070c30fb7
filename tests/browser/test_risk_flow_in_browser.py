"""One area from its score to the evaluation, in Chromium: the ranked list, the explanation, the designation,
a plan with a problem and a partner's activity, a meeting's decision, the action item's evidence (a file), and the
plan's before/after evaluation."""

import pytest

from binasehat.followups.models import ActionItem, Evidence
from binasehat.risk.models import Activity, Designation

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_from_score_to_evaluation(demo, page, new_page, login, artifacts_dir, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, "dinkes")
    page.goto("/risiko/?wilayah=19.03&tahun=2025")
    rows = page.locator("#risk-ranking tbody tr")
    assert rows.count() == 53
    page.screenshot(path=str(artifacts_dir / "risk-list.png"), full_page=True)
    # An area not designated yet, high on the list.
    designated = set(Designation.objects.values_list("region_id", flat=True))
    row = next(rows.nth(i) for i in range(10) if rows.nth(i).get_attribute("id")[4:] not in designated)
    code = row.get_attribute("id")[4:]
    name = row.locator("a").first.inner_text()
    row.locator("a").first.click()
    assert f"/risiko/wilayah/{code}/2025/" in page.url
    assert name in page.locator("h1").inner_text()
    assert "peringkat" in page.locator("#summary").inner_text()
    failed = page.locator("#checks .status-invalid").count()
    assert failed >= 1
    page.screenshot(path=str(artifacts_dir / "risk-explanation.png"), full_page=True)

    page.fill("#designate-form #id_reason", "Beberapa program gagal bersamaan; disepakati rapat lintas sektor.")
    page.click("#designate-form button[type=submit]")
    page.wait_for_load_state()
    d = Designation.objects.get(region_id=code, year=2026)
    assert page.url.endswith(f"/risiko/penetapan/{d.pk}/")
    assert "ditetapkan sebagai wilayah berisiko" in page.locator(".msg-success").inner_text()

    # A problem linked to an indicator, then an activity with a partner.
    page.locator("summary", has_text="Tambah masalah").click()
    page.select_option("#problem-form #id_indicator", label="Prevalensi balita pendek dan sangat pendek (stunting)")
    page.fill("#problem-form #id_description", "Balita pendek di atas target.")
    page.click("#problem-form button[type=submit]")
    page.wait_for_load_state()
    assert "Balita pendek di atas target." in page.locator("#problems").inner_text()
    page.locator("summary", has_text="Tambah kegiatan").click()
    form = page.locator("#activity-form")
    form.locator("#id_problem").select_option(index=1)
    form.locator("#id_title").fill("PMT lokal 90 hari")
    form.locator("#id_programme").select_option("gizi")
    form.locator("#id_partner_kind").select_option("csr")
    form.locator("#id_institution").select_option(label="PT Samudra Timah Lestari (CSR)")
    form.locator("#id_responsible").fill("Staf CSR")
    form.locator("#id_budget").fill("24000000")
    form.locator("#id_funding").select_option("csr")
    form.locator("#id_start").fill("2026-03-01")
    form.locator("#id_end").fill("2026-08-31")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    activity = Activity.objects.get(designation=d)
    assert page.locator(f"#activity-{activity.pk} h3").inner_text().startswith("PMT lokal 90 hari")

    # A lintas sektor meeting for this area decides; the decision becomes an action item.
    page.goto("/tindak-lanjut/rapat/")
    page.locator("summary", has_text="Catat rapat").click()
    mf = page.locator("#meeting-form")
    mf.locator("#id_kind").select_option("lintas_sektor")
    mf.locator("#id_level").select_option("desa")
    mf.locator("#id_region").select_option(code)
    mf.locator("#id_designation").select_option(str(d.pk))
    mf.locator("#id_date").fill("2026-03-10")
    mf.locator("#id_place").fill("Kantor desa")
    mf.locator("#id_agenda").fill("Rencana intervensi")
    mf.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("summary", has_text="Tambah keputusan").click()
    df = page.locator("#decision-form")
    df.locator("#id_decision").fill("CSR menyediakan PMT untuk 20 balita")
    df.locator("#id_owner_name").fill("Andi Saputra")
    df.locator("#id_institution").select_option(label="PT Samudra Timah Lestari (CSR)")
    df.locator("#id_due").fill("2026-04-30")
    df.locator("button[type=submit]").click()
    page.wait_for_load_state()
    item = ActionItem.objects.get(decision="CSR menyediakan PMT untuk 20 balita")
    page.locator("#decisions a", has_text="CSR menyediakan PMT").click()
    page.wait_for_load_state()
    evidence = tmp_path / "serah-terima-pmt.png"
    evidence.write_bytes(PNG)
    page.select_option("#action-form #id_status", "selesai")
    page.fill("#action-form #id_evidence", "Berita acara serah terima PMT.")
    page.set_input_files("#action-form #id_files", str(evidence))
    page.click("#action-form button[type=submit]")
    page.wait_for_load_state()
    assert "Tindak lanjut tersimpan" in page.locator(".msg-success").inner_text()
    item.refresh_from_db()
    assert item.status == "selesai" and item.version == 2
    assert Evidence.objects.get(action=item).name == "serah-terima-pmt.png"
    assert "serah-terima-pmt.png" in page.locator("#action-evidence").inner_text()

    # Back to the plan: the evaluation shows the linked indicator before and after.
    page.goto(f"/risiko/penetapan/{d.pk}/")
    evaluation = page.locator("#evaluation tbody tr")
    assert evaluation.count() == 1
    assert "stunting" in evaluation.first.inner_text().lower()
    assert "(2025)" in evaluation.first.inner_text() and "(2026)" in evaluation.first.inner_text()
    page.screenshot(path=str(artifacts_dir / "risk-plan.png"), full_page=True)

    # The partner, on a phone: its plan and its action item, nothing wider than the screen.
    phone = new_page(phone=True)
    login(phone, "mitra")
    phone.goto("/risiko/penetapan/")
    phone.locator("#designations a").first.click()
    phone.wait_for_load_state()
    assert phone.locator(".activity").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.goto("/tindak-lanjut/")
    assert phone.locator("#actions tbody tr").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(artifacts_dir / "risk-mitra-phone.png"), full_page=True)

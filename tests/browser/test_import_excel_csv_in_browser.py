"""A bidan uploads the CSV that Excel on an Indonesian Windows saves (semicolons, Windows-1252, Indonesian column
names, day-first dates, Laki-laki/Perempuan) and it imports on the first try, through the preview and the commit,
on a desktop and on a 390 px phone."""

import datetime as dt

import pytest

from binasehat.facilities.models import Posyandu
from binasehat.growth.models import Child

pytestmark = pytest.mark.browser

DESA = "19.03.02.2001"  # the demo bidan's desa


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_excel_csv_with_indonesian_headers_imports_first_try(demo, new_page, login, artifacts_dir, phone):
    posyandu = Posyandu.objects.filter(desa_id=DESA).order_by("code").first()
    text = (
        "Nama Anak;Jenis Kelamin;Tanggal Lahir;Kode Desa;Nama Ibu;Kode Posyandu\r\n"
        f"Siti Nur’aini;Perempuan;31/12/2023;{DESA};Ratna Dewi;{posyandu.code}\r\n"
        f"André Saputra;Laki-laki;01-06-2024;{DESA};Sari Wulandari;{posyandu.code}\r\n"
    )
    content = text.encode("cp1252")
    assert b"\x92" in content and b"\xe9" in content  # ’ and é as Windows-1252 writes them

    page = new_page(phone=phone)
    login(page, "bidan")
    page.goto("/impor/")
    page.select_option("#id_kind", "children")
    page.set_input_files("#id_file", files=[{"name": "data anak.csv", "mimeType": "text/csv", "buffer": content}])
    with page.expect_navigation():
        page.get_by_role("button", name="Unggah dan periksa").click()

    assert page.locator("#import-error").count() == 0, page.locator("#import-error").inner_text()
    read_as = page.locator("#read-as").inner_text()
    assert "Windows-1252" in read_as and "titik koma" in read_as
    assert page.locator("#n-create").inner_text().strip() == "2"
    assert page.locator("#n-reject").inner_text().strip() == "0"
    sample = page.locator("#sample-create")
    headers = [h.strip() for h in sample.locator("thead th").all_inner_texts()]
    assert headers[1:4] == ["Nama Anak", "Jenis Kelamin", "Tanggal Lahir"]
    first = [c.strip() for c in sample.locator("tbody tr").first.locator("td").all_inner_texts()]
    assert first[1:4] == ["Siti Nur’aini", "Perempuan", "31/12/2023"]
    assert "André Saputra" in sample.inner_text()
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.screenshot(path=str(artifacts_dir / f"import-excel-csv-preview-{'phone' if phone else 'desktop'}.png"),
                    full_page=True)

    with page.expect_navigation():
        page.locator("#commit").click()
    assert "Tersimpan" in page.locator("#job").inner_text()
    siti = Child.objects.get(name="Siti Nur’aini")
    assert (siti.sex, siti.birth_date, siti.desa_id, siti.posyandu_id) == ("P", dt.date(2023, 12, 31), DESA,
                                                                           posyandu.pk)
    andre = Child.objects.get(name="André Saputra")
    assert (andre.sex, andre.birth_date) == ("L", dt.date(2024, 6, 1))

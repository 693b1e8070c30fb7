"""Importing through the pages: upload → preview (create/update/unchanged/reject) → commit all or nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu
from binasehat.imports.models import ImportJob


def upload(client, name, content, kind="posyandu", partial=False):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if partial:
        data["partial"] = "on"
    return client.post(reverse("imports:index"), data)


def xlsx_bytes(rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def dinkes(demo, client_for):
    return client_for("dinkes")


def test_preview_then_commit(dinkes):
    existing = Posyandu.objects.filter(desa_id="19.03.01.2008").order_by("code").first()
    content = xlsx_bytes([
        ["code", "name", "desa_code", "dusun"],
        ["NEW-1", "Posyandu Baru Satu", "19.03.01.2008", "Dusun VII"],
        [existing.code, existing.name + " Baru", existing.desa_id, existing.dusun],
    ])
    response = upload(dinkes, "posyandu.xlsx", content)
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    page = dinkes.get(response["Location"]).content.decode()
    assert job.status == "validated"
    assert 'id="n-create">1<' in page and 'id="n-update">1<' in page
    assert not Posyandu.objects.filter(code="NEW-1").exists()  # nothing yet: this was the preview
    response = dinkes.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "committed"
    assert Posyandu.objects.get(code="NEW-1").dusun == "Dusun VII"
    existing.refresh_from_db()
    assert existing.name.endswith(" Baru")
    entry = AuditEntry.objects.get(model="facilities.posyandu", object_pk=str(existing.pk), action="update")
    assert entry.actor.username == "dinkes" and entry.import_job_id == job.pk
    # The same file again changes nothing.
    upload(dinkes, "posyandu.xlsx", content)
    again = ImportJob.objects.latest("pk")
    assert again.result["planned"] == {"create": 0, "update": 0, "unchanged": 2, "reject": 0}


def test_rejected_rows_block_the_commit(dinkes):
    content = "code,name,desa_code\nOK-1,Posyandu Sah,19.03.01.2008\nBAD-1,,19.03.01.2008\n".encode()
    upload(dinkes, "posyandu.csv", content)
    job = ImportJob.objects.latest("pk")
    page = dinkes.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert job.status == "invalid"
    assert "Nama kosong" in page and "posyandu.csv:3" in page
    assert dinkes.post(reverse("imports:commit", args=[job.pk])).status_code == 302
    assert not Posyandu.objects.filter(code="OK-1").exists()


def test_partial_import_keeps_valid_rows(dinkes):
    content = "code,name,desa_code\nOK-2,Posyandu Sah,19.03.01.2008\nBAD-2,,19.03.01.2008\n".encode()
    upload(dinkes, "posyandu.csv", content, partial=True)
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated"
    dinkes.post(reverse("imports:commit", args=[job.pk]))
    assert Posyandu.objects.filter(code="OK-2").exists() and not Posyandu.objects.filter(code="BAD-2").exists()


@pytest.mark.parametrize("name,content,message", [
    ("kosong.csv", b"", "kosong"),
    ("rusak.xlsx", b"PK\x03\x04garbage", "rusak"),
    ("bukan-teks.csv", b"code,name,desa_code\nX,Posyandu \x81\x8d\x90,19.03.01.2008\n", "UTF-8"),
    ("kolom.csv", b"a,b\n1,2\n", "Kolom wajib"),
    ("gambar.png", b"\x89PNG", "tidak didukung"),
])
def test_bad_files_never_500(dinkes, name, content, message):
    before = Posyandu.objects.count()
    response = upload(dinkes, name, content)
    if response.status_code == 200:  # refused at upload
        assert message in response.content.decode()
    else:
        job = ImportJob.objects.latest("pk")
        page = dinkes.get(reverse("imports:job", args=[job.pk])).content.decode()
        assert job.status == "invalid" and message in page
    assert Posyandu.objects.count() == before


def test_rows_outside_the_users_area_are_rejected(demo, client_for, make_user):
    from binasehat.regions.models import Region

    user = make_user("bidan_lepar", "bidan_desa", areas=[Region.objects.get(code="19.03.02.2001")])
    client = client_for(user)
    content = "code,name,desa_code\nOUT-1,Posyandu Luar,19.03.01.2008\n".encode()
    upload(client, "posyandu.csv", content)
    job = ImportJob.objects.latest("pk")
    assert job.result["planned"]["reject"] == 1
    assert "di luar wilayah" in job.result["rejections"][0]["reason"]


def test_kader_cannot_import_and_other_users_jobs_are_404(demo, client_for, make_user):
    from binasehat.facilities.models import Posyandu as P

    dinkes = client_for("dinkes")
    upload(dinkes, "posyandu.csv", b"code,name,desa_code\nZ-1,Posyandu Z,19.03.01.2008\n")
    job = ImportJob.objects.latest("pk")
    kader = client_for(make_user("kader_x", "kader", posyandu=[P.objects.first()]))
    page = kader.get(reverse("imports:index")).content.decode()
    assert 'value="posyandu"' not in page
    assert kader.get(reverse("imports:job", args=[job.pk])).status_code == 404
    response = upload(kader, "posyandu.csv", b"code,name,desa_code\nZ-2,Posyandu Z,19.03.01.2008\n")
    assert response.status_code == 200 and not P.objects.filter(code="Z-2").exists()


def test_templates_download_and_import_back(dinkes, tmp_path):
    """The XLSX template's example row is itself a valid import (round trip)."""
    from binasehat.core.importing import importer_kinds
    from binasehat.core.tabular import header_key

    for kind in importer_kinds():
        response = dinkes.get(reverse("imports:template", args=[kind, "xlsx"]))
        assert response.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        header = [c.value for c in wb.worksheets[0][1]]
        importer = importer_kinds()[kind]
        # Indonesian names in the header row, each one read back as the system's column
        assert header[: len(importer.required)] == [importer.column_label(c) for c in importer.required]
        assert [importer.header_keys()[header_key(h)] for h in header] == importer.columns()
    content = dinkes.get(reverse("imports:template", args=["posyandu", "xlsx"])).content
    upload(dinkes, "templat-posyandu.xlsx", content)
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated", job.result
    assert dinkes.get(reverse("imports:template", args=["nope", "xlsx"])).status_code == 404

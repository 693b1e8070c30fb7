"""The table of rows that changed between an import's preview and its commit names the fields as the file's
columns do and shows values as a user reads them: dates as 15 Mei 2023, Laki-laki/Perempuan, the posyandu's name,
never the stored keys (``birth_date``, ``posyandu_id: 29``, 2023-05-15)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from binasehat.facilities.models import Posyandu
from binasehat.growth.importers import ChildImporter
from binasehat.growth.models import Child
from binasehat.imports.display import readable_conflicts
from binasehat.imports.models import ImportJob


def test_conflict_table_shows_column_names_and_readable_values(demo, client_for):
    client = client_for("dinkes")
    child = (Child.objects.exclude(nik="").filter(posyandu__isnull=False, sex="L")
             .select_related("posyandu", "desa").order_by("pk").first())
    other = Posyandu.objects.filter(desa_id=child.desa_id).exclude(pk=child.posyandu_id).first() \
        or Posyandu.objects.exclude(pk=child.posyandu_id).filter(desa__code__startswith=child.desa_id[:8]).first()
    new_birth = child.birth_date.replace(day=1 if child.birth_date.day != 1 else 2)
    line = [child.nik, child.name, "P", new_birth.strftime("%d/%m/%Y"), child.desa_id, child.mother_name, other.code]
    csv = ("NIK Anak,Nama Anak,Jenis Kelamin,Tanggal Lahir,Kode Desa,Nama Ibu,Kode Posyandu\n"
           + ",".join(line) + "\n").encode()
    client.post(reverse("imports:index"), {"kind": "children", "file": SimpleUploadedFile("anak.csv", csv)})
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated" and job.result["planned"]["update"] == 1, job.result
    # Someone else changes the child between the preview and the commit.
    Child.objects.filter(pk=child.pk).update(mother_name=child.mother_name + " X", version=F("version") + 1)
    client.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "invalid" and job.result["conflicts"], job.result
    stored = job.result["conflicts"][0]["changes"]
    assert {"sex", "birth_date", "posyandu_id"} <= set(stored)  # the engine keeps the keys …

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    table = re.search(r'<table class="table" id="conflicts">.*?</table>', page, re.S).group(0)
    # … the page shows the file's column names and readable values.
    months = {1: "Jan", 2: "Feb", 3: "Mar", 4: "Apr", 5: "Mei", 6: "Jun", 7: "Jul", 8: "Agu", 9: "Sep", 10: "Okt",
              11: "Nov", 12: "Des"}
    def indonesian(d):
        return f"{d.day} {months[d.month]} {d.year}"
    assert "Tanggal Lahir" in table and "Jenis Kelamin" in table and "Kode Posyandu" in table
    assert f"<del>{indonesian(child.birth_date)}</del> → <ins>{indonesian(new_birth)}</ins>" in table
    assert "<del>Laki-laki</del> → <ins>Perempuan</ins>" in table
    assert f"<del>{child.posyandu}</del> → <ins>{other}</ins>" in table
    assert "akan mengubah" in table
    for raw in ("birth_date", "posyandu_id", "sex", child.birth_date.isoformat(), new_birth.isoformat()):
        assert raw not in table, raw
    assert not re.search(r"\d{4}-\d{2}-\d{2}", table)


def test_readable_conflicts_without_a_model_still_formats_dates_and_labels():
    """An importer without a model (or none at all): the column's Indonesian name, ISO dates as dates."""
    rows = readable_conflicts(None, [{"row": "a.csv:2", "key": "k", "now": "x",
                                      "changes": {"sk_date": ["2025-02-10", "2025-12-31"], "desa_id": [None, "x"]}}])
    assert rows[0]["changes"] == [("Sk date", "10 Feb 2025", "31 Des 2025"), ("Desa", "—", "x")]
    rows = readable_conflicts(ChildImporter, [{"row": "", "key": "", "now": "jumlah baris berbeda", "changes": {}}])
    assert rows == [{"row": "", "key": "", "now": "jumlah baris berbeda", "changes": []}]

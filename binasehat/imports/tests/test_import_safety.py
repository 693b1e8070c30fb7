"""Imports that lose nothing and leak nothing: a commit re-checks each row against its preview, one commit of a
kind at a time, values the database cannot hold are refused before the commit, caps on rows and cells, the
worker outside the web server, uploaded files deleted, scope kept in references and messages."""

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.core.tabular import Table, TableError, count_sheet_cells
from binasehat.core.tests.live_database import live_db, run_at_once  # noqa: F401 (fixture)
from binasehat.growth.models import Child
from binasehat.imports import services
from binasehat.imports.locks import ImportBusy, import_lock
from binasehat.imports.models import ImportJob
from binasehat.posyandu import services as posyandu_services
from binasehat.posyandu.importers import PosyanduMonthImporter
from binasehat.posyandu.models import PosyanduMonth


def upload(client, name, content, kind):
    return client.post(reverse("imports:index"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


MONTH_COLUMNS = PosyanduMonthImporter.columns()


def month_csv(record, **changes) -> bytes:
    values = {c: getattr(record, c, "") for c in MONTH_COLUMNS}
    values.update(posyandu_code=record.posyandu.code, month=record.month.strftime("%Y-%m"),
                  alat_pantau="ya" if record.alat_pantau else "tidak",
                  kegiatan_tambahan="ya" if record.kegiatan_tambahan else "tidak")
    values.update(changes)
    line = ",".join("" if values[c] is None else str(values[c]) for c in MONTH_COLUMNS)
    return (",".join(MONTH_COLUMNS) + "\n" + line + "\n").encode()


@pytest.fixture
def dinkes(demo, client_for):
    from binasehat.accounts.models import User

    return User.objects.get(username="dinkes"), client_for("dinkes")


@pytest.fixture
def record(demo):
    from binasehat.accounts.models import User

    posyandu = User.objects.get(username="kader").posyandu.get()
    return PosyanduMonth.objects.select_related("posyandu").get(posyandu=posyandu, month="2025-04-01")


def month_data(record, **changes):
    from binasehat.posyandu.services import EDITABLE

    return {**{f: getattr(record, f) for f in EDITABLE}, **changes}


def test_finding_1d_import_previewed_before_a_web_edit_stops_with_a_conflict(dinkes, record):
    user, client = dinkes
    upload(client, "bulan.csv", month_csv(record, d=record.d - 1), "posyandu-months")
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated" and job.result["planned"]["update"] == 1
    # Someone edits the same month on the web between the preview and the commit.
    edited = posyandu_services.month_record(actor=user, posyandu=record.posyandu, month=record.month,
                                            data=month_data(record, n=record.n - 1), version=record.version)
    client.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "invalid" and not job.result["committed"]
    assert job.result["conflicts"][0]["row"] == "bulan.csv:2"
    assert "berubah sejak pratinjau" in job.result["error"]
    stored = PosyanduMonth.objects.get(pk=record.pk)
    assert (stored.d, stored.n, stored.version) == (record.d, record.n - 1, edited.version)  # the edit stays
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="conflicts"' in page and "bulan.csv:2" in page


def test_finding_1d_an_unchanged_row_in_the_preview_does_not_revert_a_later_edit(dinkes, record):
    user, client = dinkes
    upload(client, "bulan.csv", month_csv(record), "posyandu-months")
    job = ImportJob.objects.latest("pk")
    assert job.result["planned"]["unchanged"] == 1
    posyandu_services.month_record(actor=user, posyandu=record.posyandu, month=record.month,
                                   data=month_data(record, n=record.n - 1), version=record.version)
    client.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "invalid" and job.result["conflicts"]
    assert PosyanduMonth.objects.get(pk=record.pk).n == record.n - 1


def test_finding_2_failed_import_writes_nothing(dinkes, record, client_for):
    user, client = dinkes
    audits = AuditEntry.objects.count()
    for column, value, limit in [("kader_on_duty", "123456.7", "3 angka sebelum koma"),
                                 ("s", "3e9", "2.147.483.647")]:
        upload(client, "bulan.csv", month_csv(record, **{column: value}), "posyandu-months")
        job = ImportJob.objects.latest("pk")
        assert job.status == "invalid", job.result
        reason = job.result["rejections"][0]["reason"]
        assert f"Baris bulan.csv:2, kolom {column}" in reason and limit in reason
    stored = PosyanduMonth.objects.get(pk=record.pk)
    assert stored.version == record.version and stored.kader_on_duty == record.kader_on_duty
    assert AuditEntry.objects.count() == audits
    # The posyandu's year page still answers.
    url = reverse("reports:posyandu_year", args=[record.posyandu.pk]) + "?tahun=2025"
    assert client_for("kader").get(url).status_code == 200


def test_finding_2_on_commit_failure_after_the_data_is_stored_is_not_reported_as_failed(django_db_blocker):
    """When the after-commit work fails, the import says it was stored (it was), with a notice."""
    from binasehat.core.importing import Importer, create, run_import
    from binasehat.core.tabular import MemoryTable

    class Failing(Importer):
        kind = "test-after-commit"
        required = ("x",)

        def check_row(self, row):
            return create(row.get("x"), row.get("x"))

        def write(self, creates, updates):
            from django.db import transaction

            def broken():
                raise RuntimeError("refresh failed")

            transaction.on_commit(broken)

    # Outside a test transaction: on_commit runs for real.
    with django_db_blocker.unblock():
        result = run_import(Failing(), [MemoryTable("t", [{"x": "1"}])])
    assert result.committed and result.notices


def test_finding_1e_one_commit_of_a_kind_at_a_time(dinkes, record):
    user, client = dinkes
    upload(client, "bulan.csv", month_csv(record, d=record.d - 1), "posyandu-months")
    job = ImportJob.objects.latest("pk")
    with import_lock("posyandu-months", "someone-else"):
        client.post(reverse("imports:commit", args=[job.pk]))
        job.refresh_from_db()
        assert job.status == "validated" and "sedang disimpan" in job.result["busy"]
        with pytest.raises(ImportBusy):
            with import_lock("posyandu-months", "a third"):
                pass
    assert PosyanduMonth.objects.get(pk=record.pk).d == record.d
    client.post(reverse("imports:commit", args=[job.pk]))  # free again: the same job commits
    job.refresh_from_db()
    assert job.status == "committed" and PosyanduMonth.objects.get(pk=record.pk).d == record.d - 1


def _children_file(n: int) -> bytes:
    lines = ["name,sex,birth_date,desa_code,mother_name"]
    born = dt.date.today() - dt.timedelta(days=400)
    for i in range(n):
        lines.append(f"Anak Serentak {i:05d},{'L' if i % 2 else 'P'},{born - dt.timedelta(days=i % 900)},"
                     f"19.03.01.2008,Ibu Serentak {i:05d}")
    return ("\n".join(lines) + "\n").encode()


def test_finding_1e_same_children_file_committed_twice_at_once_creates_each_child_once(live_db):
    from binasehat.accounts.models import User

    user = User.objects.get(username="dinkes")
    content = _children_file(20_000)

    def cleanup():
        jobs = list(ImportJob.objects.filter(created_by=user, original_name="anak.csv").values_list("pk", flat=True))
        AuditEntry.objects.filter(import_job_id__in=jobs).delete()
        Child.objects.filter(name__startswith="Anak Serentak ").delete()
        ImportJob.objects.filter(pk__in=jobs).delete()

    live_db.append(cleanup)
    before = Child.objects.count()
    jobs = [services.job_create(actor=user, kind="children", upload=SimpleUploadedFile("anak.csv", content))
            for _ in range(2)]
    assert [j.status for j in jobs] == ["validated", "validated"]
    assert all(j.result["planned"]["create"] == 20_000 for j in jobs)
    results = run_at_once([lambda j=j: services.job_commit(actor=User.objects.get(pk=user.pk), job=j) for j in jobs])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Child.objects.count() == before + 20_000
    statuses = sorted(ImportJob.objects.get(pk=j.pk).status for j in jobs)
    assert statuses in (["committed", "validated"], ["committed", "invalid"]), statuses
    # Committing the other one afterwards finds every row changed since its preview, and writes nothing.
    other = ImportJob.objects.get(pk=[j.pk for j in jobs if ImportJob.objects.get(pk=j.pk).status != "committed"][0])
    if other.status == "validated":
        services.job_commit(actor=user, job=other)
        other.refresh_from_db()
    assert other.status == "invalid" and other.result["conflicted"] == 20_000
    assert "pada 20000 baris" in other.result["error"]
    assert Child.objects.count() == before + 20_000


# --- caps -----------------------------------------------------------------------------------------

def _xlsx(path: Path, rows: int, cols: int) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("data")
    for c in range(cols):
        sheet.write_string(0, c, f"c{c}")
    for r in range(1, rows):
        for c in range(cols):
            sheet.write_number(r, c, r * cols + c)
    workbook.close()
    return path


def test_finding_6_cells_are_counted_from_the_sheet_xml(tmp_path):
    # Hand count: a header and 3 rows of 4 columns = 4 rows, 16 cells.
    path = _xlsx(tmp_path / "kecil.xlsx", 4, 4)
    assert count_sheet_cells(path, max_rows=10, max_cells=100, name="kecil.xlsx") == (4, 16)
    with pytest.raises(TableError, match="terlalu besar"):
        count_sheet_cells(path, max_rows=10, max_cells=15, name="kecil.xlsx")
    with pytest.raises(TableError, match="terlalu besar"):
        count_sheet_cells(path, max_rows=2, max_cells=100, name="kecil.xlsx")


def test_finding_6_an_oversized_xlsx_is_refused_before_it_is_loaded(tmp_path):
    path = _xlsx(tmp_path / "besar.xlsx", 60_000, 10)  # 600,000 cells
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    loading = time.perf_counter() - started
    with override_settings(IMPORT_MAX_CELLS=100_000):
        started = time.perf_counter()
        with pytest.raises(TableError, match="terlalu besar"):
            Table(path)
        refusing = time.perf_counter() - started
    assert refusing * 5 < loading, (refusing, loading)


@override_settings(IMPORT_MAX_ROWS=5)
def test_finding_6_csv_rows_are_capped(tmp_path, dinkes):
    path = tmp_path / "anak.csv"
    path.write_bytes(_children_file(10))
    table = Table(path)
    with pytest.raises(TableError, match="paling banyak 5 baris"):
        list(table.rows())


@override_settings(IMPORTS_RUN_INLINE=False)
def test_finding_6_web_imports_wait_for_the_worker_and_the_file_is_deleted_after_commit(dinkes):
    user, client = dinkes
    content = "code,name,desa_code\nQ-1,Posyandu Antre,19.03.01.2008\n".encode()
    response = upload(client, "antre.csv", content, "posyandu")
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and job.status == "validating" and job.queued
    assert "menunggu giliran" in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    path = Path(job.file.path)
    call_command("import_worker", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == "validated" and path.exists()
    client.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "committing" and job.queued
    call_command("import_worker", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == "committed" and job.file_deleted_at is not None and not job.file
    assert not path.exists()


def test_finding_11_uploaded_files_are_deleted_after_the_retention(dinkes):
    user, client = dinkes
    upload(client, "lama.csv", b"code,name,desa_code\nQ-2,Posyandu Lama,19.03.01.2008\n", "posyandu")
    job = ImportJob.objects.latest("pk")
    path = Path(job.file.path)
    assert job.status == "validated" and path.exists()
    call_command("import_cleanup", stdout=io.StringIO())
    assert path.exists()  # still inside the retention
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(hours=73))
    out = io.StringIO()
    call_command("import_cleanup", stdout=out)
    assert "1 uploaded file(s) deleted" in out.getvalue() and not path.exists()
    response = client.post(reverse("imports:commit", args=[job.pk]), follow=True)
    assert "sudah dihapus" in response.content.decode()


def test_finding_11_a_refused_file_is_deleted_at_once(dinkes):
    user, client = dinkes
    upload(client, "salah.csv", b"code,name,desa_code\nQ-3,Posyandu Salah,99.99.99.9999\n", "posyandu")
    job = ImportJob.objects.latest("pk")
    assert job.status == "invalid" and job.file_deleted_at is not None and not job.file


# --- scope ---------------------------------------------------------------------------------------

@pytest.fixture
def bidan(demo, client_for):
    return client_for("bidan")


def test_finding_11_pustu_import_cannot_link_a_puskesmas_outside_scope(bidan):
    from binasehat.facilities.models import Puskesmas, Pustu

    serving = Puskesmas.objects.filter(wilayah_kerja__code="19.03.02.2001").get()
    outside = Puskesmas.objects.exclude(pk=serving.pk).exclude(wilayah_kerja__code="19.03.02.2001").first()
    header = "code,name,desa_code,puskesmas_code,posyandu_prima\n"
    upload(bidan, "pustu.csv", (header + f"PST-LUAR,Pustu Luar,19.03.02.2001,{outside.code},tidak\n").encode(), "pustu")
    job = ImportJob.objects.latest("pk")
    assert job.status == "invalid" and "di luar wilayah Anda" in job.result["rejections"][0]["reason"]
    assert not Pustu.objects.filter(code="PST-LUAR").exists()
    upload(bidan, "pustu.csv", (header + f"PST-DALAM,Pustu Dalam,19.03.02.2001,{serving.code},tidak\n").encode(), "pustu")
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated", job.result


def _never_says_where(reason: str):
    assert "tidak dapat dipakai" in reason
    for word in ("terdaftar", "wilayah lain", "di luar wilayah", "sudah ada"):
        assert word not in reason


def test_finding_11_kk_and_nik_outside_the_area_are_only_said_to_be_unusable(bidan):
    from binasehat.cadres.models import Kader
    from binasehat.families.models import Family, Member

    family = Family.objects.exclude(desa_id="19.03.02.2001").order_by("pk").first()
    upload(bidan, "kk.csv", f"no_kk,head_name,desa_code\n{family.no_kk},Kepala Lain,19.03.02.2001\n".encode(),
           "families")
    _never_says_where(ImportJob.objects.latest("pk").result["rejections"][0]["reason"])

    kader = Kader.objects.exclude(posyandu__desa_id="19.03.02.2001").order_by("pk").first()
    from binasehat.facilities.models import Posyandu

    own = Posyandu.objects.filter(desa_id="19.03.02.2001").first()
    upload(bidan, "kader.csv", ("nik,name,sex,posyandu_code,sk_number,sk_date,active\n"
                                f"{kader.nik},Kader Lain,P,{own.code},,,ya\n").encode(), "kader")
    _never_says_where(ImportJob.objects.latest("pk").result["rejections"][0]["reason"])

    member = Member.objects.exclude(family__desa_id="19.03.02.2001").exclude(nik="").order_by("pk").first()
    own_family = Family.objects.filter(desa_id="19.03.02.2001").order_by("pk").first()
    from binasehat.families import rules

    columns = ["no_kk", "nik", "name", "sex", "birth_date", "relation", "visit_date", *rules.COLUMNS]
    values = [own_family.no_kk, member.nik, "Anggota Lain", "L", "1980-01-01", "lain", "2025-07-01",
              *["N"] * len(rules.COLUMNS)]
    upload(bidan, "anggota.csv", (",".join(columns) + "\n" + ",".join(values) + "\n").encode(), "members")
    result = ImportJob.objects.latest("pk").result
    _never_says_where(result["rejections"][0]["reason"])


def test_finding_1d_an_edit_between_validation_and_write_stops_the_commit(dinkes, record):
    """The web edit lands after the rows were checked and before they are written (the progress call at the end
    of validation is that moment): the commit re-reads the versions under lock and writes nothing."""
    from binasehat.core.importing import run_import
    from binasehat.core.tabular import MemoryTable

    user, client = dinkes
    import csv

    row = next(csv.DictReader(io.StringIO(month_csv(record, d=record.d - 1).decode())))
    edits = []

    def progress(rows, fraction):
        if fraction == 1.0 and not edits:
            edits.append(posyandu_services.month_record(
                actor=user, posyandu=record.posyandu, month=record.month,
                data=month_data(record, n=record.n - 1), version=record.version))

    result = run_import(PosyanduMonthImporter(actor=user, scope=user.scope), [MemoryTable("bulan.csv", [row])],
                        progress=progress)
    assert edits and not result.committed and result.conflicted == 1
    assert "diubah orang lain" in result.error
    stored = PosyanduMonth.objects.get(pk=record.pk)
    assert (stored.d, stored.n, stored.version) == (record.d, record.n - 1, edits[0].version)


def test_finding_1e_a_key_created_between_validation_and_write_is_a_conflict_not_a_failure(dinkes):
    from binasehat.core.importing import get_importer, run_import
    from binasehat.core.tabular import MemoryTable
    from binasehat.facilities import services as facilities
    from binasehat.facilities.models import Posyandu

    user, client = dinkes
    rows = [{"code": "Q-SAMA", "name": "Posyandu Berkas", "desa_code": "19.03.01.2008"},
            {"code": "Q-LAIN", "name": "Posyandu Lain", "desa_code": "19.03.01.2008"}]

    def progress(count, fraction):
        if fraction == 1.0 and not Posyandu.objects.filter(code="Q-SAMA").exists():
            facilities.posyandu_register(actor=user, data={"code": "Q-SAMA", "name": "Posyandu Formulir",
                                                           "desa_id": "19.03.01.2008"})

    result = run_import(get_importer("posyandu")(actor=user, scope=user.scope), [MemoryTable("p.csv", rows)],
                        progress=progress)
    assert not result.committed and "kunci yang sama" in result.error
    assert Posyandu.objects.get(code="Q-SAMA").name == "Posyandu Formulir"
    assert not Posyandu.objects.filter(code="Q-LAIN").exists()  # all or nothing

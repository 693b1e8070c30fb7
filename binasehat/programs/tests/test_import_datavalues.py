"""`import_data datavalues`: XLSX and DHIS2's dataValueSets CSV, natural key element + unit + period,
rejections with reasons, all or nothing, audited through the one write path, and exports re-import unchanged."""

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.imports.models import ImportJob
from binasehat.programs.models import DataValue

OWN = "P19030101"
DHIS2_HEADER = ("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,"
                "comment,followup,deleted\n")


def last_line(result):
    code, out, err = result
    return code, out.strip().splitlines()[-1], out + err


def value_of(element, unit, period):
    return DataValue.objects.filter(element__code=element, org_unit=unit, period=period).values_list(
        "value", flat=True).first()


def write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_xlsx_creates_updates_and_reimports_unchanged(demo, tmp_path, import_data):
    notified = value_of("TB_NOTIFIKASI", OWN, "2025-03")
    treated = value_of("TB_DIOBATI", OWN, "2025-03")
    cases = value_of("DBD_KASUS", "19.03.01.2004", "2025-02")
    assert value_of("TB_NOTIFIKASI", OWN, "2023-05") is None
    path = write_xlsx(tmp_path / "nilai.xlsx", [
        ["dataelement", "period", "orgunit", "value", "comment"],
        ["TB_NOTIFIKASI", "2023-05", OWN, 5, "dari register TB.03"],  # new
        ["TB_NOTIFIKASI", 202503, OWN, notified + 1, ""],  # changed; DHIS2 period typed as a number
        ["TB_DIOBATI", "2025-03", OWN, treated, ""],  # as stored
        ["DBD_KASUS", "2025-02", "19.03.01.2004", cases + 2, "KLB"],  # changed, per desa
        ["TB_ESTIMASI_INSIDEN", 2023, OWN, 118, ""],  # new, yearly
    ])
    code, summary, text = last_line(import_data("datavalues", str(path)))
    assert code == 0, text
    assert summary == "created=2 updated=2 unchanged=1 rejected=0"
    assert value_of("TB_NOTIFIKASI", OWN, "2023-05") == 5
    assert value_of("TB_NOTIFIKASI", OWN, "2025-03") == notified + 1
    assert value_of("DBD_KASUS", "19.03.01.2004", "2025-02") == cases + 2
    assert value_of("TB_ESTIMASI_INSIDEN", OWN, "2023") == 118
    new = DataValue.objects.get(element__code="TB_NOTIFIKASI", org_unit=OWN, period="2023-05")
    assert new.comment == "dari register TB.03" and new.region_id == "19.03.01" and new.puskesmas.code == OWN
    entry = AuditEntry.objects.get(model="programs.datavalue", object_pk=str(new.pk), action="create")
    assert entry.source == "command" and entry.actor is None and entry.actor_name == "sistem"
    code, summary, text = last_line(import_data("datavalues", str(path)))
    assert summary == "created=0 updated=0 unchanged=5 rejected=0", text


def test_dhis2_csv_with_deletions(demo, tmp_path, import_data):
    cohort = value_of("TB_KOHORT_DIOBATI", OWN, "2025-05")
    assert cohort is not None
    path = tmp_path / "dataValueSets.csv"
    path.write_text(
        DHIS2_HEADER
        + f"TB_NOTIFIKASI,202505,{OWN},HllvX50cXC0,HllvX50cXC0,17,admin,2025-06-02T10:00:00.000+0000,,false,false\n"
        + f"TB_KOHORT_DIOBATI,202505,{OWN},HllvX50cXC0,HllvX50cXC0,{int(cohort)},admin,,,false,true\n"
        + f"TB_KOHORT_SEMBUH,202305,{OWN},HllvX50cXC0,HllvX50cXC0,1,admin,,,false,true\n",  # nothing to delete
        encoding="utf-8")
    code, summary, text = last_line(import_data("datavalues", str(path), "--user", "puskesmas"))
    assert code == 0, text
    assert summary == "created=0 updated=2 unchanged=1 rejected=0"
    assert "tidak dikenal dan diabaikan" not in text  # DHIS2's other columns are expected
    assert value_of("TB_NOTIFIKASI", OWN, "2025-05") == 17
    assert value_of("TB_KOHORT_DIOBATI", OWN, "2025-05") is None
    deleted = AuditEntry.objects.get(model="programs.datavalue", action="delete",
                                     object_repr__startswith=f"TB_KOHORT_DIOBATI {OWN} 2025-05")
    assert deleted.actor.username == "puskesmas" and deleted.before["value"] == cohort
    code, summary, text = last_line(import_data("datavalues", str(path), "--user", "puskesmas"))
    assert summary == "created=0 updated=0 unchanged=3 rejected=0", text


def test_rejections_have_reasons_and_nothing_is_written(demo, tmp_path, import_data):
    before = DataValue.objects.count()
    path = tmp_path / "salah.csv"
    path.write_text(
        "dataelement,period,orgunit,value\n"
        f"TB_NOTIFIKASI,2023-01,{OWN},3\n"  # 2: valid, but the file has errors: not written either
        f"TB_XYZ,2025-01,{OWN},3\n"  # 3
        "TB_NOTIFIKASI,2025-01,P99999,3\n"  # 4
        "TB_NOTIFIKASI,2025-01,19.03.01.2004,3\n"  # 5: a desa, but TB is filled per puskesmas
        "TB_NOTIFIKASI,2025-01,P19030102,3\n"  # 6: another puskesmas
        f"TB_NOTIFIKASI,2025,{OWN},3\n"  # 7
        f"TB_NOTIFIKASI,2025-13,{OWN},3\n"  # 8
        f"TB_NOTIFIKASI,2099-01,{OWN},3\n"  # 9
        f"TB_NOTIFIKASI,2025-02,{OWN},abc\n"  # 10
        f"TB_NOTIFIKASI,2025-03,{OWN},-3\n"  # 11
        f"TB_NOTIFIKASI,2025-04,{OWN},2.5\n"  # 12
        f"TB_NOTIFIKASI,2025-05,{OWN},\n"  # 13
        f"TB_NOTIFIKASI,202301,{OWN},4\n"  # 14: the same key as row 2
        f"TB_ESTIMASI_INSIDEN,2025-01,{OWN},100\n",  # 15
        encoding="utf-8")
    code, summary, text = last_line(import_data("datavalues", str(path), "--user", "puskesmas"))
    assert code == 1
    assert summary == "created=0 updated=0 unchanged=0 rejected=13"
    lines = {line.split(": ", 1)[0].removeprefix("baris "): line for line in text.splitlines() if line.startswith("baris ")}
    reasons = {
        "3": "Elemen data 'TB_XYZ' tidak dikenal.",
        "4": "Unit 'P99999' tidak dikenal untuk TB_BULANAN (diisi per Puskesmas) atau di luar wilayah Anda.",
        "5": "Unit '19.03.01.2004' tidak dikenal untuk TB_BULANAN",
        "6": "Unit 'P19030102' tidak dikenal untuk TB_BULANAN (diisi per Puskesmas) atau di luar wilayah Anda.",
        "7": "Kumpulan data ini diisi per bulan (misalnya 2025-10), bukan 2025.",
        "8": "Periode '2025-13' tidak dikenal",
        "9": "Periode 2099-01 belum dimulai",
        "10": "TB_NOTIFIKASI: 'abc' bukan angka.",
        "11": "TB_NOTIFIKASI: nilai tidak boleh negatif (-3).",
        "12": "TB_NOTIFIKASI: harus bilangan bulat (2.5).",
        "13": "value kosong. Untuk menghapus nilai yang tersimpan, isi kolom deleted dengan true.",
        "14": "Duplikat: TB_NOTIFIKASI/P19030101/2023-01 sudah ada di baris salah.csv:2 berkas ini.",
        "15": "Kumpulan data ini diisi per tahun (misalnya 2025), bukan 2025-01.",
    }
    for row, reason in reasons.items():
        assert reason in lines.get(f"salah.csv:{row}", ""), (row, text)
    assert "salah.csv:2" not in lines
    assert DataValue.objects.count() == before
    assert value_of("TB_NOTIFIKASI", OWN, "2023-01") is None
    # With --partial the valid row is written and the others are listed.
    code, summary, text = last_line(import_data("datavalues", str(path), "--user", "puskesmas", "--partial"))
    assert summary == "created=1 updated=0 unchanged=0 rejected=13"
    assert value_of("TB_NOTIFIKASI", OWN, "2023-01") == 3


def test_web_import_audits_with_the_job(demo, client_for, settings):
    settings.IMPORTS_RUN_INLINE = True
    client = client_for("puskesmas")
    content = (f"dataelement,period,orgunit,value\nDBD_KASUS,2023-08,19.03.01.2005,4\n"
               f"TB_NOTIFIKASI,2023-08,{OWN},6\n").encode()
    response = client.post(reverse("imports:index"), {
        "kind": "datavalues", "file": SimpleUploadedFile("nilai.csv", content)})
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and job.kind == "datavalues" and job.status == "validated", job.result
    assert value_of("DBD_KASUS", "19.03.01.2005", "2023-08") is None  # the preview writes nothing
    client.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "committed", job.result
    value = DataValue.objects.get(element__code="DBD_KASUS", org_unit="19.03.01.2005", period="2023-08")
    assert value.value == 4 and value.updated_by.username == "puskesmas"
    entry = AuditEntry.objects.get(model="programs.datavalue", object_pk=str(value.pk), action="create")
    assert entry.source == "import" and entry.import_job_id == job.pk and entry.area_code == "19.03.01.2005"


def test_template_lists_the_columns(demo, client_for):
    response = client_for("dinkes").get(reverse("imports:template", args=["datavalues", "csv"]))
    header = response.content.decode().lstrip("\ufeff").splitlines()[0]
    assert header.split(",")[:5] == ["dataelement", "period", "orgunit", "value", "comment"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_reimports_unchanged(demo, client_for, tmp_path, import_data, fmt):
    DataValue.objects.filter(org_unit=OWN, period="2025-06", element__code="TB_NOTIFIKASI").update(
        comment="termasuk 1 kasus pindahan, \"TB RO\"")
    response = client_for("dinkes").get(reverse("programs:values") + f"?period=2025-06&format={fmt}")
    assert response.status_code == 200
    path = tmp_path / f"ekspor.{fmt}"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    if fmt == "csv":
        header = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert header == "dataelement,period,orgunit,value,comment"
    n = DataValue.objects.filter(period="2025-06").count()
    assert n == 10 * 9 + 53 * 6  # the demo fills every monthly element: 9 per puskesmas, 6 per desa
    code, summary, text = last_line(import_data("datavalues", str(path)))
    assert summary == f"created=0 updated=0 unchanged={n} rejected=0", text
    assert "diabaikan" not in text

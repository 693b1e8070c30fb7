"""`import_data puskesmas|pustu|posyandu`: natural keys, wilayah kerja, re-import changes nothing."""


import openpyxl

from binasehat.facilities.models import Posyandu, Pustu, Puskesmas




def last_line(result):
    code, out, err = result
    return code, out.strip().splitlines()[-1], out + err


def test_puskesmas_with_wilayah_kerja(demo, tmp_path, import_data):
    path = tmp_path / "pkm.csv"
    path.write_text(
        "code,name,kecamatan_code,desa_codes\n"
        "PKM-NEW,Puskesmas Baru,19.03.04,\n"
        "P19030101,Puskesmas Toboali,19.03.01,19.03.01.1001;19.03.01.1002\n", encoding="utf-8")
    code, summary, text = last_line(import_data("puskesmas", str(path)))
    assert code == 0, text
    assert summary == "created=1 updated=1 unchanged=0 rejected=0"
    assert sorted(Puskesmas.objects.get(code="P19030101").wilayah_kerja.values_list("code", flat=True)) == [
        "19.03.01.1001", "19.03.01.1002"]
    code, summary, text = last_line(import_data("puskesmas", str(path)))
    assert summary == "created=0 updated=0 unchanged=2 rejected=0"


def test_a_desa_belongs_to_one_puskesmas(demo, tmp_path, import_data):
    owner = Puskesmas.objects.get(code="P19030102")
    desa = owner.wilayah_kerja.first().code
    path = tmp_path / "pkm.csv"
    path.write_text(f"code,name,kecamatan_code,desa_codes\nP19030101,Puskesmas Toboali,19.03.01,{desa}\n",
                    encoding="utf-8")
    code, summary, text = last_line(import_data("puskesmas", str(path)))
    assert code == 1 and "sudah masuk wilayah kerja puskesmas P19030102" in text


def test_pustu_posyandu_prima(demo, tmp_path, import_data):
    wb = openpyxl.Workbook()
    wb.active.append(["code", "name", "desa_code", "puskesmas_code", "posyandu_prima", "prima_since"])
    wb.active.append(["PST-X", "Pustu Serdang", "19.03.01.2004", "P19030101", "ya", "2024-08-01"])
    wb.active.append(["PST-Y", "Pustu Jeriji", "19.03.01.2005", "P99", "tidak", ""])
    wb.active.append(["PST-Z", "Pustu Bikang", "19.03.01.2006", "P19030101", "tidak", "2024-08-01"])
    path = tmp_path / "pustu.xlsx"
    wb.save(path)
    code, summary, text = last_line(import_data("pustu", str(path), "--partial"))
    assert summary == "created=1 updated=0 unchanged=0 rejected=2"
    assert "P99" in text and "prima_since" in text
    pustu = Pustu.objects.get(code="PST-X")
    assert pustu.posyandu_prima and str(pustu.prima_since) == "2024-08-01"


def test_export_reimports_unchanged(demo, client_for, tmp_path, import_data):
    """The posyandu export is itself an import file: importing it back changes nothing."""
    response = client_for("dinkes").get("/posyandu/?format=xlsx")
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    code, summary, text = last_line(import_data("posyandu", str(path)))
    assert summary == f"created=0 updated=0 unchanged={Posyandu.objects.count()} rejected=0", text

"""``manage.py export_parquet``: each big table written from the demo database and read back with polars, row for
row equal to the records as the ORM gives them; codes instead of internal ids; no NIK, No. KK or name."""

from __future__ import annotations

import io

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from binasehat.families.models import Answer, Family, Member
from binasehat.growth.models import Child, Measurement
from binasehat.posyandu.models import PosyanduMonth
from binasehat.programs.models import DataValue

pytestmark = pytest.mark.django_db

PERSONAL = {"nik", "name", "no_kk", "head_name", "mother_name", "birth_date", "address", "surveyor", "comment",
            "stored_by", "updated_by"}


def export(tmp_path, table, *args) -> pl.DataFrame:
    out = tmp_path / f"{table}.parquet"
    stdout = io.StringIO()
    call_command("export_parquet", table, str(out), *args, stdout=stdout, stderr=io.StringIO())
    frame = pl.read_parquet(out)
    assert stdout.getvalue().strip() == f"rows={frame.height}"
    assert not PERSONAL & set(frame.columns)
    return frame


def _f(value):
    return None if value is None else float(value)


def test_measurements(demo, tmp_path):
    frame = export(tmp_path, "measurements", "--chunk", "5000")  # several chunks through the writer's queue
    expected = [
        (m.id, m.child_id, m.child.sex, m.child.desa.code, m.posyandu.code if m.posyandu else None, m.measured_on,
         m.age_days, _f(m.weight_kg), _f(m.lenhei_cm), m.measure, m.oedema, _f(m.headc_cm), _f(m.muac_cm),
         m.place, m.zwei, m.zlen, m.zwfl, m.zbmi, m.zhc, m.zac, m.flags, m.bb_u, m.pb_tb_u, m.bb_pb_tb,
         m.imt_u, m.stunting, m.wasting, m.underweight, m.overweight)
        for m in Measurement.objects.select_related("child__desa", "posyandu").order_by("pk")
    ]
    assert len(expected) > 5000 and frame.rows() == expected
    assert frame.schema["measured_on"] == pl.Date and frame.schema["zwei"] == pl.Float64
    assert frame.schema["weight_kg"] == pl.Float64 and frame.schema["stunting"] == pl.Boolean
    # the children's names and NIKs are nowhere in the file
    names = set(Child.objects.values_list("name", flat=True)) | set(Child.objects.values_list("nik", flat=True))
    texts = {v for c, t in frame.schema.items() if t == pl.String for v in frame[c].drop_nulls().to_list()}
    assert not (names - {""}) & texts


def test_measurements_of_one_kecamatan_and_year(demo, tmp_path):
    sample = Measurement.objects.select_related("child").order_by("pk").first()
    kecamatan, year = ".".join(sample.child.desa_id.split(".")[:3]), sample.measured_on.year
    frame = export(tmp_path, "measurements", "--area", kecamatan, "--year", str(year))
    expected = list(Measurement.objects.filter(child__desa__code__startswith=kecamatan + ".", measured_on__year=year)
                    .order_by("pk").values_list("id", flat=True))
    assert 0 < len(expected) < Measurement.objects.count()
    assert frame["measurement_id"].to_list() == expected
    assert all(code.startswith(kecamatan + ".") for code in frame["desa_code"].to_list())
    assert export(tmp_path, "measurements", "--area", "99").height == 0  # a province without records: empty file


def test_posyandu_months(demo, tmp_path):
    frame = export(tmp_path, "posyandu_months")
    counts = [c for c in frame.columns if frame.schema[c] == pl.Int64 and c not in ("opening_days",)]
    expected = [
        (p.posyandu.code, p.posyandu.desa_id, p.month, p.opening_days, float(p.kader_on_duty),
         *[getattr(p, "t2" if c == "skdn_2t" else c) for c in counts], p.alat_pantau, p.kegiatan_tambahan)
        for p in PosyanduMonth.objects.select_related("posyandu").order_by("pk")
    ]
    assert len(counts) == 25 and expected and frame.rows() == expected


def test_family_answers(demo, tmp_path):
    frame = export(tmp_path, "family_answers")
    expected = [
        (a.survey_id, a.survey.family_id, a.member_id, a.survey.family.desa_id, a.survey.family.rw,
         a.survey.family.rt, a.survey.visited_on, a.member.sex, a.member.relation,
         *[getattr(a, f"i{j:02d}") for j in range(1, 13)])
        for a in Answer.objects.select_related("survey__family", "member").order_by("pk")
    ]
    assert expected and frame.rows() == expected
    identities = set(Family.objects.values_list("no_kk", flat=True)) | set(Member.objects.values_list("nik", flat=True))
    texts = {v for c, t in frame.schema.items() if t == pl.String for v in frame[c].drop_nulls().to_list()}
    assert not (identities - {""}) & texts


def test_data_values(demo, tmp_path):
    frame = export(tmp_path, "data_values")
    expected = [
        (v.element.data_set.code, v.element.code, v.org_unit, v.region_id, v.puskesmas.code if v.puskesmas else None,
         v.period, v.period_start, v.value, v.followup, v.last_updated)
        for v in DataValue.objects.select_related("element__data_set", "puskesmas").order_by("pk")
    ]
    assert expected and frame.rows() == expected
    assert str(frame.schema["last_updated"]) == "Datetime(time_unit='us', time_zone='UTC')"


def test_a_bad_area_code_is_refused(tmp_path):
    with pytest.raises(CommandError, match="bukan kode wilayah Kemendagri"):
        call_command("export_parquet", "measurements", str(tmp_path / "x.parquet"), "--area", "11'; --")

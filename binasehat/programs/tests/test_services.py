"""The one write path of programme data and its helpers: units by kind and scope, periods, values, dry runs,
scope refusals and what the audit trail and the selectors see."""

import pytest
from django.core.exceptions import PermissionDenied

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.programs import selectors
from binasehat.programs.models import DataElement, DataValue
from binasehat.programs.services import (
    InvalidValue, NewValue, OrgUnit, can_enter, datavalues_write, org_unit_of, org_units_for, parse_value, period_for,
)
from binasehat.regions.models import Region


def test_org_unit_of_depends_on_the_kind(demo):
    unit = org_unit_of("P19030101", "puskesmas")
    assert (unit.code, unit.region_id) == ("P19030101", "19.03.01") and unit.puskesmas_id is not None
    assert org_unit_of("P19030101", "desa") is None
    assert org_unit_of("19.03.01.2004", "desa") == OrgUnit("19.03.01.2004", "19.03.01.2004", None, "Serdang")
    assert org_unit_of("19.03.01", "desa") is None  # a kecamatan is not a desa
    assert org_unit_of("19.03", "kabupaten").region_id == "19.03"
    assert org_unit_of(" P19030101 ", "puskesmas").code == "P19030101"


def test_units_for_each_role(demo):
    puskesmas = User.objects.get(username="puskesmas").scope
    assert [u.code for u in org_units_for(puskesmas, "puskesmas")] == ["P19030101"]
    # Its wilayah kerja: the five desa of Puskesmas P19030101.
    assert [u.code for u in org_units_for(puskesmas, "desa")] == [
        "19.03.01.1001", "19.03.01.1002", "19.03.01.1003", "19.03.01.2004", "19.03.01.2005"]
    bidan = User.objects.get(username="bidan").scope
    assert org_units_for(bidan, "puskesmas") == []
    assert [u.code for u in org_units_for(bidan, "desa")] == ["19.03.02.2001"]
    dinkes = User.objects.get(username="dinkes").scope
    assert len(org_units_for(dinkes, "puskesmas")) == 10 and len(org_units_for(dinkes, "desa")) == 53
    provinsi = User.objects.get(username="provinsi").scope
    # The whole province (the demo loads every desa of it, with programme data only in 19.03), read-only.
    assert len(org_units_for(provinsi, "desa")) == Region.objects.filter(level=4, code__startswith="19.").count() > 53
    assert not can_enter(provinsi, org_unit_of("19.03.01.2004", "desa"))


def test_parse_value():
    count = DataElement(code="X", value_type="integer")
    amount = DataElement(code="Y", value_type="number")
    assert parse_value(count, " 12 ") == 12.0 and parse_value(count, "") is None and parse_value(count, None) is None
    assert parse_value(count, "1 200") == 1200.0 and parse_value(count, 3) == 3.0
    assert parse_value(amount, "2,5") == 2.5 and parse_value(amount, "0.25") == 0.25
    for text, message in [("abc", "bukan angka"), ("-1", "tidak boleh negatif"), ("2,5", "harus bilangan bulat"),
                          ("nan", "bukan angka"), ("1.000,5", "bukan angka")]:
        with pytest.raises(InvalidValue, match=message):
            parse_value(count, text)


def test_period_for():
    assert period_for("month", Period.parse("202510")) == Period.month(2025, 10)
    assert period_for("year", Period.parse("2025")) == Period(2025)
    with pytest.raises(InvalidValue, match="diisi per bulan"):
        period_for("month", Period.parse("2025Q4"))
    with pytest.raises(InvalidValue, match="diisi per tahun"):
        period_for("year", Period.parse("2025-01"))


def _value(code, unit, period, value, comment=""):
    return NewValue(DataElement.objects.get(code=code), unit, Period.parse(period), value, comment)


def test_write_outside_the_scope_is_refused_and_writes_nothing(demo):
    user = User.objects.get(username="puskesmas")
    own, other = org_unit_of("P19030101", "puskesmas"), org_unit_of("P19030102", "puskesmas")
    with pytest.raises(PermissionDenied):
        datavalues_write(actor=user, values=[_value("TB_NOTIFIKASI", own, "2023-02", 1.0),
                                             _value("TB_NOTIFIKASI", other, "2023-02", 1.0)])
    assert not DataValue.objects.filter(period="2023-02").exists()


def test_dry_run_counts_and_writes_nothing(demo):
    user = User.objects.get(username="dinkes")
    desa = org_unit_of("19.03.01.2004", "desa")
    stored = DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa.code, period="2025-01").value
    n_audits = AuditEntry.objects.count()
    values = [_value("DBD_KASUS", desa, "2025-01", stored + 1), _value("DBD_MENINGGAL", desa, "2023-01", 0.0),
              _value("JENTIK_RUMAH_POSITIF", desa, "2023-01", None)]
    summary = datavalues_write(actor=user, values=values, dry_run=True)
    assert (summary.imported, summary.updated, summary.deleted, summary.unchanged) == (1, 1, 0, 1)
    assert DataValue.objects.get(element__code="DBD_KASUS", org_unit=desa.code, period="2025-01").value == stored
    assert not DataValue.objects.filter(period="2023-01").exists() and AuditEntry.objects.count() == n_audits


def test_equal_values_are_left_alone_and_comments_are_kept(demo):
    user = User.objects.get(username="dinkes")
    unit = org_unit_of("P19030201", "puskesmas")
    datavalues_write(actor=user, values=[_value("ODGJ_DILAYANI", unit, "2023-03", 2.0, "2 dari kunjungan rumah")])
    n_audits = AuditEntry.objects.count()
    summary = datavalues_write(actor=user, values=[_value("ODGJ_DILAYANI", unit, "2023-03", 2.0)])
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 0, 1) and not summary.cells
    assert AuditEntry.objects.count() == n_audits
    summary = datavalues_write(actor=user, values=[_value("ODGJ_DILAYANI", unit, "2023-03", 3.0)])
    # A puskesmas' own data is summed under its kecamatan, kept apart per puskesmas.
    assert summary.updated == 1 and summary.cells == {("19.03.02.#P19030201", Period.parse("2023-03").start)}
    value = DataValue.objects.get(element__code="ODGJ_DILAYANI", org_unit="P19030201", period="2023-03")
    assert value.value == 3.0 and value.comment == "2 dari kunjungan rumah"  # no comment given: kept


def test_selectors_keep_values_inside_the_scope(demo):
    puskesmas = User.objects.get(username="puskesmas")
    seen = selectors.datavalues_filtered(puskesmas, period="2025-10")
    units = set(seen.values_list("org_unit", flat=True))
    assert units == {"P19030101", "19.03.01.1001", "19.03.01.1002", "19.03.01.1003", "19.03.01.2004", "19.03.01.2005"}
    # Per unit in October: 9 monthly puskesmas elements, 6 per desa.
    assert seen.count() == 9 + 5 * 6
    assert selectors.datavalues_filtered(puskesmas, period="2025-10", data_set="DBD_BULANAN").count() == 5 * 6
    assert selectors.datavalues_filtered(puskesmas, period="2025-10", area="19.03.01.2004").count() == 6
    assert selectors.datavalues_filtered(puskesmas, org_unit="P19030102").count() == 0
    # A year keeps its months and its own yearly values: 12 × 39 + 4 yearly elements of the puskesmas.
    assert selectors.datavalues_filtered(puskesmas, period="2025").count() == 12 * 39 + 4
    assert selectors.datavalues_filtered(puskesmas, period="bukan-periode").count() == 0
    kader = User.objects.get(username="kader")
    assert set(selectors.datavalues_for(kader).values_list("element__data_set__code", flat=True)) <= {"DBD_BULANAN"}
    assert [ds.code for ds in selectors.data_sets_for(User.objects.get(username="bidan"))] == ["DBD_BULANAN"]

"""The entry form of a data set: scoped units, all-or-nothing saving with reasons in Indonesian, audited, and
the indicators follow what was saved."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.facilities.models import Puskesmas
from binasehat.programs import selectors
from binasehat.programs.models import DataSet, DataValue
from binasehat.regions.models import Population

OWN = "P19030101"  # the demo user "puskesmas" is bound to this puskesmas (kecamatan 19.03.01)
TB_MONTH = ["TB_TERDUGA_DILAYANI", "TB_NOTIFIKASI", "TB_KASUS_BARU_KAMBUH", "TB_DIOBATI", "TB_KOHORT_DIOBATI",
            "TB_KOHORT_SEMBUH", "TB_KOHORT_LENGKAP"]


def entry(dataset="TB_BULANAN", **params):
    url = reverse("programs:entry", args=[dataset])
    return url + ("?" + urlencode(params) if params else "")


def stored(unit, period, dataset="TB_BULANAN"):
    return {code: value for code, value in DataValue.objects.filter(
        org_unit=unit, period=period, element__data_set__code=dataset).values_list("element__code", "value")}


def as_text(values):
    return {code: str(int(v)) for code, v in values.items()}


def unit_options(html):
    select = re.search(r'<select name="unit" id="id_unit">(.*?)</select>', html, re.S).group(1)
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def audits():
    return AuditEntry.objects.filter(model="programs.datavalue")


def test_puskesmas_user_sees_only_its_own_puskesmas(demo, client_for):
    response = client_for("puskesmas").get(entry())
    html = response.content.decode()
    assert response.status_code == 200
    assert unit_options(html) == [OWN]
    assert 'id="entry-form"' in html  # one unit: its form opens at once


def test_dinkes_chooses_among_all_ten_puskesmas(demo, client_for):
    html = client_for("dinkes").get(entry()).content.decode()
    codes = sorted(unit_options(html))
    assert len(codes) == 10 and codes == sorted(Puskesmas.objects.values_list("code", flat=True))
    assert 'id="entry-form"' not in html  # several units: choose first


def test_saving_updates_deletes_and_audits(demo, client_for):
    before = stored(OWN, "2025-03")
    assert sorted(before) == sorted(TB_MONTH)  # the demo filled every element of that month
    data = as_text(before)
    data["TB_NOTIFIKASI"] = str(int(before["TB_NOTIFIKASI"]) + 3)
    data["TB_DIOBATI"] = ""  # emptied: the stored value is deleted
    old_diobati = DataValue.objects.get(org_unit=OWN, period="2025-03", element__code="TB_DIOBATI")
    n_audits = audits().count()
    client = client_for("puskesmas")
    response = client.post(entry(unit=OWN, period="2025-03"), data)
    assert response.status_code == 302
    assert response["Location"] == entry(unit=OWN, period="2025-03")
    page = client.get(response["Location"]).content.decode()
    assert "0 baru, 1 diubah, 1 dihapus, 5 tetap" in page
    after = stored(OWN, "2025-03")
    assert after["TB_NOTIFIKASI"] == before["TB_NOTIFIKASI"] + 3
    assert "TB_DIOBATI" not in after
    assert {k: v for k, v in after.items() if k != "TB_NOTIFIKASI"} == {
        k: v for k, v in before.items() if k not in ("TB_NOTIFIKASI", "TB_DIOBATI")}
    changed = DataValue.objects.get(org_unit=OWN, period="2025-03", element__code="TB_NOTIFIKASI")
    update = audits().get(action="update", object_pk=str(changed.pk))
    assert update.actor.username == "puskesmas" and update.source == "web"
    assert update.before["value"] == before["TB_NOTIFIKASI"] and update.after["value"] == before["TB_NOTIFIKASI"] + 3
    assert update.area_code == "19.03.01"  # a puskesmas' values hang below its kecamatan
    delete = audits().get(action="delete", object_pk=str(old_diobati.pk))
    assert delete.before["value"] == before["TB_DIOBATI"] and delete.after is None
    assert audits().count() == n_audits + 2  # nothing for the four unchanged values
    # The form now shows the stored values again, the deleted one empty.
    assert f'name="TB_NOTIFIKASI" value="{int(before["TB_NOTIFIKASI"]) + 3}"' in page
    assert re.search(r'<input type="number" name="TB_DIOBATI"(?![^>]*value=)', page)


def test_saving_a_new_period_creates_values(demo, client_for):
    assert stored(OWN, "2023-05") == {}  # the demo starts in 2024
    response = client_for("dinkes").post(entry(unit=OWN, period="2023-05"),
                                         {"TB_NOTIFIKASI": "4", "TB_DIOBATI": "3", "TB_KOHORT_DIOBATI": "0"})
    assert response.status_code == 302
    assert stored(OWN, "2023-05") == {"TB_NOTIFIKASI": 4.0, "TB_DIOBATI": 3.0, "TB_KOHORT_DIOBATI": 0.0}
    created = audits().filter(action="create", object_repr__contains=f"{OWN} 2023-05")
    assert created.count() == 3 and {e.actor.username for e in created} == {"dinkes"}
    value = DataValue.objects.get(org_unit=OWN, period="2023-05", element__code="TB_NOTIFIKASI")
    assert value.region_id == "19.03.01" and value.puskesmas.code == OWN
    assert str(value.period_start) == "2023-05-01" and value.updated_by.username == "dinkes"


def test_invalid_input_is_refused_per_field_and_nothing_is_written(demo, client_for):
    before = stored(OWN, "2025-04")
    n_audits = audits().count()
    data = as_text(before)
    data.update(TB_TERDUGA_DILAYANI=str(int(before["TB_TERDUGA_DILAYANI"]) + 10),  # valid, but not saved alone
                TB_NOTIFIKASI="abc", TB_DIOBATI="-1", TB_KOHORT_DIOBATI="2,5")
    response = client_for("puskesmas").post(entry(unit=OWN, period="2025-04"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tidak ada yang disimpan" in html
    assert "TB_NOTIFIKASI: &#x27;abc&#x27; bukan angka." in html
    assert "TB_DIOBATI: nilai tidak boleh negatif (-1)." in html
    assert "TB_KOHORT_DIOBATI: harus bilangan bulat (2,5)." in html
    assert 'name="TB_NOTIFIKASI" value="abc"' in html  # what was typed stays in the form
    assert f'name="TB_TERDUGA_DILAYANI" value="{int(before["TB_TERDUGA_DILAYANI"]) + 10}"' in html
    assert stored(OWN, "2025-04") == before
    assert audits().count() == n_audits


def test_unit_outside_the_scope_is_not_found(demo, client_for):
    client = client_for("puskesmas")
    before = stored("P19030102", "2025-03")
    assert client.get(entry(unit="P19030102", period="2025-03")).status_code == 404
    assert client.post(entry(unit="P19030102", period="2025-03"), {"TB_NOTIFIKASI": "99"}).status_code == 404
    assert client.get(entry(unit="P-TIDAK-ADA")).status_code == 404
    assert client.get(entry("TIDAK_ADA")).status_code == 404
    assert stored("P19030102", "2025-03") == before
    # A bidan desa has no puskesmas at all: the TB data sets are not hers.
    assert client_for("bidan").get(entry("TB_BULANAN")).status_code == 404


@pytest.mark.parametrize("username", ["kader", "provinsi"])
def test_kader_and_provinsi_cannot_enter(demo, client_for, username):
    client = client_for(username)
    assert client.get(entry("DBD_BULANAN")).status_code == 403
    assert client.post(entry("DBD_BULANAN", unit="19.03.01.2004", period="2025-03"),
                       {"DBD_KASUS": "9"}).status_code == 403
    assert client.get(reverse("programs:index")).status_code == 200  # reading stays allowed


def test_future_and_wrong_periods_are_refused(demo, client_for):
    client = client_for("puskesmas")
    html = client.get(entry(unit=OWN, period="2099-01")).content.decode()
    assert "Periode 2099-01 belum terjadi; datanya belum dapat diisi." in html and 'id="entry-form"' not in html
    response = client.post(entry(unit=OWN, period="2099-01"), {"TB_NOTIFIKASI": "5"})
    assert response.status_code == 200 and "belum terjadi" in response.content.decode()
    assert not DataValue.objects.filter(period="2099-01").exists()
    html = client.get(entry(unit=OWN, period="2025")).content.decode()
    assert "Kumpulan data ini diisi per bulan (misalnya 2025-10), bukan 2025." in html
    html = client.get(entry(unit=OWN, period="2025-13")).content.decode()
    assert "tidak dikenal" in html and 'id="entry-form"' not in html
    html = client.get(entry("TB_TAHUNAN", unit=OWN, period="2025-10")).content.decode()
    assert "diisi per tahun" in html


def test_yearly_form_is_prefilled_with_the_stored_values(demo, client_for):
    value = DataValue.objects.get(org_unit=OWN, period="2024", element__code="TB_ESTIMASI_INSIDEN").value
    html = client_for("puskesmas").get(entry("TB_TAHUNAN", unit=OWN, period="2024")).content.decode()
    assert f'name="TB_ESTIMASI_INSIDEN" value="{int(value)}"' in html
    assert 'type="number" name="period"' in html  # a year, not a month, is chosen


def test_default_periods():
    import datetime as dt

    today = dt.date(2026, 1, 20)
    assert str(selectors.default_period("month", today)) == "2025-12"
    assert str(selectors.default_period("year", today)) == "2025"
    assert str(selectors.default_period("month", dt.date(2026, 11, 23))) == "2026-10"
    assert str(selectors.default_period("year", dt.date(2026, 11, 23))) == "2026"


def test_index_lists_data_sets_with_completeness(demo, client_for):
    html = client_for("dinkes").get(reverse("programs:index")).content.decode()
    for ds in DataSet.objects.all():
        assert f'id="ds-{ds.code}"' in html and reverse("programs:entry", args=[ds.code]) in html
    # A bidan desa has only her desa: only the data set filled per desa.
    html = client_for("bidan").get(reverse("programs:index")).content.decode()
    assert re.findall(r'id="ds-([A-Z_]+)"', html) == ["DBD_BULANAN"]
    assert "dari 1 unit sudah mengisi" in html


def test_completeness_counts_units_with_at_least_one_value(demo):
    from binasehat.accounts.models import User

    dinkes = User.objects.get(username="dinkes")
    tb = DataSet.objects.get(code="TB_BULANAN")
    dbd = DataSet.objects.get(code="DBD_BULANAN")
    october = Period.parse("2025-10")
    assert Puskesmas.objects.count() == 10
    c = selectors.completeness(dinkes, tb, october)
    assert (c.filled, c.units) == (10, 10)
    assert (selectors.completeness(dinkes, dbd, october).filled, selectors.completeness(dinkes, dbd, october).units) \
        == (53, 53)
    # One puskesmas keeps one value only: still counted; another has none left: not counted.
    DataValue.objects.filter(org_unit="P19030102", period="2025-10", element__data_set=tb).exclude(element__code="TB_DIOBATI").delete()
    DataValue.objects.filter(org_unit="P19030201", period="2025-10", element__data_set=tb).delete()
    c = selectors.completeness(dinkes, tb, october)
    assert (c.filled, c.units, round(c.percent)) == (9, 10, 90)


def test_a_saved_value_reaches_the_indicators(demo, client_for):
    from binasehat.indicators.engine import evaluate
    from binasehat.indicators.models import Indicator

    desa, month = "19.03.01.2004", "2025-07"
    ir = Indicator.objects.get(code="DBD_IR")
    before = stored(desa, month, "DBD_BULANAN")
    kecamatan_before = evaluate([ir], ["19.03.01"], [Period.parse(month)])[0]
    data = as_text(before)
    data["DBD_KASUS"] = "7"
    response = client_for("dinkes").post(entry("DBD_BULANAN", unit=desa, period=month), data)
    assert response.status_code == 302
    people = Population.objects.get(region_id=desa, year=2025).total
    value = evaluate([ir], [desa], [Period.parse(month)])[0]
    assert value.numerator == 7 and value.denominator == people
    # A month's cases against a yearly population: annualised (× 12), as DHIS2 does.
    assert value.value == pytest.approx(7 * 100_000 / people * 12)
    kecamatan = evaluate([ir], ["19.03.01"], [Period.parse(month)])[0]
    assert kecamatan.numerator - kecamatan_before.numerator == 7 - before["DBD_KASUS"]
    assert kecamatan.denominator == kecamatan_before.denominator


def test_admin_shows_values_read_only(demo, client_for):
    client = client_for("admin")
    tb = DataSet.objects.get(code="TB_BULANAN")
    response = client.get(f"/admin/programs/datavalue/?element__data_set__id__exact={tb.pk}&q=P19030101")
    assert response.status_code == 200 and "P19030101" in response.content.decode()
    assert client.get("/admin/programs/datavalue/add/").status_code == 403
    assert client.get("/admin/programs/dataset/").status_code == 200

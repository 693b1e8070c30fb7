"""The validation page (/data/validasi/): list, filters, export, the run button, follow-up, scoping, query count;
and the rule admin."""

import csv
import io

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.core.models import AuditEntry
from binasehat.core.periods import Period
from binasehat.programs import validation
from binasehat.programs.models import DataElement, ValidationResult, ValidationRule
from binasehat.programs.services import NewValue, datavalues_write, org_unit_of
from binasehat.regions.models import Region

BIDAN_DESA, OTHER_DESA = "19.03.02.2001", "19.03.01.2004"
INDEX = "/data/validasi/"


def violate(*desa_codes, period="2025-03"):
    """Dengue deaths above cases in each desa, then a run as the district."""
    dinkes = User.objects.get(username="dinkes")
    el = {e.code: e for e in DataElement.objects.filter(code__in=["DBD_MENINGGAL", "DBD_KASUS"])}
    values = []
    for code in desa_codes:
        unit = org_unit_of(code, "desa")
        values += [NewValue(el["DBD_MENINGGAL"], unit, Period.parse(period), 5),
                   NewValue(el["DBD_KASUS"], unit, Period.parse(period), 2)]
    datavalues_write(actor=dinkes, values=values, source="test")
    validation.load_rules()
    validation.validation_run(actor=dinkes, periods=[Period.parse(period)])


def test_url_name():
    assert reverse("validation:index") == INDEX


def test_page_lists_and_filters(demo, client_for):
    violate(BIDAN_DESA, OTHER_DESA)
    client = client_for("dinkes")
    page = client.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="result-rule"') == 2
    assert "Kematian DBD tidak melebihi kasus DBD" in html and "Jalankan validasi" in html
    assert "5 ≤ 2" in html
    for query, n in [("?tingkat=high", 2), ("?tingkat=low", 0), ("?status=followed_up", 0), ("?status=open", 2),
                     ("?data_set=DBD_BULANAN", 2), ("?data_set=TB_BULANAN", 0), ("?periode=2025", 2),
                     ("?periode=2025-03", 2), ("?periode=2024", 0), ("?wilayah=19.03.02", 1),
                     ("?jenis=outlier", 0), ("?jenis=rule", 2)]:
        assert client.get(INDEX + query).content.decode().count('class="result-rule"') == n, query


def test_a_bad_period_filter_says_so(demo, client_for):
    response = client_for("dinkes").get(INDEX + "?periode=maret")
    assert response.status_code == 200 and "tidak dikenal" in response.content.decode()


def test_query_count_does_not_grow_with_rows(demo, client_for, django_assert_max_num_queries):
    client = client_for("dinkes")
    violate(BIDAN_DESA, OTHER_DESA)
    with CaptureQueriesContext(connection) as two:
        assert client.get(INDEX).status_code == 200
    desa = list(Region.objects.filter(level=4, code__startswith="19.03.").order_by("code")
                .values_list("code", flat=True)[:20])
    violate(*desa)
    assert ValidationResult.objects.count() >= 20
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(INDEX)
    assert response.content.decode().count('class="result-rule"') >= 20


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export(demo, client_for, fmt):
    violate(BIDAN_DESA)
    response = client_for("dinkes").get(INDEX + f"?format={fmt}&tingkat=high")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == 1
        row = rows[0]
        assert (row["period"], row["org_unit"], row["code"], row["left_value"], row["operator"], row["right_value"],
                row["status"]) == ("2025-03", BIDAN_DESA, "DBD_MENINGGAL_LE_KASUS", "5.0", "≤", "2.0", "terbuka")
    else:
        assert body[:2] == b"PK"


def test_bidan_sees_only_its_desa_and_cannot_follow_up_another(demo, client_for):
    violate(BIDAN_DESA, OTHER_DESA)
    client = client_for("bidan")
    html = client.get(INDEX).content.decode()
    assert BIDAN_DESA in html and OTHER_DESA not in html
    other = ValidationResult.objects.get(org_unit=OTHER_DESA)
    response = client.post(reverse("validation:follow_up", args=[other.pk]), {"note": "bukan desa saya"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "open"
    csv_body = b"".join(client.get(INDEX + "?format=csv").streaming_content).decode("utf-8-sig")
    assert BIDAN_DESA in csv_body and OTHER_DESA not in csv_body


def test_follow_up_is_audited(demo, client_for):
    violate(BIDAN_DESA)
    result = ValidationResult.objects.get()
    client = client_for("bidan")
    response = client.post(reverse("validation:follow_up", args=[result.pk]),
                           {"note": "Kasus 3 belum dimasukkan, sudah diperbaiki.", "next": INDEX + "?status=open"})
    assert response.status_code == 302 and response.url == INDEX + "?status=open"
    result.refresh_from_db()
    bidan = User.objects.get(username="bidan")
    assert (result.status, result.note, result.followed_up_by_id) == (
        "followed_up", "Kasus 3 belum dimasukkan, sudah diperbaiki.", bidan.pk)
    entry = AuditEntry.objects.get(model="programs.validationresult", object_pk=str(result.pk))
    assert (entry.actor_id, entry.action, entry.after["status"], entry.area_code) == (
        bidan.pk, "update", "followed_up", BIDAN_DESA)
    html = client.get(INDEX).content.decode()
    assert "Kasus 3 belum dimasukkan" in html and "sudah ditindaklanjuti" in html


def test_follow_up_without_a_note_is_refused(demo, client_for):
    violate(BIDAN_DESA)
    result = ValidationResult.objects.get()
    response = client_for("dinkes").post(reverse("validation:follow_up", args=[result.pk]), {"note": " "},
                                         follow=True)
    assert "Tuliskan tindak lanjut" in response.content.decode()
    result.refresh_from_db()
    assert result.status == "open"


def test_follow_up_does_not_redirect_elsewhere(demo, client_for):
    violate(BIDAN_DESA)
    result = ValidationResult.objects.get()
    response = client_for("dinkes").post(reverse("validation:follow_up", args=[result.pk]),
                                         {"note": "ok", "next": "https://example.com/"})
    assert response.url == INDEX


def test_run_button_is_for_users_who_enter_data(demo, client_for):
    validation.load_rules()
    provinsi = client_for("provinsi")  # read-only: sees the page, cannot run
    assert reverse("validation:run") not in provinsi.get(INDEX).content.decode()
    assert provinsi.post(reverse("validation:run"), {"periode": "2025-03"}).status_code == 403
    dinkes = client_for("dinkes")  # the same test client, now logged in as the district
    assert reverse("validation:run") in dinkes.get(INDEX).content.decode()
    assert dinkes.get(reverse("validation:run")).status_code == 405


def test_run_button_stores_results(demo, client_for):
    dinkes = User.objects.get(username="dinkes")
    el = {e.code: e for e in DataElement.objects.filter(code__in=["DBD_MENINGGAL", "DBD_KASUS"])}
    unit = org_unit_of(BIDAN_DESA, "desa")
    datavalues_write(actor=dinkes, source="test", values=[NewValue(el["DBD_MENINGGAL"], unit, Period.parse("2025-03"), 5),
                                                          NewValue(el["DBD_KASUS"], unit, Period.parse("2025-03"), 2)])
    validation.load_rules()
    client = client_for("bidan")
    response = client.post(reverse("validation:run"), {"periode": "2025-03", "data_set": "DBD_BULANAN",
                                                       "pencilan": "1", "metode": "z"})
    assert response.status_code == 302 and response.url == INDEX + "?periode=2025-03&data_set=DBD_BULANAN"
    assert list(ValidationResult.objects.filter(kind="rule").values_list("org_unit", "rule__code")) == [
        (BIDAN_DESA, "DBD_MENINGGAL_LE_KASUS")]
    # outliers of the bidan's run are the bidan's desa only
    assert set(ValidationResult.objects.filter(kind="outlier").values_list("org_unit", flat=True)) <= {BIDAN_DESA}
    assert "Validasi 2025-03 selesai: 1 pelanggaran aturan" in client.get(response.url).content.decode()


def test_run_with_a_bad_period(demo, client_for):
    response = client_for("dinkes").post(reverse("validation:run"), {"periode": "kemarin"}, follow=True)
    assert "tidak dikenal" in response.content.decode()
    assert not ValidationResult.objects.exists()


# --- the rule admin ---------------------------------------------------------------------------------

def test_rule_admin_is_for_the_district_and_audited(demo):
    import importlib

    from django.contrib import admin

    importlib.import_module("binasehat.programs.admin_validation")  # registers the models (as admin.py will)

    model_admin = admin.site._registry[ValidationRule]
    validation.load_rules()
    rule = ValidationRule.objects.get(code="TB_DIOBATI_LE_NOTIFIKASI")
    request = RequestFactory().post("/")
    request.user = User.objects.get(username="puskesmas")
    assert not model_admin.has_change_permission(request, rule)
    request.user = User.objects.get(username="dinkes")
    assert model_admin.has_change_permission(request, rule) and model_admin.has_add_permission(request)
    rule.importance = "low"
    model_admin.save_model(request, rule, form=None, change=True)
    entry = AuditEntry.objects.get(model="programs.validationrule", object_pk=str(rule.pk))
    assert (entry.before["importance"], entry.after["importance"], entry.source) == ("medium", "low", "admin")
    validation.load_rules()  # the district's edit is no longer overwritten by the shipped file
    rule.refresh_from_db()
    assert (rule.importance, rule.from_reference) == ("low", False)

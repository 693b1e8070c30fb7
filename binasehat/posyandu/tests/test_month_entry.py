"""Entering and importing monthly records: scoped, validated in Indonesian, nothing partial, optimistic locking,
audited, and the evaluation follows the records."""

import pytest
from django.urls import reverse

from binasehat.assessments.models import PosyanduEvaluation
from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu
from binasehat.posyandu.models import PosyanduMonth

HEADER = ("posyandu_code,month,opening_days,kader_on_duty,s,k,d,n,ibu_hamil_sasaran,ibu_hamil_dilayani,kb_sasaran,"
          "kb_dilayani,imunisasi_sasaran,imunisasi_dilayani,kk_total,kk_dana_sehat,alat_pantau,kegiatan_tambahan\n")


def form_data(**kw):
    data = {"opening_days": 1, "kader_on_duty": "5", "s": 40, "k": 38, "d": 30, "n": 20, "ibu_hamil_sasaran": 4,
            "ibu_hamil_dilayani": 2, "kb_sasaran": 30, "kb_dilayani": 15, "imunisasi_sasaran": 8,
            "imunisasi_dilayani": 4, "kk_total": 100, "kk_dana_sehat": 50, "alat_pantau": "on", "version": 0,
            # The demo's paper figures differ from those its children's weighings give: the form asks why.
            "override_reason": "Angka dari laporan kertas."}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def kader(demo, client_for):
    from binasehat.accounts.models import User

    user = User.objects.get(username="kader")
    return user, user.posyandu.get(), client_for(user)


def test_kader_records_a_month_and_the_stratum_follows(kader, django_capture_on_commit_callbacks):
    user, posyandu, client = kader
    PosyanduMonth.objects.filter(posyandu=posyandu, month__year=2026, month__month=11).delete()
    url = reverse("posyandu:month", args=[posyandu.pk, 2026, "11"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data())
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = PosyanduMonth.objects.get(posyandu=posyandu, month="2026-11-01")
    assert record.d == 30 and record.version == 1
    entry = AuditEntry.objects.get(model="posyandu.posyandumonth", object_pk=str(record.pk), action="create")
    assert entry.actor == user and entry.area_code == posyandu.desa_id
    evaluation = PosyanduEvaluation.objects.get(posyandu=posyandu, year=2026, ruleset_code="posyandu-aktif")
    assert evaluation.inputs["recorded_months"] == PosyanduMonth.objects.filter(posyandu=posyandu, month__year=2026).count()


def test_invalid_month_is_refused_with_reasons_and_nothing_saved(kader):
    user, posyandu, client = kader
    url = reverse("posyandu:month", args=[posyandu.pk, 2025, "03"])
    before = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-03-01")
    response = client.post(url, form_data(d=45, version=before.version))  # D > K
    assert response.status_code == 200
    assert "tidak boleh lebih dari K" in response.content.decode()
    after = PosyanduMonth.objects.get(pk=before.pk)
    assert after.d == before.d and after.version == before.version


def test_two_people_never_silently_overwrite_each_other(kader, client_for):
    user, posyandu, client = kader
    url = reverse("posyandu:month", args=[posyandu.pk, 2025, "04"])
    version = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-04-01").version
    assert client_for("dinkes").post(url, form_data(version=version, d=31, n=21)).status_code == 302
    response = client.post(url, form_data(version=version, d=29, n=19))
    assert "sudah diubah orang lain" in response.content.decode()
    assert PosyanduMonth.objects.get(posyandu=posyandu, month="2025-04-01").d == 31


def test_kader_cannot_open_another_posyandus_month(kader):
    user, posyandu, client = kader
    other = Posyandu.objects.exclude(pk=posyandu.pk).first()
    assert client.get(reverse("posyandu:month", args=[other.pk, 2025, "03"])).status_code == 404
    assert client.post(reverse("posyandu:month", args=[other.pk, 2025, "03"]), form_data()).status_code == 404
    assert client.get(reverse("reports:posyandu_year", args=[other.pk])).status_code == 404


def test_import_rejects_bad_rows_and_saves_nothing(demo, tmp_path, import_data):
    posyandu = Posyandu.objects.filter(active=True).first()
    path = tmp_path / "bulanan.csv"
    path.write_text(HEADER
                    + f"{posyandu.code},2024-01,1,5,40,38,30,20,4,2,30,15,8,4,100,50,ya,tidak\n"
                    + f"{posyandu.code},2024-02,1,5,40,38,39,20,4,2,30,15,8,4,100,50,ya,tidak\n"  # D > K
                    + f"{posyandu.code},2024-13,1,5,40,38,30,20,4,2,30,15,8,4,100,50,ya,tidak\n"  # no month 13
                    + f"{posyandu.code},2099-01,1,5,40,38,30,20,4,2,30,15,8,4,100,50,ya,tidak\n"  # future
                    + f"{posyandu.code},2024-03,0,0,40,38,5,0,4,0,30,0,8,0,100,50,ya,tidak\n", encoding="utf-8")
    code, out, err = import_data("posyandu-months", str(path))
    assert code == 1
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=0 rejected=4"
    assert "tidak boleh lebih dari K" in out and "TTTT-BB" in out and "belum terjadi" in out and "tidak buka" in out
    assert not PosyanduMonth.objects.filter(posyandu=posyandu, month__year=2024).exists()


def test_import_then_reimport(demo, tmp_path, import_data, django_capture_on_commit_callbacks):
    posyandu = Posyandu.objects.filter(active=True).first()
    path = tmp_path / "bulanan.csv"
    rows = "".join(f"{posyandu.code},2024-{m:02d},1,5,40,38,30,20,4,2,30,15,8,4,100,50,ya,ya\n" for m in range(1, 13))
    path.write_text(HEADER + rows, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = import_data("posyandu-months", str(path))
    assert out.strip().splitlines()[-1] == "created=12 updated=0 unchanged=0 rejected=0"
    code, out, err = import_data("posyandu-months", str(path))
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=12 rejected=0"
    strata = PosyanduEvaluation.objects.get(posyandu=posyandu, year=2024, ruleset_code="posyandu-strata-2011")
    assert strata.inputs["opening_months"] == 12 and strata.inputs["kader_avg"] == 5.0
    assert strata.inputs["ds_avg"] == pytest.approx(75.0)  # 30 / 40 every month


def test_opening_days_with_kader_from_the_registry(kader):
    """Days listed one by one: opening days and the average of kader on duty are computed from them."""
    from binasehat.cadres.models import Kader

    user, posyandu, client = kader
    ids = list(Kader.objects.filter(posyandu=posyandu, active=True).values_list("pk", flat=True))
    assert len(ids) >= 5
    url = reverse("posyandu:month", args=[posyandu.pk, 2025, "05"])
    version = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-05-01").version
    data = form_data(version=version, opening_days=9, kader_on_duty="9")
    data.update({"day1_date": "2025-05-06", "day1_mode": "posyandu", "day1_kader": ids[:5],
                 "day2_date": "2025-05-20", "day2_mode": "kunjungan_rumah", "day2_kader": ids[:2]})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    record = PosyanduMonth.objects.get(posyandu=posyandu, month="2025-05-01")
    assert record.opening_days == 2 and float(record.kader_on_duty) == 3.5
    assert [d["mode"] for d in record.opening_dates] == ["posyandu", "kunjungan_rumah"]
    data["day2_date"] = "2025-06-01"
    data["version"] = record.version
    assert "di bulan laporan" in client.post(url, data).content.decode()

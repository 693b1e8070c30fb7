"""Children and measurements: imported with z-scores computed on import, duplicates caught, range checks in
Indonesian, scoped pages, follow-up lists and prevalence that count from the records."""

import datetime as dt

import pytest
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.core.periods import Period
from binasehat.growth import rules
from binasehat.growth.models import Child, Measurement
from binasehat.growth.selectors import prevalence

CHILDREN = ("nik,name,sex,birth_date,mother_name,desa_code,posyandu_code\n"
            "1903015505230001,Aisyah Putri,P,2023-05-15,Siti Aminah,19.03.01.1001,190301100101\n"
            ",Rafa Pratama,L,2024-01-20,Dewi Lestari,19.03.01.1001,190301100101\n")


@pytest.fixture
def two_children(demo, tmp_path, import_data):
    path = tmp_path / "anak.csv"
    path.write_text(CHILDREN, encoding="utf-8")
    code, out, err = import_data("children", str(path))
    assert code == 0, out + err
    return path


def test_children_import_is_idempotent_and_catches_duplicates(two_children, tmp_path, import_data):
    code, out, err = import_data("children", str(two_children))
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=2 rejected=0"
    dup = tmp_path / "ganda.csv"
    dup.write_text("nik,name,sex,birth_date,mother_name,desa_code\n"
                   "1903015505239999,Aisyah Putri,P,2023-05-15,Siti Aminah,19.03.01.1001\n"  # same child, other NIK
                   "1903015505230001,Aisyah,X,2023-05-15,Siti Aminah,19.03.01.1001\n"  # bad sex
                   "1903015505230002,Bayi Masa Depan,P,2099-01-01,Ani,19.03.01.1001\n", encoding="utf-8")
    code, out, err = import_data("children", str(dup))
    assert code == 1 and "anak ganda" in out and "L/P" in out and "tidak masuk akal" in out


def test_measurements_get_who_zscores_on_import(two_children, tmp_path, import_data):
    path = tmp_path / "timbang.csv"
    path.write_text("child_nik,name,birth_date,mother_name,visit_date,weight_kg,lenhei_cm,measure,oedema\n"
                    "1903015505230001,,,,2025-05-15,10.2,84.0,h,tidak\n"
                    ",Rafa Pratama,2024-01-20,Dewi Lestari,2025-01-20,8.1,70.5,l,tidak\n"
                    ",Rafa Pratama,2024-01-20,Dewi Lestari,2025-02-20,8.3,71.0,l,ya\n"
                    "1903015505230001,,,,2025-06-15,200,84.0,h,tidak\n"  # weight impossible: length kept
                    "9999999999999999,,,,2025-06-15,10,84.0,h,tidak\n", encoding="utf-8")  # unknown child
    code, out, err = import_data("measurements", str(path), "--partial")
    assert out.strip().splitlines()[-1] == "created=4 updated=0 unchanged=0 rejected=1"
    assert "Berat badan 200 kg tidak mungkin" in err and "tidak ditemukan" in out
    lost_weight = Measurement.objects.get(child__nik="1903015505230001", measured_on="2025-06-15")
    assert lost_weight.weight_kg is None and lost_weight.zwei is None and lost_weight.zlen is not None
    aisyah = Measurement.objects.get(child__nik="1903015505230001", measured_on="2025-05-15")
    assert aisyah.age_days == (dt.date(2025, 5, 15) - dt.date(2023, 5, 15)).days == 731
    expected = rules.zscores(2, 731, 10.2, 84.0, "h", "n")
    assert aisyah.zwei == pytest.approx(float(expected["zwei"][0]))
    assert aisyah.zlen == pytest.approx(float(expected["zlen"][0]))
    assert aisyah.pb_tb_u == str(rules.status(expected)["pb_tb_u"][0])
    oedema = Measurement.objects.get(child__name="Rafa Pratama", measured_on="2025-02-20")
    assert oedema.zwei is None and oedema.zwfl is None and oedema.zlen is not None
    assert oedema.wasting is True  # WHO counts oedema as < −3 SD
    code, out, err = import_data("measurements", str(path), "--partial")
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=4 rejected=1"


def test_child_page_scoped_and_records_a_measurement(demo, client_for):
    kader = User.objects.get(username="kader")
    own = Child.objects.filter(posyandu__in=kader.posyandu.all()).first()
    other = Child.objects.exclude(posyandu__in=kader.posyandu.all()).first()
    client = client_for(kader)
    assert client.get(reverse("growth:child", args=[other.pk])).status_code == 404
    page = client.get(reverse("growth:child", args=[own.pk])).content.decode()
    assert "<svg" in page and own.name in page
    if own.nik:
        assert own.nik not in page  # kader do not see NIK in full
    day = dt.date.today().replace(day=1)
    response = client.post(reverse("growth:child", args=[own.pk]), {
        "measured_on": day.isoformat(), "weight_kg": "9.5", "lenhei_cm": "80.0", "measure": "h", "place": "posyandu"})
    assert response.status_code == 302
    m = Measurement.objects.get(child=own, measured_on=day)
    assert m.zwei is not None and m.age_days == (day - own.birth_date).days
    response = client.post(reverse("growth:child", args=[own.pk]), {
        "measured_on": day.isoformat(), "weight_kg": "500", "lenhei_cm": "80.0", "place": "posyandu"})
    assert "rentang" in response.content.decode()


def test_follow_up_lists_and_prevalence_count_from_records(demo, client_for):
    dinkes = User.objects.get(username="dinkes")
    client = client_for(dinkes)
    page = client.get(reverse("growth:list") + "?tindak_lanjut=stunting").content.decode()
    latest_stunted = [c for c in Child.objects.all()
                      if (m := c.measurements.order_by("-measured_on").first()) is not None and m.stunting]
    assert f"({len(latest_stunted)})" in page
    rows = prevalence(dinkes, Period.month(2026, 10), 8, "19.03")
    stunted = sum(r["stunting"] for r in rows.values())
    assessable = sum(r["stunting_n"] for r in rows.values())
    october = Measurement.objects.filter(measured_on__year=2026, measured_on__month=10, age_days__lt=1827)
    assert stunted == october.filter(stunting=True).count()
    assert assessable == october.filter(stunting__isnull=False).count()
    assert client.get(reverse("growth:prevalence") + "?bulan=2026-10&wilayah=19.03").status_code == 200
    assert client_for("kader").get(reverse("growth:list") + "?format=csv").status_code == 403


def test_kbm_n_t_o_b_and_2t():
    """Buku KIA 2023: N when the gain is at least the KBM (e.g. 800 g at 1 month, 200 g from 11 months);
    B first weighing, O when last month was missed; 2T two T in a row (RULES-2.md §6)."""
    from binasehat.growth import kbm

    birth = dt.date(2024, 1, 5)
    visits = [(dt.date(2024, 2, 5), 4.0), (dt.date(2024, 3, 5), 4.9), (dt.date(2024, 4, 5), 5.6),
              (dt.date(2024, 6, 5), 6.5), (dt.date(2024, 7, 5), 6.8)]
    # Feb: B; Mar (age 2 months, KBM 900 g): +900 → N; Apr (3 months, 800 g): +700 → T; Jun: O (May missed);
    # Jul (6 months, 400 g): +300 → T.
    assert kbm.classify(visits, birth) == ["B", "N", "T", "O", "T"]
    assert not kbm.two_t(kbm.classify(visits, birth))  # T, O, T: not two consecutive T
    older = [(dt.date(2025, 1, 5), 9.0), (dt.date(2025, 2, 5), 9.1), (dt.date(2025, 3, 5), 9.2)]
    assert kbm.classify(older, birth) == ["B", "T", "T"]  # 12–14 months: KBM 200 g, gains of 100 g
    assert kbm.two_t(kbm.classify(older, birth))
    assert kbm.classify([(dt.date(2025, 1, 5), 9.0), (dt.date(2025, 2, 5), 9.2)], birth) == ["B", "N"]  # exactly KBM


def test_2t_follow_up_list(demo, client_for):
    from binasehat.growth.selectors import two_t_children

    child = Child.objects.filter(posyandu__isnull=False).first()
    Measurement.objects.filter(child=child).delete()
    today = dt.date.today()
    first = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=child.birth_date.day if child.birth_date.day <= 28 else 28)
    for i, weight in enumerate((10.0, 10.05, 10.1)):
        day = (first + dt.timedelta(days=31 * i)).replace(day=first.day)
        Measurement.objects.create(child=child, measured_on=day, weight_kg=weight, age_days=(day - child.birth_date).days)
    assert child.pk in two_t_children(Child.objects.filter(pk=child.pk), today)
    page = client_for("dinkes").get(reverse("growth:list") + f"?tindak_lanjut=2t&q={child.name.split()[0]}").content.decode()
    assert child.name in page

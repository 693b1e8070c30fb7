"""The API answers from the same scope as the pages: a bidan desa sees its desa only, a dinkes user the district;
anything outside the scope is a 404."""

import pytest

from binasehat.facilities.models import Posyandu
from binasehat.programs.models import DataValue

DESA = "19.03.02.2001"


@pytest.fixture
def bidan(demo, bearer):
    return bearer("bidan")


def test_bidan_sees_only_its_desa_in_areas(bidan):
    body = bidan.get("/api/areas").json()
    assert body["count"] == 1
    assert [a["code"] for a in body["items"]] == [DESA]
    assert bidan.get(f"/api/areas/{DESA}").status_code == 200
    for outside in ("19.03", "19.03.02", "19.03.02.2002", "19.03.01.2001", "99.99"):
        response = bidan.get(f"/api/areas/{outside}")
        assert response.status_code == 404, outside
        assert response.json() == {"detail": "Tidak ditemukan."}


def test_bidan_sees_only_its_desa_posyandu(bidan):
    body = bidan.get("/api/posyandu?limit=1000").json()
    own = set(Posyandu.objects.filter(desa_id=DESA).values_list("code", flat=True))
    assert own, "the demo desa has posyandu"
    assert {p["code"] for p in body["items"]} == own
    assert body["count"] == len(own)
    assert {p["desa"] for p in body["items"]} == {DESA}
    assert bidan.get(f"/api/posyandu/{sorted(own)[0]}").status_code == 200
    other = Posyandu.objects.filter(desa__code__startswith="19.03.").exclude(desa_id=DESA).first()
    assert bidan.get(f"/api/posyandu/{other.code}").status_code == 404
    # Filters cannot widen the scope.
    assert bidan.get(f"/api/posyandu?desa={other.desa_id}").json()["count"] == 0
    assert bidan.get("/api/puskesmas").json()["count"] == 0


def test_bidan_gets_404_for_indicator_values_outside_its_desa(bidan):
    response = bidan.get("/api/indicator-values?indicator=DBD_IR&area=19.03&period=2025")
    assert response.status_code == 404
    response = bidan.get(f"/api/indicator-values?indicator=DBD_IR&area={DESA}&period=2025")
    assert response.status_code == 200
    assert [r["area"] for r in response.json()["items"]] == [DESA]


def test_bidan_data_values_are_its_desa_only(bidan):
    body = bidan.get("/api/data-values?period=2025-03&limit=1000").json()
    expected = DataValue.objects.filter(region_id=DESA, period="2025-03").count()
    assert expected > 0
    assert body["count"] == expected
    assert {v["orgUnit"] for v in body["items"]} == {DESA}
    # A quarter holds its three months: 3 × the six dengue elements of the desa.
    quarter = bidan.get("/api/data-values?period=2025Q1&data_set=DBD_BULANAN").json()
    assert quarter["count"] == 18
    assert {v["period"] for v in quarter["items"]} == {"2025-01", "2025-02", "2025-03"}


def test_dinkes_gets_every_kecamatan(demo, bearer):
    dinkes = bearer("dinkes")
    expected = [f"19.03.0{i}" for i in range(1, 9)]
    body = dinkes.get("/api/areas?level=3").json()
    assert [a["code"] for a in body["items"]] == expected
    assert [a["code"] for a in dinkes.get("/api/areas?parent=19.03").json()["items"]] == expected
    detail = dinkes.get("/api/areas/19.03").json()
    assert [c["code"] for c in detail["children"]] == expected
    assert dinkes.get("/api/areas?level=4").json()["count"] == 53
    assert dinkes.get("/api/puskesmas").json()["count"] == 10
    assert dinkes.get("/api/posyandu?limit=1").json()["count"] == 122


def test_pagination_limit_and_offset(demo, bearer):
    dinkes = bearer("dinkes")
    first = dinkes.get("/api/areas?level=4&limit=5").json()
    second = dinkes.get("/api/areas?level=4&limit=5&offset=5").json()
    assert (first["count"], first["limit"], first["offset"]) == (53, 5, 0)
    assert len(first["items"]) == 5 and len(second["items"]) == 5
    assert first["items"][-1]["code"] < second["items"][0]["code"]
    assert dinkes.get("/api/areas?limit=1000").status_code == 200
    response = dinkes.get("/api/areas?limit=1001")
    assert response.status_code == 422
    assert response.json()["detail"] == "Permintaan tidak valid."

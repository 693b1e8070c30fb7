"""A user scoped to one area sees nothing of another: every object outside answers 404, in pages and exports."""

import csv
import io

import pytest
from django.urls import reverse

from binasehat.facilities.models import Posyandu, Pustu, Puskesmas
from binasehat.regions.models import Region


@pytest.fixture
def kecamatan_user(demo, make_user, client_for):
    """A dinkes-type user bound to kecamatan Toboali (19.03.01) only."""
    return client_for(make_user("camat_toboali", "dinkes", areas=[Region.objects.get(code="19.03.01")]))


def other_kecamatan_objects():
    return {
        "posyandu": Posyandu.objects.filter(desa__code__startswith="19.03.02.").first(),
        "pustu": Pustu.objects.filter(desa__code__startswith="19.03.02.").first()
        or Pustu.objects.exclude(desa__code__startswith="19.03.01.").first(),
        "puskesmas": Puskesmas.objects.get(kecamatan_id="19.03.02"),
    }


def test_every_object_of_another_kecamatan_is_404(kecamatan_user):
    for kind, obj in other_kecamatan_objects().items():
        assert kecamatan_user.get(reverse(f"facilities:{kind}_detail", args=[obj.pk])).status_code == 404, kind
        assert kecamatan_user.get(reverse(f"facilities:{kind}_edit", args=[obj.pk])).status_code == 404, kind
        assert kecamatan_user.post(reverse(f"facilities:{kind}_edit", args=[obj.pk]), {"name": "x"}).status_code == 404
    for code in ("19.03.02", "19.03.02.2001", "19.03", "19", "11"):
        assert kecamatan_user.get(reverse("facilities:area", args=[code])).status_code == 404, code
        assert kecamatan_user.get(reverse("facilities:area", args=[code]) + "?format=csv").status_code == 404


def test_own_kecamatan_objects_are_visible(kecamatan_user):
    obj = Posyandu.objects.filter(desa__code__startswith="19.03.01.").first()
    assert kecamatan_user.get(reverse("facilities:posyandu_detail", args=[obj.pk])).status_code == 200
    assert kecamatan_user.get(reverse("facilities:area", args=["19.03.01"])).status_code == 200


@pytest.mark.parametrize("kind,field", [("posyandu", "desa_code"), ("pustu", "desa_code"), ("puskesmas", "kecamatan_code")])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_only_the_users_area(kecamatan_user, kind, field, fmt):
    response = kecamatan_user.get(reverse(f"facilities:{kind}_list") + f"?format={fmt}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        import openpyxl

        ws = openpyxl.load_workbook(io.BytesIO(body)).active
        header = [c.value for c in ws[1]]
        rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert rows, "the user's own kecamatan has facilities"
    assert all(str(r[field]).startswith("19.03.01") for r in rows)
    expected = {"posyandu": Posyandu.objects.filter(desa__code__startswith="19.03.01."),
                "pustu": Pustu.objects.filter(desa__code__startswith="19.03.01."),
                "puskesmas": Puskesmas.objects.filter(kecamatan_id="19.03.01")}[kind].count()
    assert len(rows) == expected


def test_searching_cannot_reach_outside(kecamatan_user):
    other = Posyandu.objects.filter(desa__code__startswith="19.03.02.").first()
    page = kecamatan_user.get(reverse("facilities:posyandu_list") + f"?q={other.code}").content.decode()
    assert "Tidak ada data yang cocok" in page
    assert reverse("facilities:posyandu_detail", args=[other.pk]) not in page
    page = kecamatan_user.get(reverse("facilities:posyandu_list") + "?wilayah=19.03.02").content.decode()
    assert "Tidak ada data yang cocok" in page


def test_kader_sees_only_its_posyandu(demo, client_for):
    from binasehat.accounts.models import User

    kader = User.objects.get(username="kader")
    own = kader.posyandu.get()
    client = client_for(kader)
    response = client.get(reverse("facilities:posyandu_list") + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == [own.code]
    neighbour = Posyandu.objects.filter(desa=own.desa).exclude(pk=own.pk).first()
    assert client.get(reverse("facilities:posyandu_detail", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("facilities:puskesmas_list") + "?format=csv").status_code == 200
    assert client.get(reverse("facilities:posyandu_edit", args=[own.pk])).status_code == 403  # kader cannot edit


def test_user_without_area_sees_nothing(demo, make_user, client_for):
    client = client_for(make_user("tanpa_wilayah", "dinkes"))
    page = client.get("/").content.decode()
    assert "belum terhubung" in page
    assert Posyandu.objects.first().code not in client.get(reverse("facilities:posyandu_list")).content.decode()
    assert client.get(reverse("facilities:posyandu_detail", args=[Posyandu.objects.first().pk])).status_code == 404


def test_provinsi_reads_but_cannot_change(demo, client_for):
    client = client_for("provinsi")
    obj = Posyandu.objects.first()
    assert client.get(reverse("facilities:posyandu_detail", args=[obj.pk])).status_code == 200
    assert client.get(reverse("facilities:posyandu_edit", args=[obj.pk])).status_code == 403
    assert client.post(reverse("facilities:posyandu_create"), {}).status_code == 403


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(reverse("facilities:posyandu_list"))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]

"""The demo district: the real Kabupaten Bangka Selatan with counts that come out of the records."""

import io

from django.core.management import call_command

from binasehat.accounts.models import User
from binasehat.facilities.models import Posyandu, Pustu, Puskesmas
from binasehat.regions.models import Region


def test_real_district_structure(demo):
    assert Region.objects.get(code="19.03").name == "Kabupaten Bangka Selatan"
    assert Region.objects.filter(parent_id="19.03").count() == 8
    assert Region.objects.filter(level=4, code__startswith="19.03.").count() == 53
    assert Region.objects.filter(level=4, code__startswith="19.03.", kind="kelurahan").count() == 3


def test_facilities_and_users(demo):
    assert Posyandu.objects.count() == 122
    assert Posyandu.objects.filter(active=True).count() == 122  # none closed by hand: 117 aktif is computed
    assert 8 <= Puskesmas.objects.count() <= 12
    assert Pustu.objects.filter(posyandu_prima=True).exists()
    covered = set(Puskesmas.wilayah_kerja.through.objects.values_list("region_id", flat=True))
    assert covered == set(Region.objects.filter(level=4, code__startswith="19.03.").values_list("code", flat=True))
    roles = set(User.objects.values_list("role", flat=True))
    assert {"kader", "bidan_desa", "puskesmas", "dinkes"} <= roles
    for user in User.objects.filter(username__in=["kader", "bidan", "puskesmas", "dinkes"]):
        assert user.check_password("bina-sehat-demo")
        assert not user.scope.is_empty


def test_rebuilding_is_deterministic_and_idempotent(demo):
    before = list(Posyandu.objects.order_by("code").values_list("code", "name", "desa_id", "active"))
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert list(Posyandu.objects.order_by("code").values_list("code", "name", "desa_id", "active")) == before
    assert "kader" in out.getvalue() and "bina-sehat-demo" in out.getvalue()


def test_demo_is_marked_on_every_page(demo, client, client_for):
    assert "DATA DEMO" in client.get("/akun/masuk/").content.decode()
    client = client_for("dinkes")
    for url in ["/", "/posyandu/", "/wilayah/19.03/", "/impor/"]:
        assert "DATA DEMO" in client.get(url).content.decode(), url

"""A province user of an installation that serves one of its districts: the Desa Siaga Aktif share counts the desa
of the districts this system serves (those with a puskesmas), not every desa of the province as "belum Siaga Aktif".

Kepmenkes 1529/2010 (Pedoman Umum Pengembangan Desa dan Kelurahan Siaga Aktif): the share is desa/kelurahan Siaga
Aktif over the desa/kelurahan of the area assessed; a desa no one assessed here is not a desa found wanting."""

import pytest

from binasehat.accounts.models import User
from binasehat.community import selectors
from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region

pytestmark = pytest.mark.django_db


def test_province_counts_only_the_districts_served(demo, client_for):
    provinsi, dinkes = User.objects.get(username="provinsi"), User.objects.get(username="dinkes")
    served = {".".join(c.split(".")[:2]) for c in Puskesmas.objects.values_list("kecamatan_id", flat=True)}
    province = sorted(provinsi.scope.area_codes)[0]
    in_province = Region.objects.filter(level=4, code__startswith=province + ".").count()
    in_served = Region.objects.filter(level=4, code__regex=r"^(" + "|".join(c.replace(".", r"\.") for c in served)
                                      + r")\.").count()
    assert in_served < in_province  # the demo province has districts this installation does not serve
    rows = selectors.siaga_results(provinsi, 2025)
    assert len(rows) == in_served
    # The province sees the same desa, and the same share, as the district's own Dinas Kesehatan.
    _recap, total = selectors.siaga_recap(rows)
    _recap_d, total_d = selectors.siaga_recap(selectors.siaga_results(dinkes, 2025))
    assert (total.aktif, total.total) == (total_d.aktif, total_d.total)
    unserved = selectors.siaga_unserved_districts(provinsi)
    assert unserved and all(r.code not in served for r in unserved)
    assert selectors.siaga_unserved_districts(dinkes) == []
    body = client_for(provinsi).get("/komunitas/siaga/?tahun=2025").content.decode()
    assert 'id="siaga-unserved"' in body and f"Tidak dihitung: {len(unserved)} kabupaten/kota" in body
    assert f"dari {total.total} desa/kelurahan Siaga Aktif" in body

"""A province's dashboard, pivot table and map: above the kabupaten/kota the dashboard ranks and maps the
kab/kota (not every desa of the province: those are in the pivot table), and the three pages make the same number
of queries when the province gets a second copy of the demo kabupaten (its kecamatan and desa) and twice the
posyandu, months, children and measurements."""

import datetime as dt

from binasehat.core.tests.test_page_queries import _count, _double_the_district
from binasehat.facilities.models import Posyandu
from binasehat.regions.models import Region

PROVINCE, DISTRICT, TWIN = "19", "19.03", "19.99"


def _pages() -> list[str]:
    year = dt.date.today().year - 1
    return [f"/laporan/dasbor/?wilayah={PROVINCE}&tahun={year}",
            f"/laporan/pivot/?wilayah={PROVINCE}&tahun={year}",
            f"/laporan/peta/?wilayah={PROVINCE}&tahun={year}"]


def _twin_kabupaten() -> None:
    """A second kabupaten with a copy of every kecamatan and desa of the demo's, and the posyandu copies that
    ``_double_the_district`` made (code ending in X) moved to the copied desa."""
    regions = list(Region.objects.filter(code__startswith=DISTRICT + ".").order_by("level", "code"))
    Region.objects.create(code=TWIN, name="Kabupaten Kembar", parent_id=PROVINCE, level=2, kind="kabupaten")
    for r in regions:
        Region.objects.create(code=TWIN + r.code[len(DISTRICT):], name=r.name + " (kembar)",
                              parent_id=TWIN + r.parent_id[len(DISTRICT):], level=r.level, kind=r.kind)
    for p in Posyandu.objects.filter(code__endswith="X"):
        p.desa_id = TWIN + p.desa_id[len(DISTRICT):]
        p.save(update_fields=["desa"])


def test_province_pages_make_as_many_queries_with_twice_the_data(demo, client_for, settings):
    settings.PAGE_CACHE = False
    client = client_for("provinsi")
    desa = Region.objects.filter(code__startswith=PROVINCE + ".", level=4).count()
    district_desa = Region.objects.filter(code__startswith=DISTRICT + ".", level=4).count()
    before = {url: _count(client, url) for url in _pages()}
    _double_the_district()
    _twin_kabupaten()
    assert Region.objects.filter(code__startswith=PROVINCE + ".", level=4).count() == desa + district_desa
    after = {url: _count(client, url) for url in _pages()}
    assert after == before


def test_province_dashboard_ranks_kabupaten_and_links_every_desa_to_the_pivot(demo, client_for):
    year = dt.date.today().year - 1
    html = client_for("provinsi").get("/laporan/dasbor/", {"wilayah": PROVINCE, "tahun": year}).content.decode()
    kabupaten = list(Region.objects.filter(parent_id=PROVINCE).values_list("code", flat=True))
    desa = list(Region.objects.filter(code__startswith=PROVINCE + ".", level=4).values_list("code", flat=True))
    assert kabupaten and desa
    for code in kabupaten:  # the kab/kota ranked (a row each)
        assert f'data-area="{code}"' in html
    assert not any(f'data-area="{code}"' in html for code in desa)  # no desa rows nor desa shapes
    assert 'id="desa-in-pivot"' in html and "tingkat=desa" in html
    # The kabupaten's own dashboard still ranks and maps its desa.
    html = client_for("provinsi").get("/laporan/dasbor/", {"wilayah": DISTRICT, "tahun": year}).content.decode()
    own = [code for code in desa if code.startswith(DISTRICT + ".")]
    assert own and all(f'data-area="{code}"' in html for code in own)
    assert 'id="desa-in-pivot"' not in html

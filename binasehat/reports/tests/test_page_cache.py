"""Pages kept in the cache (``core.pagecache``): the same page again is served from the cache with the same
HTML, every kind of write shows at once on the next request, and no user is ever served a page rendered for
another user or scope.

Hand-worked cases on the demo district: renaming kader X to "Kader Uji Cache" makes the kader list searched for
that name show one row where it showed none; writing 7 more dengue cases for desa 19.03.01.2004 in March 2025
raises the DBD incidence numerator on the dashboard by exactly 7."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.cadres.models import Kader
from binasehat.core import pagecache
from binasehat.facilities.models import Posyandu
from binasehat.core.periods import Period
from binasehat.growth.models import Child
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.reports.templatetags.dashboard import count

pytestmark = pytest.mark.django_db

PAGES = ["/laporan/dasbor/?wilayah=19.03&tahun=2025", "/laporan/pokjanal/", "/keluarga/iks/", "/posyandu/",
         "/kader/?page=2", "/anak/"]


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def _body(response) -> str:
    """The page without its CSRF tokens (they differ per request by design)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize("url", PAGES)
def test_the_same_page_again_comes_from_the_cache(demo, client_for, url):
    client = client_for("dinkes")
    first, n_first = _get(client, url)
    second, n_second = _get(client, url)
    assert not getattr(first, "from_page_cache", False) and second.from_page_cache
    assert _body(first) == _body(second)
    assert n_second <= 8 < n_first or n_second < n_first


def test_cached_page_carries_the_requesters_own_csrf_token(demo):
    user = User.objects.get(username="dinkes")
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one.force_login(user)
    two.force_login(user)
    one.get("/posyandu/")
    page = two.get("/posyandu/")
    assert page.from_page_cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = two.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # a token of the other session would be a 403


def _kader_rows(client, name):
    """How often ``name`` appears in the list's rows (not in the search box that repeats it)."""
    html = client.get("/kader/", {"q": name}).content.decode()
    return html.count(name) - html.count(f'value="{name}"')


def test_a_form_write_shows_at_once(demo, client_for):
    client = client_for("dinkes")
    kader = Kader.objects.filter(posyandu__desa__code__startswith="19.03.").order_by("pk").first()
    assert _kader_rows(client, "Kader Uji Cache") == 0
    assert _kader_rows(client, "Kader Uji Cache") == 0  # now from the cache
    url = reverse("cadres:edit", args=[kader.pk])
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else (
            "on" if value is True else str(value))
    data["name"] = "Kader Uji Cache"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _kader_rows(client, "Kader Uji Cache") >= 1


def test_an_api_write_shows_at_once_on_the_dashboard(demo, client_for):
    import json

    from binasehat.api.services import token_create
    from binasehat.programs.models import DataValue

    client = client_for("dinkes")
    url, params = reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025, "program": "dbd"}

    def row(html):
        return re.search(r'<tr data-indicator="DBD_IR"[^>]*>(.*?)</tr>', html, re.S).group(1)

    ind = Indicator.objects.get(code="DBD_IR")
    before = engine.evaluate_uncached([ind], ["19.03"], [Period(2025)])[0].numerator
    assert f"{count(before)} / " in row(client.get(url, params).content.decode())
    assert client.get(url, params).from_page_cache
    stored = DataValue.objects.filter(element__code="DBD_KASUS", org_unit="19.03.01.2004",
                                      period="2025-03").values_list("value", flat=True).first() or 0
    _t, key = token_create(actor=User.objects.get(username="dinkes"), name="tes")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    response = api.post("/api/data-values", json.dumps([{"dataElement": "DBD_KASUS", "period": "2025-03",
                                                         "orgUnit": "19.03.01.2004", "value": float(stored) + 7}]),
                        content_type="application/json")
    assert response.status_code == 200, response.content
    page = client.get(url, params)
    assert not getattr(page, "from_page_cache", False)
    assert f"{count(before + 7)} / " in row(page.content.decode())


def test_an_import_with_bulk_inserts_shows_at_once(demo, client_for, tmp_path, import_data):
    client = client_for("dinkes")
    assert "Anak Impor Cache" not in client.get("/anak/", {"q": "Impor Cache"}).content.decode()
    assert client.get("/anak/", {"q": "Impor Cache"}).from_page_cache
    path = tmp_path / "anak.csv"
    path.write_text("nik,name,sex,birth_date,mother_name,desa_code,posyandu_code\n"
                    ",Anak Impor Cache,P,2024-02-15,Ibu Cache,19.03.01.1001,190301100101\n", encoding="utf-8")
    code, out, err = import_data("children", str(path))
    assert code == 0, out + err
    assert Child.objects.filter(name="Anak Impor Cache").exists()
    assert "Anak Impor Cache" in client.get("/anak/", {"q": "Impor Cache"}).content.decode()


def test_an_admin_edit_shows_at_once(demo, client_for):
    from binasehat.core.tests.test_audit_everywhere import _post_data

    client = client_for("dinkes")
    url, params = reverse("reports:dashboard"), {"wilayah": "19.03", "tahun": 2025}
    assert "Angka Bebas Jentik (uji)" not in client.get(url, params).content.decode()
    assert client.get(url, params).from_page_cache
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    ind = Indicator.objects.get(code="ABJ")
    change = reverse("admin:indicators_indicator_change", args=[ind.pk])
    data = _post_data(admin.get(change).context["adminform"].form)
    data["name"] = "Angka Bebas Jentik (uji)"
    response = admin.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Angka Bebas Jentik (uji)" in client.get(url, params).content.decode()


def test_a_delete_shows_at_once(demo, client_for):
    """Deleting through the ORM (cascading to the child's measurements): no service, no signal of ours."""
    client = client_for("dinkes")
    child = Child.objects.filter(desa__code__startswith="19.03.").order_by("-pk").first()

    def rows():
        html = client.get("/anak/", {"q": child.name}).content.decode()
        return html.count(reverse("growth:child", args=[child.pk]))

    assert rows() >= 1 and client.get("/anak/", {"q": child.name}).from_page_cache
    Child.objects.filter(pk=child.pk).delete()
    assert rows() == 0


def test_a_plain_queryset_update_shows_at_once(demo, client_for):
    """No signal, no service: the statement itself gives the table a new version."""
    client = client_for("dinkes")
    posyandu = Posyandu.objects.filter(desa__code__startswith="19.03.").order_by("code").first()
    assert "Posyandu Diganti" not in client.get("/posyandu/", {"q": posyandu.code}).content.decode()
    assert client.get("/posyandu/", {"q": posyandu.code}).from_page_cache
    Posyandu.objects.filter(pk=posyandu.pk).update(name="Posyandu Diganti")
    assert "Posyandu Diganti" in client.get("/posyandu/", {"q": posyandu.code}).content.decode()


def test_no_user_is_served_another_users_or_scopes_page(demo, client_for, make_user):
    from binasehat.regions.models import Region

    district, desa = client_for("dinkes"), Client()
    bidan = User.objects.get(username="bidan")
    desa.force_login(bidan)
    for url in PAGES[1:]:
        wide = district.get(url).content.decode()
        assert district.get(url).from_page_cache
        narrow = desa.get(url)
        assert not getattr(narrow, "from_page_cache", False), url
        assert _body(narrow) != re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", wide), url
    # The same user with a wider area the next moment: not the page of the narrower scope.
    desa.get("/posyandu/")
    assert desa.get("/posyandu/").from_page_cache
    bidan.areas.add(Region.objects.get(code="19.03.01"))
    assert not getattr(desa.get("/posyandu/"), "from_page_cache", False)


def test_a_page_with_a_message_is_neither_served_nor_kept(demo, client_for, rf):
    from django.contrib import messages

    client = client_for("dinkes")
    client.get("/posyandu/")
    assert client.get("/posyandu/").from_page_cache
    request = rf.get("/")
    request.session = client.session
    request.user = User.objects.get(username="dinkes")
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    messages.success(request, "Tersimpan untuk uji.")
    request._messages.update(_Response(client))
    page = client.get("/posyandu/")
    assert not getattr(page, "from_page_cache", False) and "Tersimpan untuk uji." in page.content.decode()
    again = client.get("/posyandu/")  # the message was shown once: the page kept before it is served again
    assert again.from_page_cache and "Tersimpan untuk uji." not in again.content.decode()


class _Response:
    """Where the message storage writes its cookie: the test client's cookie jar."""

    def __init__(self, client):
        self.client = client

    def set_cookie(self, key, value, **kwargs):
        self.client.cookies[key] = value

    def delete_cookie(self, key, **kwargs):
        self.client.cookies.pop(key, None)


@pytest.mark.django_db(transaction=True)
def test_versions_change_when_the_transaction_commits_and_not_when_it_rolls_back(demo):
    table = Posyandu._meta.db_table
    start = pagecache.versions([table])[table]
    with transaction.atomic():
        Posyandu.objects.filter(pk=-1).update(name="x")
        assert pagecache.versions([table])[table] == start  # not yet: another reader may not see the write
    committed = pagecache.versions([table])[table]
    assert committed != start
    try:
        with transaction.atomic():
            Posyandu.objects.filter(pk=-1).update(name="x")
            raise RuntimeError
    except RuntimeError:
        pass
    assert pagecache.versions([table])[table] == committed
    with transaction.atomic():  # the next transaction after a rollback still counts
        Posyandu.objects.filter(pk=-1).update(name="x")
    assert pagecache.versions([table])[table] != committed


def test_page_cache_can_be_turned_off(demo, client_for, settings):
    settings.PAGE_CACHE = False
    client = client_for("dinkes")
    client.get("/posyandu/")
    assert not getattr(client.get("/posyandu/"), "from_page_cache", False)

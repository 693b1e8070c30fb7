"""The logged-in user is read with its area codes in one query (``backends.AreaModelBackend``): the scope a
request sees is the one computed from the database, it follows a change of areas on the next request, and the
areas are not queried a second time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from binasehat.accounts.backends import AreaModelBackend, with_area_codes
from binasehat.accounts.models import User
from binasehat.api.services import token_create, token_user
from binasehat.regions.models import Region


def _fresh_scope(user) -> frozenset:
    return frozenset(User.objects.get(pk=user.pk).areas.values_list("code", flat=True))


def test_backend_user_has_the_same_scope_as_the_database(demo):
    for user in User.objects.filter(is_active=True).order_by("pk"):
        loaded = AreaModelBackend().get_user(user.pk)
        assert loaded.scope == User.objects.get(pk=user.pk).scope, user.username


def test_area_codes_of_a_user_with_several_areas_and_with_none(demo):
    user = User.objects.get(username="dinkes")
    kecamatan = list(Region.objects.filter(level=3, code__startswith="19.03.").order_by("code")[:3])
    user.areas.set(kecamatan)
    loaded = with_area_codes(User.objects.all()).get(pk=user.pk)
    assert loaded._area_codes.count(",") == 2
    assert loaded.scope.area_codes == frozenset(r.code for r in kecamatan) == _fresh_scope(user)
    user.areas.clear()
    assert with_area_codes(User.objects.all()).get(pk=user.pk)._area_codes == ""
    assert AreaModelBackend().get_user(user.pk).scope.area_codes == frozenset()


def test_request_scope_follows_an_area_change_without_a_second_areas_query(client, demo):
    user = User.objects.get(username="dinkes")
    client.force_login(user, backend="binasehat.accounts.backends.AreaModelBackend")
    assert client.get("/akun/profil/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/akun/profil/")
    assert response.wsgi_request.scope.area_codes == _fresh_scope(user)
    # The query ``User.scope`` made on every request before (the profile page itself lists the areas by name).
    assert not [q for q in queries.captured_queries
                if q["sql"].startswith('SELECT "regions_region"."code" AS "code" FROM "regions_region" INNER JOIN')]
    kecamatan = Region.objects.filter(level=3, code__startswith="19.03.").order_by("code").first()
    user.areas.set([kecamatan])
    response = client.get("/akun/profil/")
    assert response.wsgi_request.scope.area_codes == frozenset({kecamatan.code})


def test_token_user_has_its_area_codes(demo):
    user = User.objects.get(username="dinkes")
    _token, key = token_create(actor=user, name="uji")
    with CaptureQueriesContext(connection) as queries:
        found = token_user(key)
        scope = found.scope
    assert scope.area_codes == _fresh_scope(user) and scope.area_codes
    assert not [q for q in queries.captured_queries if "accounts_user_areas" in q["sql"]
                and "api_apitoken" not in q["sql"]]

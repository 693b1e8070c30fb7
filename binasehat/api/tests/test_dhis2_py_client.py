"""The PyPI client ``dhis2.py`` (2.3.0), unmodified, against a live Bina Sehat: only the base URL and the
credentials (a personal access token, or a user name and password) are ours."""

from __future__ import annotations

import pytest
from dhis2 import Api, RequestException
from dhis2.utils import import_response_ok

from binasehat.accounts.models import User
from binasehat.api.services import token_create
from binasehat.programs.models import DataValue

DESA = "19.03.02.2001"  # the demo user "bidan"'s desa


@pytest.mark.django_db(transaction=True)
def test_dhis2_py_reads_and_writes_with_an_api_token(demo, live_server):
    _token, key = token_create(actor=User.objects.get(username="bidan"), name="dhis2.py")
    api = Api(live_server.url, "", "")
    api.session.auth = None  # a personal access token instead of a user name and password
    api.session.headers["Authorization"] = f"ApiToken {key}"

    info = api.get("system/info").json()
    assert info["version"] == "2.40" and info["systemName"] == "Bina Sehat"
    assert api.version == "2.40" and api.version_int == 40  # what the client derives from system/info

    stored = DataValue.objects.get(element__code="DBD_KASUS", org_unit=DESA, period="2025-03").value
    doc = api.get("dataValueSets", params={"dataSet": "DBD_BULANAN", "period": "202503", "orgUnit": DESA}).json()
    assert doc["dataSet"] == "DBD_BULANAN" and len(doc["dataValues"]) == 6
    [kasus] = [v for v in doc["dataValues"] if v["dataElement"] == "DBD_KASUS"]
    assert kasus["value"] == str(int(stored))

    payload = {"dataSet": "DBD_BULANAN", "period": "202309", "orgUnit": DESA, "dataValues": [
        {"dataElement": "DBD_KASUS", "value": "3"}, {"dataElement": "DBD_MENINGGAL", "value": "0"}]}
    response = api.post("dataValueSets", json=payload)
    assert response.status_code == 200
    assert import_response_ok(response.json()["response"])  # imported > 0, ignored == 0, status SUCCESS
    assert DataValue.objects.get(element__code="DBD_KASUS", org_unit=DESA, period="2023-09").value == 3

    # A conflict is a 409, which the client raises with DHIS2's message.
    with pytest.raises(RequestException) as raised:
        api.post("dataValueSets", json={"dataValues": [{"dataElement": "NOPE", "period": "202309",
                                                         "orgUnit": DESA, "value": "1"}]})
    assert raised.value.code == 409 and "E7610" in raised.value.description


@pytest.mark.django_db(transaction=True)
def test_dhis2_py_with_user_name_and_password_and_an_api_version(demo, live_server):
    user = User.objects.get(username="bidan")
    user.set_password("rahasia-123")
    user.save()
    api = Api(live_server.url, "bidan", "rahasia-123", api_version=40)
    assert api.get("me").json()["username"] == "bidan"
    rows = api.get("dataValueSets", params={"dataSet": "DBD_BULANAN", "period": "202503"}).json()["dataValues"]
    assert {r["orgUnit"] for r in rows} == {DESA}  # the same scope as the pages
    with pytest.raises(RequestException) as raised:
        Api(live_server.url, "bidan", "salah").get("system/info")
    assert raised.value.code == 401

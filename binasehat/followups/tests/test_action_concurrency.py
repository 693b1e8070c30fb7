"""Two people updating one action item never lose an update: the second, based on an older version, is refused,
told who changed it, and shown the newer version; saving again on the newer version works."""

import pytest
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.followups import services
from binasehat.followups.models import ActionItem

pytestmark = pytest.mark.django_db


def _open_item():
    return ActionItem.objects.filter(status="terbuka").order_by("pk").first()


def test_second_writer_is_told_and_shown_the_newer_version(demo, client_for, django_user_model):
    item = _open_item()
    v = item.version
    dinkes = client_for("dinkes")
    assert f'name="version" value="{v}"' in dinkes.get(reverse("followups:action", args=[item.pk])).content.decode()
    from django.test import Client

    other = Client()
    other.force_login(User.objects.get(username="puskesmas") if User.objects.get(
        username="puskesmas").scope.covers(item.region_id) else User.objects.get(username="admin"))
    # Both opened version v. The first saves "berjalan".
    first = other.post(reverse("followups:action", args=[item.pk]),
                       {"version": v, "status": "berjalan", "evidence": "Data 3 RT sudah masuk."})
    assert first.status_code == 302
    # The second, still on version v, tries "selesai" with other evidence.
    second = dinkes.post(reverse("followups:action", args=[item.pk]),
                         {"version": v, "status": "selesai", "evidence": "Semua RT selesai."})
    assert second.status_code == 200
    html = second.content.decode()
    assert "sudah diubah oleh" in html and 'id="stale"' in html
    assert "Data 3 RT sudah masuk." in html  # the newer version is shown
    assert f'name="version" value="{v + 1}"' in html  # and the form now carries it
    item.refresh_from_db()
    assert (item.status, item.evidence, item.version) == ("berjalan", "Data 3 RT sudah masuk.", v + 1)
    # Having seen it, the second person saves on the newer version.
    third = dinkes.post(reverse("followups:action", args=[item.pk]),
                        {"version": v + 1, "status": "selesai", "evidence": "Semua RT selesai."})
    assert third.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.version) == ("selesai", v + 2)


def test_service_refuses_a_stale_version(demo):
    item = _open_item()
    dinkes = User.objects.get(username="dinkes")
    services.action_update(actor=dinkes, item=item, version=item.version, status="berjalan", evidence="a")
    with pytest.raises(services.StaleVersion) as e:
        services.action_update(actor=dinkes, item=item, version=item.version, status="batal", evidence="b")
    assert e.value.current.evidence == "a"


def test_done_needs_evidence(demo):
    from django.core.exceptions import ValidationError

    item = _open_item()
    with pytest.raises(ValidationError):
        services.action_update(actor=User.objects.get(username="dinkes"), item=item, version=item.version,
                               status="selesai", evidence="  ")

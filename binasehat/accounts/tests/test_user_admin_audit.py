"""Accounts changed by an administrator are audited like every other record."""

from django.urls import reverse

from binasehat.core.models import AuditEntry


def test_admin_changes_to_a_user_are_audited(demo, client_for, make_user):
    from binasehat.accounts.models import User
    from binasehat.regions.models import Region

    admin_client = client_for("admin")
    target = make_user("bidan_baru", "bidan_desa", areas=[Region.objects.get(code="19.03.01.2008")])
    url = reverse("admin:accounts_user_change", args=[target.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = {
        "username": "bidan_baru", "first_name": "Ani", "last_name": "", "email": "", "role": "bidan_desa",
        "is_active": "on", "phone": "", "areas": "19.03.01.2004", "posyandu": "", "puskesmas": "",
        "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00", "last_login_0": "", "last_login_1": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(model="accounts.user", object_pk=str(target.pk)).latest("pk")
    assert entry.actor.username == "admin" and entry.source == "admin"
    assert entry.before["areas"] == ["19.03.01.2008"] and entry.after["areas"] == ["19.03.01.2004"]
    assert entry.after["first_name"] == "Ani"
    assert User.objects.get(pk=target.pk).scope.covers("19.03.01.2004")

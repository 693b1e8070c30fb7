"""Every write path leaves an audit entry: each admin (ours, Django's groups, django-axes' lock-outs) for adding,
changing, deleting and the bulk "delete selected" action; the admin's password form; a kader's NIK-only edit."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.cadres import services as cadre_services
from binasehat.cadres.models import Kader, Level
from binasehat.core.admin_audit import AuditedAdmin
from binasehat.core.models import AuditEntry


def _entries(obj, action):
    return AuditEntry.objects.filter(model=obj._meta.label_lower, object_pk=str(obj.pk), action=action)


def test_finding_10_every_registered_admin_audits():
    registered = dict(admin.site._registry)
    assert len(registered) >= 10
    missing = sorted(m._meta.label for m, ma in registered.items() if not isinstance(ma, AuditedAdmin))
    assert missing == []


def _post_data(form) -> dict:
    """What a browser would send back for an admin form left as it is."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = field.widget.format_value(value) if hasattr(field.widget, "format_value") and \
                not isinstance(value, str) else value
    return data


def test_finding_10_bulk_delete_action_is_audited_for_every_admin(demo, client_for, make_user):
    """The changelist's "delete selected" for every registered model that the admin may delete and has a row."""
    client = client_for("admin")
    User.objects.get(username="admin")
    Group.objects.create(name="Pengelola data")
    make_user("akan-dihapus", "bidan_desa")
    checked = []
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("-pk").first()
        if obj is None or getattr(obj, "username", "") in {"admin"}:
            continue
        request = type("R", (), {"user": User.objects.get(username="admin")})()
        if not model_admin.has_delete_permission(request, obj):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.post(url, {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"})
        if response.status_code == 200 and model._default_manager.filter(pk=obj.pk).exists():
            # protected by records that point at it: nothing deleted, nothing to audit
            assert not _entries(obj, "delete").exists(), model._meta.label
            continue
        assert response.status_code == 302, (model._meta.label, response.status_code)
        assert not model._default_manager.filter(pk=obj.pk).exists(), model._meta.label
        assert _entries(obj, "delete").filter(source="admin").count() == 1, model._meta.label
        checked.append(model._meta.label)
    assert {"accounts.User", "auth.Group", "cadres.Level", "cadres.Skill"} <= set(checked), checked


def test_finding_10_admin_bulk_delete_of_users_is_audited(demo, client_for, make_user):
    a, b = make_user("hapus-1", "bidan_desa"), make_user("hapus-2", "puskesmas")
    response = client_for("admin").post(reverse("admin:accounts_user_changelist"), {
        "action": "delete_selected", "_selected_action": [str(a.pk), str(b.pk)], "post": "yes"})
    assert response.status_code == 302
    for user in (a, b):
        entry = _entries(user, "delete").get()
        assert entry.actor.username == "admin" and entry.before["username"] == user.username
        assert "password" not in entry.before


def test_finding_10_admin_password_set_is_audited(demo, client_for, make_user):
    target = make_user("ganti-sandi", "bidan_desa")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client_for("admin").post(url, {"password1": "Sandi-Baru-Yang-Panjang-2025",
                                              "password2": "Sandi-Baru-Yang-Panjang-2025", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:1000]
    target.refresh_from_db()
    assert target.check_password("Sandi-Baru-Yang-Panjang-2025")
    entry = _entries(target, "update").get()
    assert entry.source == "admin" and entry.actor.username == "admin" and entry.after == {"password": "diganti"}


def test_finding_10_kader_nik_only_edit_is_audited(demo):
    kader = Kader.objects.exclude(nik="").order_by("pk").first()
    old = kader.nik
    new = old[:-4] + ("0002" if old[-4:] != "0002" else "0003")
    cadre_services.kader_update(actor=User.objects.get(username="dinkes"), kader=kader, data={"nik": new},
                                version=kader.version)
    entry = _entries(kader, "update").latest("pk")
    assert entry.before["nik"] == old and entry.after["nik"] == new


def test_finding_10_admin_edit_of_kader_level_rule_is_audited(demo, client_for):
    client = client_for("admin")
    level = Level.objects.order_by("order").last()
    url = reverse("admin:cadres_level_change", args=[level.pk])
    form = client.get(url).context["adminform"].form
    data = _post_data(form)
    data["min_groups"] = str(level.min_groups + 1)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = _entries(level, "update").get()
    assert entry.source == "admin" and entry.before["min_groups"] + 1 == entry.after["min_groups"]


def test_finding_10_admin_add_is_audited(demo, client_for):
    response = client_for("admin").post(reverse("admin:auth_group_add"), {"name": "Tim surveilans"})
    assert response.status_code == 302
    group = Group.objects.get(name="Tim surveilans")
    entry = _entries(group, "create").get()
    assert entry.after["name"] == "Tim surveilans" and entry.before is None

"""Creating and editing facilities through the pages: validated, audited with before/after, history shown to
the roles allowed to see it, and two people never silently overwrite each other."""

from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu, Puskesmas


def form_data(p: Posyandu, **changes):
    data = {
        "code": p.code, "name": p.name, "desa": p.desa_id, "dusun": p.dusun, "rw": p.rw, "address": p.address,
        "latitude": p.latitude or "", "longitude": p.longitude or "", "founded_on": p.founded_on or "",
        "sk_number": p.sk_number, "sk_date": p.sk_date or "", "closed_on": p.closed_on or "", "version": p.version,
    }
    if p.active:
        data["active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_is_audited_with_before_and_after_and_shown_in_history(demo, client_for):
    client = client_for("dinkes")
    p = Posyandu.objects.filter(active=True).first()
    response = client.post(reverse("facilities:posyandu_edit", args=[p.pk]), form_data(p, name="Posyandu Harapan"))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.name == "Posyandu Harapan" and p.version == 2
    entry = AuditEntry.objects.filter(model="facilities.posyandu", object_pk=str(p.pk), action="update").latest("pk")
    assert entry.actor.username == "dinkes" and entry.area_code == p.desa_id
    assert ("name", entry.before["name"], "Posyandu Harapan") in entry.changes()
    page = client.get(reverse("facilities:posyandu_detail", args=[p.pk])).content.decode()
    assert "Riwayat perubahan" in page and "Posyandu Harapan" in page


def test_history_is_hidden_from_kader(demo, client_for):
    from binasehat.accounts.models import User

    kader = User.objects.get(username="kader")
    page = client_for(kader).get(reverse("facilities:posyandu_detail", args=[kader.posyandu.get().pk])).content.decode()
    assert "Riwayat perubahan" not in page


def test_stale_form_is_refused(demo, client_for):
    client = client_for("dinkes")
    p = Posyandu.objects.filter(active=True).first()
    stale = form_data(p, name="Versi A")
    client.post(reverse("facilities:posyandu_edit", args=[p.pk]), form_data(p, name="Versi B"))
    response = client.post(reverse("facilities:posyandu_edit", args=[p.pk]), stale)
    assert response.status_code == 200
    assert "sudah diubah orang lain" in response.content.decode()
    p.refresh_from_db()
    assert p.name == "Versi B"


def test_create_validates_in_indonesian_and_stays_in_scope(demo, client_for, make_user):
    from binasehat.regions.models import Region

    bidan = client_for(make_user("bidan_rias", "bidan_desa", areas=[Region.objects.get(code="19.03.01.2008")]))
    url = reverse("facilities:posyandu_create")
    response = bidan.post(url, {"code": "BARU-1", "name": "Posyandu Baru", "desa": "19.03.02.2001", "active": "on"})
    assert response.status_code == 200
    assert "di luar wilayah kerja Anda" in response.content.decode()
    response = bidan.post(url, {"code": "BARU-1", "name": "Posyandu Baru", "desa": "19.03.01.2008", "active": "on",
                                "closed_on": "2025-01-01"})
    assert "tidak boleh berstatus beroperasi" in response.content.decode()
    response = bidan.post(url, {"code": "BARU-1", "name": "Posyandu Baru", "desa": "19.03.01.2008", "active": "on"})
    assert response.status_code == 302
    created = Posyandu.objects.get(code="BARU-1")
    assert AuditEntry.objects.filter(model="facilities.posyandu", object_pk=str(created.pk), action="create").exists()


def test_puskesmas_wilayah_kerja_edit(demo, client_for):
    client = client_for("dinkes")
    pkm = Puskesmas.objects.get(code="P19030201")
    codes = sorted(pkm.wilayah_kerja.values_list("code", flat=True))
    data = {"code": pkm.code, "name": pkm.name, "kecamatan": pkm.kecamatan_id, "active": "on",
            "wilayah_kerja": "; ".join(codes[:-1]), "version": pkm.version}
    response = client.post(reverse("facilities:puskesmas_edit", args=[pkm.pk]), data)
    assert response.status_code == 302
    assert sorted(pkm.wilayah_kerja.values_list("code", flat=True)) == codes[:-1]
    entry = AuditEntry.objects.filter(model="facilities.puskesmas", object_pk=str(pkm.pk)).latest("pk")
    assert entry.before["wilayah_kerja"] == codes and entry.after["wilayah_kerja"] == codes[:-1]
    data["wilayah_kerja"] = "99.99.99.9999"
    data["version"] = pkm.version + 1
    response = client.post(reverse("facilities:puskesmas_edit", args=[pkm.pk]), data)
    assert "tidak dikenal" in response.content.decode()


def test_bidan_cannot_edit_puskesmas(demo, client_for):
    assert client_for("bidan").get(reverse("facilities:puskesmas_create")).status_code == 403

"""Facility and kader forms after an edit conflict: both versions side by side (the one saved meanwhile and this
person's), the form kept with this person's entry and set to the stored version, so that saving again is a
deliberate choice; reloading takes the stored one. The same partial as the posyandu month form."""

from django.urls import reverse

from binasehat.cadres.forms import KaderForm
from binasehat.cadres.models import Kader
from binasehat.facilities.models import Posyandu


def _browser_data(form) -> dict:
    """What a browser sends back for an unbound form left as it is."""
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
        elif not isinstance(value, str) and hasattr(field.widget, "format_value"):
            data[name] = field.widget.format_value(value)
        else:
            data[name] = value
    return {k: v for k, v in data.items() if v is not None}


def _conflict_rows(page: str) -> str:
    start = page.index('id="conflict"')
    return page[start:page.index("</table>", start)]


def test_a_stale_posyandu_form_shows_both_versions_and_saving_again_keeps_this_persons_entry(demo, client_for):
    from binasehat.facilities.forms import PosyanduForm
    from binasehat.regions.models import Region

    client = client_for("dinkes")
    p = Posyandu.objects.filter(active=True).order_by("pk").first()
    opened = _browser_data(PosyanduForm(instance=p, desa_queryset=Region.objects.filter(level=4)))
    url = reverse("facilities:posyandu_edit", args=[p.pk])
    assert client.post(url, {**opened, "name": "Versi B"}).status_code == 302  # someone else saves first
    response = client.post(url, {**opened, "name": "Versi A", "rw": "009"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "sudah diubah orang lain" in page and "Dua versi data ini" in page
    rows = _conflict_rows(page)
    # Name: saved "Versi B", yours "Versi A"; RW: saved as before, yours 009. Fields equal in both are not listed.
    assert "<td>Versi B</td><td>Versi A</td>" in rows
    assert f"<td>{p.rw or '—'}</td><td>009</td>" in rows
    assert "Alamat" not in rows
    assert 'name="version" value="2"' in page and 'value="Versi A"' in page
    assert Posyandu.objects.get(pk=p.pk).name == "Versi B"
    # Saving the shown form again is this person's decision: it now applies.
    assert client.post(url, {**opened, "name": "Versi A", "rw": "009", "version": "2"}).status_code == 302
    stored = Posyandu.objects.get(pk=p.pk)
    assert (stored.name, stored.rw, stored.version) == ("Versi A", "009", 3)


def test_a_stale_kader_form_shows_both_versions(demo, client_for):
    from binasehat.facilities.models import Posyandu as P

    client = client_for("dinkes")
    kader = Kader.objects.filter(active=True).order_by("pk").first()
    opened = _browser_data(KaderForm(instance=kader, posyandu_queryset=P.objects.all(),
                                     initial={"skills": kader.skills.all()}))
    url = reverse("cadres:edit", args=[kader.pk])
    assert client.post(url, {**opened, "phone": "081200000001"}).status_code == 302
    response = client.post(url, {**opened, "phone": "081299999999", "name": "Nama Dari Saya"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dua versi data kader ini" in page
    rows = _conflict_rows(page)
    assert "<td>081200000001</td><td>081299999999</td>" in rows
    assert f"<td>{kader.name}</td><td>Nama Dari Saya</td>" in rows
    assert f'name="version" value="{kader.version + 1}"' in page
    stored = Kader.objects.get(pk=kader.pk)
    assert (stored.phone, stored.name) == ("081200000001", kader.name)

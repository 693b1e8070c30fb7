"""Change history as a user reads it: field labels (verbose names) instead of attribute names, the names of
linked records ("Posyandu: Melati 1", not ``posyandu_id: 29``), choices by label, dates as 31 Des 2025 and
numbers with the language's decimal mark, old → new."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from binasehat.accounts.models import User
from binasehat.cadres.models import Kader
from binasehat.cadres.services import kader_update
from binasehat.core.audit import readable_changes
from binasehat.core.models import AuditEntry
from binasehat.facilities.models import Posyandu
from binasehat.reports.tests.test_no_iso_date_or_raw_key import visible_text as visible

pytestmark = pytest.mark.django_db


def _move_kader(user):
    kader = Kader.objects.select_related("posyandu").filter(posyandu__desa__code__startswith="19.03").first()
    other = Posyandu.objects.filter(desa_id=kader.posyandu.desa_id).exclude(pk=kader.posyandu_id).first()
    old = kader.posyandu
    kader_update(actor=user, kader=kader, data={"posyandu": other, "sk_date": dt.date(2025, 12, 31), "active": False},
                 version=kader.version)
    return kader, old, other


def test_history_entry_reads_labels_names_and_formatted_values(demo):
    user = User.objects.get(username="dinkes")
    kader, old, new = _move_kader(user)
    entry = AuditEntry.objects.filter(model="cadres.kader", object_pk=str(kader.pk), action="update").first()
    raw = {k: (b, a) for k, b, a in entry.changes()}
    assert raw["posyandu_id"] == (old.pk, new.pk)  # stored as keys ...
    assert raw["sk_date"][1] == "2025-12-31"
    with translation.override("id"):
        rows = {label: (b, a) for label, b, a in readable_changes(entry)}
    assert rows["Posyandu"] == (str(old), str(new))  # ... read as names
    assert rows["Tanggal SK"][1] == "31 Des 2025"
    assert rows["Aktif"] == ("ya", "tidak")
    with translation.override("en"):
        rows = {label: (b, a) for label, b, a in readable_changes(entry)}
    assert rows["Posyandu"] == (str(old), str(new))
    assert "31 Dec 2025" in {a for _b, a in rows.values()}


def test_kader_page_history_shows_no_raw_key_or_iso_date(demo, client_for):
    user = User.objects.get(username="dinkes")
    kader, old, new = _move_kader(user)
    html = client_for(user).get(reverse("cadres:detail", args=[kader.pk])).content.decode()
    text = visible(html)
    squeezed = "".join(text.split())  # text nodes are joined with spaces
    assert "".join(f"Posyandu: {old} → {new}".split()) in squeezed
    assert "→31Des2025" in squeezed
    assert "posyandu_id" not in text and "2025-12-31" not in text

"""A bulk import is audited as ONE entry (who, when, the file's SHA-256) with one compact item per record written,
and each record's history still shows the import that wrote it, with what it got and from which file."""

from __future__ import annotations

import hashlib

import pytest

from binasehat.accounts.models import User
from binasehat.core.audit import history_for
from binasehat.core.models import AuditEntry, AuditItem
from binasehat.growth.models import Child, Measurement

CHILDREN = ("nik,name,sex,birth_date,mother_name,desa_code,posyandu_code\n"
            "1903015505230001,Aisyah Putri,P,2023-05-15,Siti Aminah,19.03.01.1001,190301100101\n"
            ",Rafa Pratama,L,2024-01-20,Dewi Lestari,19.03.01.1001,190301100101\n")
MEASUREMENTS = ("child_nik,visit_date,weight_kg,lenhei_cm,measure\n"
                "1903015505230001,2025-03-10,10.4,82.5,h\n"
                "1903015505230001,2025-04-10,10.6,83.0,h\n")


@pytest.fixture
def imported(demo, tmp_path, import_data):
    children = tmp_path / "anak-desa-1001.csv"
    children.write_text(CHILDREN, encoding="utf-8")
    code, out, err = import_data("children", str(children), "--user", "dinkes")
    assert code == 0, out + err
    measurements = tmp_path / "timbang-maret.csv"
    measurements.write_text(MEASUREMENTS, encoding="utf-8")
    code, out, err = import_data("measurements", str(measurements), "--user", "dinkes")
    assert code == 0, out + err
    return children, measurements


def test_one_entry_per_import_with_the_files_sha256(imported):
    children, measurements = imported
    entries = list(AuditEntry.objects.filter(action="import", source="command").order_by("pk"))
    assert [(e.model, e.actor_name, e.source) for e in entries] == [
        ("growth.child", "dinkes", "command"), ("growth.measurement", "dinkes", "command")]
    child_entry, measurement_entry = entries
    # Hand-checked: the SHA-256 of the bytes of each file, as `sha256sum` prints it.
    assert child_entry.after["files"] == [{"name": "anak-desa-1001.csv",
                                           "sha256": hashlib.sha256(children.read_bytes()).hexdigest()}]
    assert measurement_entry.after["files"][0]["sha256"] == hashlib.sha256(measurements.read_bytes()).hexdigest()
    assert (child_entry.after["created"], measurement_entry.after["created"]) == (2, 2)
    # No per-record AuditEntry: one item per record under the import's entry.
    assert not AuditEntry.objects.filter(model__in=["growth.child", "growth.measurement"], source="command").exclude(
        action="import").exists()
    assert AuditItem.objects.filter(entry=child_entry).count() == 2
    assert AuditItem.objects.filter(entry=measurement_entry).count() == 2
    # A NIK never goes into the trail.
    assert "1903015505230001" not in "".join(AuditItem.objects.values_list("changes", flat=True))


def test_history_of_a_measurement_names_the_import_and_its_values(imported, tmp_path, import_data):
    m = Measurement.objects.get(child__nik="1903015505230001", measured_on="2025-03-10")
    (entry,) = history_for(m)
    assert entry.action == "create" and entry.actor_name == "dinkes"
    assert entry.source == "command: timbang-maret.csv"
    assert entry.files[0]["name"] == "timbang-maret.csv"
    assert entry.after["weight_kg"] == "10.40" and entry.after["lenhei_cm"] == "82.5"
    assert entry.after["measure"] == "h" and entry.after["zwei"] == pytest.approx(m.zwei)
    # A second file changes the weight: the record's history shows both imports, newest first, with the change.
    again = tmp_path / "timbang-koreksi.csv"
    again.write_text("child_nik,visit_date,weight_kg,lenhei_cm,measure\n1903015505230001,2025-03-10,10.8,82.5,h\n",
                     encoding="utf-8")
    code, out, err = import_data("measurements", str(again), "--user", "dinkes")
    assert code == 0 and out.strip().endswith("created=0 updated=1 unchanged=0 rejected=0"), out + err
    update, create = history_for(m)[:20]
    assert update.action == "update" and update.source == "command: timbang-koreksi.csv"
    assert update.before == {"weight_kg": "10.40"} and update.after == {"weight_kg": "10.80"}
    assert create.action == "create"
    assert len(history_for(m)) == 2 and bool(history_for(m))
    assert [c[0] for c in update.readable_changes()] == ["Berat badan (kg)"]


def test_the_child_page_shows_the_import_entry(imported, client_for):
    child = Child.objects.get(nik="1903015505230001")
    body = client_for(User.objects.get(username="dinkes")).get(f"/anak/{child.pk}/").content.decode()
    assert "Riwayat perubahan" in body
    assert "command: anak-desa-1001.csv" in body and "Aisyah Putri" in body


def test_nothing_written_leaves_no_audit(demo, tmp_path, import_data):
    before = AuditEntry.objects.count(), AuditItem.objects.count()
    bad = tmp_path / "salah.csv"
    bad.write_text("child_nik,visit_date,weight_kg,lenhei_cm\n9999999999999999,2025-03-10,10.4,82.5\n",
                   encoding="utf-8")
    code, out, err = import_data("measurements", str(bad))
    assert code == 1
    assert (AuditEntry.objects.count(), AuditItem.objects.count()) == before

"""Backup and restore round trip: what was backed up comes back, every table's row count and checksum checked;
a damaged backup is refused before it touches the database. Runs on the test database of the current run
(SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from binasehat.core.backup import BackupError, database_fingerprints, manifest_path, restore
from binasehat.core.models import AuditEntry
from binasehat.regions.models import Region


def _tables():
    return database_fingerprints(connection)


@pytest.fixture
def tools():
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed")


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trip_and_refusal(demo, tools, tmp_path):
    before = _tables()
    assert before["regions_region"]["rows"] > 50
    file = tmp_path / "binasehat.backup"
    call_command("backup", str(file), stdout=open("/dev/null", "w"))
    manifest = json.loads(manifest_path(file).read_text())
    assert manifest["vendor"] == connection.vendor
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == {t: v["rows"] for t, v in before.items()}
    assert manifest["tables"] == before

    # damage after the backup: rows deleted, a row changed, a row added
    AuditEntry.objects.all().delete()
    Region.objects.filter(code="19.03.01").update(name="Diubah setelah cadangan")
    Region.objects.create(code="19.03.99", name="Wilayah baru", parent_id="19.03")
    assert _tables() != before

    call_command("restore", str(file), "--yes", stdout=open("/dev/null", "w"))
    assert _tables() == before
    assert Region.objects.get(code="19.03.01").name != "Diubah setelah cadangan"
    assert not Region.objects.filter(code="19.03.99").exists()

    # a backup whose manifest does not match is refused (one test: each transactional test rebuilds the demo)
    manifest = json.loads(manifest_path(file).read_text())
    manifest["tables"]["regions_region"]["rows"] += 1
    manifest_path(file).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="regions_region"):
        call_command("restore", str(file), "--yes", stdout=open("/dev/null", "w"))
    # the database was not replaced by a backup that failed its check (SQLite checks before; PostgreSQL's
    # archive is restored in one transaction and the check runs after, so only the data in it is compared)
    assert Region.objects.filter(code="19.03").exists()
    manifest_path(file).unlink()
    with pytest.raises(BackupError, match="manifest"):
        restore(file)

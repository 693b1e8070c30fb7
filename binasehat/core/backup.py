"""Backup and restore of the whole database, verified table by table.

* SQLite: SQLite's online backup API copies the live database page by page into FILE (readers and writers go on);
  restore copies FILE back the same way.
* PostgreSQL: ``pg_dump --format=custom`` into FILE and ``pg_restore --clean --if-exists --single-transaction``
  back. The fingerprints are taken in the same snapshot that pg_dump dumps (``pg_export_snapshot``).

Beside FILE, ``FILE.manifest.json`` records, for every table, its row count and a checksum of its rows (the sum
of the SHA-256 of each row, so it does not depend on row order). A restore checks the backup against the manifest
before it touches the database, and the restored database against it afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = "binasehat-backup-1"


class BackupError(Exception):
    """A backup or restore that did not happen, or whose verification failed."""


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _canonical(value):
    """A value as the same text whichever connection read it (time zone, buffer type)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (memoryview, bytearray)):
        return bytes(value)
    return value


def _table_fingerprint(cursor, table: str) -> dict:
    total, rows = 0, 0
    cursor.execute(f"SELECT * FROM {_quote(table)}")
    while True:
        batch = cursor.fetchmany(2000)
        if not batch:
            break
        for row in batch:
            digest = hashlib.sha256(repr(tuple(_canonical(v) for v in row)).encode("utf-8", "surrogatepass")).digest()
            total = (total + int.from_bytes(digest, "big")) % (1 << 256)
        rows += len(batch)
    return {"rows": rows, "checksum": f"{total:064x}"}


def fingerprints(cursor, tables: list[str]) -> dict[str, dict]:
    return {t: _table_fingerprint(cursor, t) for t in sorted(tables)}


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [r[0] for r in cursor.fetchall()]


def compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """The differences, one line each (empty when the tables, their row counts and checksums all agree)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        e, a = expected.get(table), actual.get(table)
        if e is None:
            problems.append(f"{table}: not in the backup")
        elif a is None:
            problems.append(f"{table}: missing after restore")
        elif e["rows"] != a["rows"]:
            problems.append(f"{table}: {a['rows']} rows, expected {e['rows']}")
        elif e["checksum"] != a["checksum"]:
            problems.append(f"{table}: checksum differs")
    return problems


def _write_manifest(path: Path, vendor: str, tables: dict) -> dict:
    manifest = {"format": FORMAT, "vendor": vendor, "created": dt.datetime.now(dt.UTC).isoformat(),
                "tables": tables}
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _read_manifest(path: Path, vendor: str) -> dict:
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError:
        raise BackupError(f"{manifest_path(path)} is missing: it is written beside every backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path(path)} is not a Bina Sehat backup manifest")
    if manifest.get("vendor") != vendor:
        raise BackupError(f"this backup is of a {manifest.get('vendor')} database; this one is {vendor}")
    return manifest


# --- SQLite ----------------------------------------------------------------------------------------------------

def _sqlite_backup(connection, path: Path) -> dict:
    connection.ensure_connection()
    tmp = path.with_name(path.name + ".part")
    tmp.unlink(missing_ok=True)
    target = sqlite3.connect(tmp)
    try:
        connection.connection.backup(target)
        tables = fingerprints(target.cursor(), _sqlite_tables(target))
    finally:
        target.close()
    os.replace(tmp, path)
    return _write_manifest(path, "sqlite", tables)


def _sqlite_restore(connection, path: Path, manifest: dict) -> dict:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = compare(manifest["tables"], fingerprints(source.cursor(), _sqlite_tables(source)))
        if problems:
            raise BackupError("the backup file does not match its manifest: " + "; ".join(problems))
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("cannot restore inside a transaction")
        source.backup(connection.connection)
    finally:
        source.close()
    return database_fingerprints(connection)


def _sqlite_raw(connection) -> sqlite3.Connection:
    """A plain connection to the same database: values as SQLite stores them (Django's converters off)."""
    params = connection.get_connection_params()
    return sqlite3.connect(params["database"], uri=bool(params.get("uri")), timeout=params.get("timeout", 5))


def database_fingerprints(connection=None) -> dict[str, dict]:
    """Row count and checksum of every table of the live database, read the way a backup reads them."""
    connection = connection or connections["default"]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = _sqlite_raw(connection)
        try:
            return fingerprints(raw.cursor(), _sqlite_tables(raw))
        finally:
            raw.close()
    with connection.cursor() as cursor:
        return fingerprints(cursor, _pg_tables(cursor))


# --- PostgreSQL ------------------------------------------------------------------------------------------------

def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _pg_backup(connection, path: Path) -> dict:
    pg_dump = _pg_tool("pg_dump")
    args, env = _pg_env(connection.settings_dict)
    tmp = path.with_name(path.name + ".part")
    # One snapshot for the fingerprints and the dump: a REPEATABLE READ transaction exports it, pg_dump uses it.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            done = subprocess.run([pg_dump, *args, "--format=custom", "--no-owner", "--no-privileges",
                                   f"--snapshot={snapshot}", "--file", str(tmp), connection.settings_dict["NAME"]],
                                  env=env, capture_output=True, text=True)
            if done.returncode != 0:
                tmp.unlink(missing_ok=True)
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            tables = fingerprints(cursor, _pg_tables(cursor))
        raw.rollback()
    finally:
        raw.close()
    os.replace(tmp, path)
    return _write_manifest(path, "postgresql", tables)


def _pg_restore(connection, path: Path, manifest: dict) -> dict:
    pg_restore = _pg_tool("pg_restore")
    args, env = _pg_env(connection.settings_dict)
    listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path} is not a readable pg_dump archive: {listing.stderr.strip()}")
    for table in manifest["tables"]:
        if f" {table} " not in listing.stdout:
            raise BackupError(f"the archive lacks table {table} listed in its manifest")
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    connection.close()
    done = subprocess.run([pg_restore, *args, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           "--single-transaction", "--exit-on-error", "--dbname", connection.settings_dict["NAME"],
                           str(path)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (the database is unchanged): {done.stderr.strip()}")
    return database_fingerprints(connection)


# --- entry points ----------------------------------------------------------------------------------------------

def backup(path: Path | str, *, using: str = "default") -> dict:
    """Write the whole database to ``path`` (and its manifest beside it); returns the manifest."""
    connection = connections[using]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        return _sqlite_backup(connection, path)
    if connection.vendor == "postgresql":
        return _pg_backup(connection, path)
    raise BackupError(f"no backup for {connection.vendor}")


def restore(path: Path | str, *, using: str = "default") -> dict:
    """Replace the whole database by the backup at ``path``, then check every table against the manifest.
    Returns the manifest; raises BackupError when the backup is unreadable or the check fails."""
    connection = connections[using]
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    manifest = _read_manifest(path, connection.vendor)
    if connection.vendor == "sqlite":
        actual = _sqlite_restore(connection, path, manifest)
    elif connection.vendor == "postgresql":
        actual = _pg_restore(connection, path, manifest)
    else:
        raise BackupError(f"no restore for {connection.vendor}")
    problems = compare(manifest["tables"], actual)
    if problems:
        raise BackupError("the restored database does not match the backup: " + "; ".join(problems))
    return manifest

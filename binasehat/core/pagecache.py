"""Rendered pages kept until a table they read is written.

Every SQL statement that goes through Django's connection is watched (``connection.execute_wrapper``): a
statement that writes a table (INSERT, UPDATE, DELETE, TRUNCATE — the ORM, ``bulk_create``, ``update()``, the
admin, raw SQL alike) gives that table a new version in the shared cache when its transaction commits (at once
outside a transaction). Rows written with COPY bypass the wrapper: ``core.bulk`` reports them with
``tables_written``. Nothing has to remember to send a signal.

A page marked with ``cached_page`` is rendered once per (user, the user's scope, language, day, path and query
string, htmx target) and kept with the versions of every table its rendering read, as seen by the same watcher,
and of any other cache's version keys it names (the indicator engine's data versions for the dashboard). The same page again is served from
the cache only while each of those tables still has the version it had *before* the page was computed; a write
to any of them makes the next request render afresh. CSRF tokens are put back per request; a page with pending
messages is neither served from nor stored in the cache.
"""

from __future__ import annotations

import base64
import contextvars
import functools
import hashlib
import json
import pickle
import re
import secrets
import time
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

VERSION_PREFIX = "pages:table:"
PAGE_PREFIX = "pages:body:"
#: Seconds a rendered page is kept at most (it is replaced as soon as a table it read is written).
PAGE_SECONDS = 600

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?', re.I)
#: Tables a statement reads: after FROM or JOIN (raw SQL), and every quoted name (the ORM quotes each table it
#: names, in subqueries and comma lists too); names that are not tables are dropped when the page is stored.
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?|"(\w+)"', re.I)
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_HOLE = "\x00csrf\x00"

@functools.cache
def _ignored() -> frozenset:
    """The tables of the cache itself and of sessions: writing them changes no page."""
    tables = {"django_session"}
    location = settings.CACHES.get("default", {}).get("LOCATION")
    if settings.CACHES.get("default", {}).get("BACKEND", "").endswith("DatabaseCache") and location:
        tables.add(location)
    return frozenset(tables)


_recording: contextvars.ContextVar[set | None] = contextvars.ContextVar("pagecache_reads", default=None)


def version_key(table: str) -> str:
    return VERSION_PREFIX + table


_cache_ready = False


def _cache_table_exists() -> bool:
    """Whether the database cache's table exists (not yet while a new database is being migrated: then no page
    was kept either)."""
    global _cache_ready
    if not _cache_ready:
        default = settings.CACHES.get("default", {})
        _cache_ready = (not default.get("BACKEND", "").endswith("DatabaseCache")
                        or default.get("LOCATION") in connection.introspection.table_names())
    return _cache_ready


def bump(tables) -> None:
    """New versions for ``tables`` (with the database cache: one statement, rows in key order, so two writers
    never wait for each other's rows in opposite orders)."""
    renew(version_key(t) for t in tables)


def _upsert(values: dict[str, str], *, replace: bool = True) -> None:
    """Store ``values`` (never expiring) in the database cache's table with one statement. ``cache.set`` takes
    five per key (a count of the whole table, a savepoint, a select, the write, the release): a write touching
    four tables would pay twenty statements for its versions. The rows are what ``DatabaseCache.set`` writes:
    the key as the cache makes it and the value pickled in base64; they are read back with ``cache.get_many``.
    ``replace=False``: keep the rows that exist (``cache.add``)."""
    db_cache, q = caches["default"], connection.ops.quote_name
    expires = connection.ops.adapt_datetimefield_value(datetime.max.replace(microsecond=0))
    rows = []
    for key, value in sorted(values.items()):
        pickled = pickle.dumps(value, db_cache.pickle_protocol)
        rows += [db_cache.make_and_validate_key(key), base64.b64encode(pickled).decode("latin1"), expires]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(db_cache._table)} ({q('cache_key')}, {q('value')}, {q('expires')}) VALUES "
            + ", ".join(["(%s, %s, %s)"] * len(values))
            + f" ON CONFLICT ({q('cache_key')}) "
            + (f"DO UPDATE SET {q('value')} = EXCLUDED.{q('value')}, {q('expires')} = EXCLUDED.{q('expires')}"
               if replace else "DO NOTHING"), rows)


class _Pending:
    """The tables written in one transaction, given new versions when it commits."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self):
        bump(self.tables)


def _outside_transaction(conn) -> bool:
    """No transaction is open (autocommit), or the statement runs inside a test's wrapping transaction, which
    never commits: there the write counts as committed at once."""
    return not conn.in_atomic_block or any(getattr(a, "_from_testcase", False) for a in conn.atomic_blocks)


def tables_written(tables, conn=None) -> None:
    """Mark ``tables`` as written by the current transaction of ``conn`` (the default connection)."""
    conn = conn or connection
    tables = set(tables) - _ignored()
    if not tables:
        return
    if _outside_transaction(conn):
        bump(tables)
        return
    pending = getattr(conn, "_pagecache_pending", None)
    if pending is None or not any(entry[1] is pending for entry in conn.run_on_commit):
        pending = _Pending()  # a new transaction (or the previous one was rolled back with its callbacks)
        conn._pagecache_pending = pending
        conn.on_commit(pending)
    pending.tables |= tables


def _watch(execute, sql, params, many, context):
    reads = _recording.get()
    if reads is not None:
        reads.update((a or b).lower() for a, b in _READ.findall(sql))
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql)
    if written:
        table = written.group(1).lower()
        if table not in _ignored():
            tables_written([table], context["connection"])
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """Watch a new database connection (``connection_created``)."""
    if connection is not None and _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def _on_data_changed(sender, **kwargs) -> None:
    """``data_changed`` / ``records_changed``: the sender's table was written (also when its rows went in with COPY,
    which the statement watcher does not see)."""
    meta = getattr(sender, "_meta", None)
    if meta is not None:
        tables_written([meta.db_table.lower()])


def ready() -> None:
    """Watch every connection from now on, and the one already open."""
    from .events import data_changed, records_changed

    connection_created.connect(install, dispatch_uid="pagecache-watch", weak=False)
    data_changed.connect(_on_data_changed, dispatch_uid="pagecache-data-changed", weak=False)
    records_changed.connect(_on_data_changed, dispatch_uid="pagecache-records-changed", weak=False)
    if connection.connection is not None:
        install(connection=connection)


def _tables() -> list[str]:
    return sorted({m._meta.db_table.lower() for m in apps.get_models(include_auto_created=True)} - _ignored())


def current(keys) -> dict[str, str]:
    """The current value of each version key of the cache; a key without one (never written, or evicted) gets a
    new random version now (kept if another process stored one first)."""
    keys = list(keys)
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        if isinstance(caches["default"], DatabaseCache):
            _upsert({key: secrets.token_hex(8) for key in missing}, replace=False)
        else:
            for key in missing:
                cache.add(key, secrets.token_hex(8), timeout=None)
        found.update(cache.get_many(missing))
    return found


def renew(keys) -> None:
    """New random versions for these cache keys, kept until replaced (with the database cache: one statement in
    the current transaction, rows in key order)."""
    values = {key: secrets.token_hex(8) for key in sorted(set(keys))}
    if not values or not _cache_table_exists():
        return
    if isinstance(caches["default"], DatabaseCache):
        _upsert(values)
    else:
        cache.set_many(values, timeout=None)


def versions(tables) -> dict[str, str]:
    """The current version of each table; a table without one (never written, or evicted) gets one now."""
    keys = {version_key(t): t for t in tables}
    return {keys[k]: v for k, v in current(keys).items()}


class recording:
    """Collect the tables read by the statements run inside the block (``with recording() as tables``)."""

    def __enter__(self) -> set:
        self.tables: set[str] = set()
        self.token = _recording.set(self.tables)
        return self.tables

    def __exit__(self, *exc):
        _recording.reset(self.token)
        return False


def _scope_fingerprint(request) -> list:
    scope = getattr(request, "scope", None)
    if scope is None:
        return []
    out = []
    for name in ("role", "everything", "posyandu_ids", "puskesmas_ids", "permissions"):
        value = getattr(scope, name, None)
        out.append(sorted(value) if isinstance(value, (set, frozenset, list, tuple)) else value)
    top = getattr(scope, "top_codes", None)
    out.append(sorted(top()) if callable(top) else None)
    return out


def page_key(request) -> str:
    spec = json.dumps([request.user.pk, _scope_fingerprint(request), get_language(), str(timezone.localdate()),
                       request.get_full_path(), request.headers.get("HX-Request"),
                       request.headers.get("HX-Target"), request.headers.get("HX-Trigger")],
                      default=str, sort_keys=True)
    return PAGE_PREFIX + hashlib.sha256(spec.encode()).hexdigest()


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(getattr(storage, "_queued_messages", None)) or bool(getattr(storage, "_loaded_messages", None))


def _storable(response) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and {k.lower() for k in response.headers} <= {"content-type"}
            and response.headers.get("Content-Type", "").startswith("text/html"))


class _Recent:
    """The pages this process served last, in front of the shared cache: a hit then costs one query (the
    versions of the page's tables, checked every time as for a page from the shared cache) instead of two and
    the transfer of the page's text. Entries older than ``PAGE_SECONDS`` are not used."""

    def __init__(self, size: int = 256):
        import threading
        from collections import OrderedDict

        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None or time.monotonic() - found[0] > PAGE_SECONDS:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key, entry) -> None:
        with self.lock:
            if key in self.entries and self.entries[key][1] is entry:
                self.entries.move_to_end(key)
                return
            self.entries[key] = (time.monotonic(), entry)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_local = _Recent()


def cached_page(view=None, *, extra_keys=None, covered: tuple[str, ...] = ()):
    """Serve a GET page from the cache while nothing it read has been written (see the module's text).
    ``extra_keys(request) -> list``: version keys of another cache the page reads through (e.g. the indicator
    engine's data versions), checked with the tables' versions in the same look-up, as they were before the page
    was computed; ``covered``: tables whose meaning for this page those versions already stand for (they are not followed one
    by one). A view can refuse to have one response kept by setting ``response.page_cache = False`` (e.g. while
    it shows a passing state)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if (request.method != "GET" or not request.user.is_authenticated or _has_messages(request)
                    or not getattr(settings, "PAGE_CACHE", True)):
                return view(request, *args, **kwargs)
            key = page_key(request)
            entry = _local.get(key)
            if entry is None:
                entry = cache.get(key)
            if entry is not None:
                wanted = {version_key(t): v for t, v in entry["tables"].items()} | entry.get("keys", {})
                if current(wanted) == wanted:
                    _local.put(key, entry)
                    response = HttpResponse(entry["body"].replace(_CSRF_HOLE, _csrf_token(request)),
                                            content_type=entry["type"])
                    response.from_page_cache = True
                    return response
            own, every = (list(extra_keys(request)) if extra_keys else []), _tables()
            found = current([version_key(t) for t in every] + own)
            before = {t: found[version_key(t)] for t in every}
            with recording() as read:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            if _storable(response) and not _has_messages(request) and getattr(response, "page_cache", True):
                body = _CSRF.sub(lambda m: m.group(1) + _CSRF_HOLE + m.group(2), response.content.decode())
                tables = {t: before[t] for t in read if t in before and t not in covered}
                entry = {"tables": tables, "keys": {k: found[k] for k in own}, "body": body,
                         "type": response.headers["Content-Type"]}
                cache.set(key, entry, PAGE_SECONDS)
                _local.put(key, entry)
            return response

        wrapped.page_cached = True
        return wrapped

    return decorate(view) if view is not None else decorate


def _csrf_token(request) -> str:
    from django.middleware.csrf import get_token

    return get_token(request)

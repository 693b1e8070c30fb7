"""Real concurrency in tests: threads, each with its own database connection, writing committed data.

``live_db`` lets a test (and the threads it starts) use the test database outside the per-test transaction, so
that what one thread commits another sees, as two web workers would. On SQLite the in-memory test database
(shared cache: table locks without waiting) is first copied to a file in WAL mode, as the embedded default runs;
the copy is dropped afterwards, so nothing a test writes there stays. On PostgreSQL the writes are real and
committed: the test removes what it created (``cleanup``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections


def run_at_once(functions: list[Callable[[], object]], timeout: float = 120) -> list[object]:
    """Run every function in its own thread, released together; their results (or the exception raised)."""
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # reported to the test, which decides
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a writer hung (deadlock or lock wait)"
    return results


@pytest.fixture
def live_db(django_db_setup, django_db_blocker, tmp_path):
    """The demo database, committed writes, usable from threads. Yields a list: append cleanup callables."""
    from django.core.management import call_command

    from binasehat.core.models import Flag

    cleanups: list[Callable[[], None]] = []
    settings_dict = connection.settings_dict
    original_name = settings_dict["NAME"]
    with django_db_blocker.unblock():
        connection.ensure_connection()
        memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        saved = connection.connection
        if memory:
            import sqlite3

            path = tmp_path / "live.sqlite3"
            target = sqlite3.connect(path)
            saved.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            target.close()
            settings_dict["NAME"] = str(path)
            connection.connection = None
            connection.ensure_connection()
        if not Flag.objects.filter(name="demo").exists():
            call_command("demo", stdout=open("/dev/null", "w"))
        try:
            yield cleanups
        finally:
            try:
                if not memory:
                    for cleanup in reversed(cleanups):
                        cleanup()
            finally:
                if memory:
                    connection.close()
                    settings_dict["NAME"] = original_name
                    connection.connection = saved

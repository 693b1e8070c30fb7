"""Fixtures shared by every test: the demo district is loaded once per test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"
DEMO_PASSWORD = "bina-sehat-demo"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", stdout=open("/dev/null", "w"))


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    """Each test starts without what this process kept in memory from earlier tests (pages served last, element
    kinds): their database rows were rolled back, so the memory must go too."""
    from binasehat.core import pagecache
    from binasehat.indicators import engine

    pagecache._local.entries.clear()
    engine.forget_kinds()
    yield


@pytest.fixture
def demo(db):
    """The demo district (loaded once per session; rebuilt if a transactional test flushed it)."""
    from binasehat.core.models import Flag

    if not Flag.objects.filter(name="demo").exists():
        call_command("demo", stdout=open("/dev/null", "w"))
    return True


@pytest.fixture
def make_user(db):
    from binasehat.accounts.models import User

    def make(username, role, *, areas=(), posyandu=(), puskesmas=(), **extra):
        user = User.objects.create_user(username=username, password="Rahasia-Sekali-2025", role=role, **extra)
        if areas:
            user.areas.set(areas)
        if posyandu:
            user.posyandu.set(posyandu)
        if puskesmas:
            user.puskesmas.set(puskesmas)
        return user

    return make


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user (or demo username)."""
    from binasehat.accounts.models import User

    def login(user):
        if isinstance(user, str):
            user = User.objects.get(username=user)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def shared_data():
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not beside this checkout")
    return SHARED_DATA


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def import_data(db):
    """Run `manage.py import_data ARGS` in-process; returns (exit code, stdout, stderr)."""
    import io

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_data", *args, stdout=out, stderr=err)
            code = 0
        except SystemExit as exc:
            code = exc.code
        return code, out.getvalue(), err.getvalue()

    return run

"""Fixtures for the browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's
``live_server``, with the demo district loaded into the live server's (transactional) test database.

Never ``playwright install``: the tests use the system Chromium at /usr/bin/chromium. When it is missing the
tests are skipped, unless ``BINASEHAT_REQUIRE_BROWSER=1`` (CI), then they fail.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "bina-sehat-demo"
#: Screenshots for a human to look at (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000


def _browser_required() -> bool:
    return os.environ.get("BINASEHAT_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "ya", "on"}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run browser tests"
        if _browser_required():
            pytest.fail(f"BINASEHAT_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev dependency group installs it
        if _browser_required():
            pytest.fail(f"playwright is not importable: {exc}", pytrace=False)
        pytest.skip(f"playwright is not importable: {exc}")

    # Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls from a thread with a
    # running loop unless told otherwise. `make test` sets this; set it here too for a bare `pytest tests/browser`.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _browser_first(browser):
    """Skip (or fail) on a missing Chromium before the slower fixtures, such as ``demo``, do any work."""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the item, so that ``new_page`` can screenshot a failing test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def demo(transactional_db, live_server):
    """The demo district (Kabupaten Bangka Selatan, 122 posyandu, one user per role) in the live server's database.

    ``live_server`` runs on the transactional test database, so the data must be committed, not wrapped in the
    per-test transaction of ``db``; pytest-django empties the tables again after each test.
    """
    out = io.StringIO()
    call_command("demo", "--without-individuals", stdout=out)
    return out.getvalue()


@pytest.fixture
def new_page(browser, live_server, artifacts_dir, request):
    """A factory of pages, each in its own browser context (own cookies) with relative URLs on the live server.

    ``new_page()`` gives a desktop page (1280x900), ``new_page(phone=True)`` a phone (390x844, touch). Uncaught JavaScript
    errors fail the test; a failing test leaves a screenshot of each of its pages in test-artifacts/.
    """
    contexts = []

    def make(phone: bool = False, **options):
        viewport = PHONE if phone else DESKTOP
        if phone:
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
            options.setdefault("device_scale_factor", 2)
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="id-ID",
            extra_http_headers={"Accept-Language": "id-ID,id;q=0.9"}, **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc, page=page: page.js_errors.append(str(exc)))
        contexts.append((context, page))
        return page

    yield make

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    errors = []
    for i, (context, page) in enumerate(contexts):
        if failed:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            try:
                page.screenshot(path=str(artifacts_dir / f"FAILED-{name}-{i}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a screenshot must not hide the real failure
                pass
        errors += page.js_errors
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x900) on the live server."""
    return new_page()


@pytest.fixture
def login():
    """``login(page, username, password=DEMO_PASSWORD)``: sign in through the real login form.

    Returns the response of the page the form lands on. With the right password the user ends up away from
    the login page; with a wrong one it stays there (the caller checks the message).
    """

    def do_login(page, username: str, password: str = DEMO_PASSWORD, *, expect_success: bool = True):
        page.goto("/akun/masuk/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation() as navigation:
            page.click("main form button[type=submit]")
        response = navigation.value
        if expect_success:
            assert "/akun/masuk/" not in page.url, f"login as {username!r} failed: still on {page.url}"
            assert response is not None and response.status == 200, f"login as {username!r}: {response.status}"
        return response

    return do_login

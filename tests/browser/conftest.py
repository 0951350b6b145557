"""A live registry (own SQLite file, the demo city with its reviews, CSRF on) and a headless
Debian Chromium."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from registry import create_app
from registry.demo import load_demo
from registry.extensions import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(config, items):
    if shutil.which("chromium"):
        return
    if os.environ.get("REGISTRY_REQUIRE_BROWSER"):
        raise pytest.UsageError("REGISTRY_REQUIRE_BROWSER is set but Debian's chromium is missing")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The live registry's app, for tests that look up demo records to visit."""
    path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test-secret-key",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "CITY_NAME": "City of Riverton",
            # No background threads: they would outlive the browser tests and, in the tests
            # after them, share the session the harness swaps in (tests/conftest.py).
            "HOUSEKEEPING_THREAD": False,
            "MAIL_BACKGROUND_SENDER": False,
            # Background exports run in the request that asks for them (no thread either).
            "JOBS_RUNNER": "inline",
            "EXPORT_JOBS_DIR": str(path.parent / "exports"),
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source():
    """axe-core from the npm registry (scripts/test runs `npm ci`)."""
    if not AXE.exists():
        if os.environ.get("REGISTRY_REQUIRE_BROWSER"):
            pytest.fail("axe-core is missing: run `npm ci` (scripts/test does)")
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE.read_text()


@pytest.fixture
def axe(axe_source):
    """Runs axe-core on a page; returns its serious and critical violations as
    (rule, impact, first elements) tuples."""

    def _check(page):
        # Evaluated through the browser's debugging protocol: the pages' CSP forbids inline
        # scripts, so axe cannot be added as a <script> tag.
        page.evaluate(axe_source)
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"
        )
        return [tuple(v) for v in violations if v[1] in ("serious", "critical")]

    return _check


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Saves a full-page screenshot when REGISTRY_SCREENSHOT_DIR is set, for people to look at."""
    folder = os.environ.get("REGISTRY_SCREENSHOT_DIR")

    def _take(name, target=None):
        if folder:
            os.makedirs(folder, exist_ok=True)
            (target or page).screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)

    return _take


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test leaves a screenshot of where it was, in REGISTRY_SCREENSHOT_DIR
    (or the pytest temporary folder), and says where."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or page is None:
        return
    folder = os.environ.get("REGISTRY_SCREENSHOT_DIR") or str(
        item.config._tmp_path_factory.getbasetemp()
    )
    path = os.path.join(folder, f"failed-{item.name}.png".replace("/", "_"))
    try:
        page.screenshot(path=path, full_page=True)
        report.sections.append(("screenshot", f"saved {path}"))
    except Exception as exc:  # a closed page: the failure itself is what matters
        report.sections.append(("screenshot", f"none: {exc}"))

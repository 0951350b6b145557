"""A live registry (own SQLite file, the demo city with its reviews, CSRF on) and a headless
Debian Chromium."""

import os
import shutil
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from registry import create_app, demo_review
from registry.demo import load_demo_city, load_demo_datasets
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
def live_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test-secret-key",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    with app.app_context():
        upgrade()
        load_demo_city()
        demo_review.advance(load_demo_datasets())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


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

"""A coordinator asks for the full inventory, which is large here: the page offers to prepare
it, the job's page offers the file when it is ready, and the downloads page lists it. In a real
browser, at desktop and phone widths, with axe's serious and critical findings none."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser


@pytest.fixture
def large(live_app):
    """Any export of more than 50 datasets is large for this test (the demo holds ~200)."""
    before = live_app.config["EXPORT_BACKGROUND_ROWS"]
    live_app.config["EXPORT_BACKGROUND_ROWS"] = 50
    yield
    live_app.config["EXPORT_BACKGROUND_ROWS"] = before


@pytest.mark.parametrize("width", [1280, 390])
def test_a_large_export_is_prepared_and_offered(
    browser, live_server, large, axe, screenshot, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    sign_in_by_keyboard(page, live_server, "coordinator@riverton.example", "open-data-lead-2026")
    page.goto(f"{live_server}/exports")
    page.get_by_label("The full inventory").check()
    page.get_by_role("button", name="CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This file is large: the registry will prepare it for you"
    )
    assert axe(page) == []
    screenshot(f"export-prepare-{width}", page)
    page.get_by_role("button", name="Prepare the file").click()
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    link = page.get_by_role("link", name="Download inventory-full")
    expect(link).to_be_visible()
    assert axe(page) == []
    screenshot(f"export-ready-{width}", page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("inventory-full-")
    page.goto(f"{live_server}/exports")
    listed = page.get_by_role("region", name="Files prepared for you")
    expect(listed.get_by_role("cell", name="Ready to download").first).to_be_visible()
    screenshot(f"export-list-{width}", page)
    context.close()

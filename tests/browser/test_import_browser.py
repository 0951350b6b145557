"""A coordinator moves a department's own spreadsheet in, as a new user would: the preview says
how each column is read and what each unknown value means, they change it there and read the
file again, then import; the preview and the themes page pass axe on a laptop and a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser

SHEET = (
    "Dataset Name,Agency,Department Priority,Sensitivity,Refresh,Internal code\n"
    "Snow Plow Routes,PW,Tier A,Open,Weekly,SP-1\n"
    "Salt Barn Inventory,PW,Tier B,Staff Only,Monthly,SB-2\n"
)


def upload(page, live_server, tmp_path, label: str):
    source = tmp_path / f"plows-{label}.csv"
    source.write_text(SHEET.replace("Snow Plow", f"Snow Plow {label}").replace("Salt", label))
    page.goto(f"{live_server}/imports")
    page.get_by_label(re.compile("^Spreadsheet")).set_input_files(str(source))
    page.get_by_role("button", name="Check the file").click()


def test_a_coordinator_decides_in_the_preview_and_imports(
    browser, live_server, axe, tmp_path, screenshot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_by_keyboard(page, live_server, "coordinator@riverton.example", "open-data-lead-2026")
    upload(page, live_server, tmp_path, "laptop")
    # "Staff Only" is no level the registry knows: its row waits for a choice.
    expect(page.get_by_role("heading", name="Values the registry does not know")).to_be_visible()
    assert axe(page) == []
    screenshot("import-preview", page)
    page.get_by_label("Internal code").select_option("ignore")
    page.get_by_label(re.compile("Sensitivity classification: “Staff Only”")).select_option(
        "internal"
    )
    page.get_by_label(re.compile("release priority: “Tier A”")).select_option("high")
    page.get_by_role("button", name="Read the file again with these choices").click()

    expect(page.get_by_text("2 new drafts registered")).to_be_visible()
    expect(page.get_by_label("Internal code")).to_have_value("ignore")
    assert axe(page) == []
    page.get_by_role("button", name=re.compile("^Import 2 rows")).click()
    expect(page.get_by_role("alert")).to_contain_text("created")

    page.goto(f"{live_server}/admin/themes")
    expect(page.get_by_role("heading", name="The city's themes")).to_be_visible()
    assert axe(page) == []
    context.close()


def test_on_a_phone_the_next_file_is_read_as_the_last_one_was(
    browser, live_server, axe, tmp_path, screenshot
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_by_keyboard(page, live_server, "coordinator@riverton.example", "open-data-lead-2026")
    upload(page, live_server, tmp_path, "phone")
    expect(page.get_by_text("Read as your department's last import was")).to_be_visible()
    expect(page.get_by_label("Internal code")).to_have_value("ignore")
    expect(page.get_by_text("2 new drafts registered")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the preview is {width} px wide on a 390 px phone"
    assert axe(page) == []
    screenshot("import-preview-phone", page)
    context.close()


def test_a_large_file_is_checked_and_imported_in_the_background(
    browser, live_app, live_server, axe, tmp_path, screenshot
):
    live_app.config["IMPORT_INLINE_BYTES"] = 100  # this file counts as large
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in_by_keyboard(
            page, live_server, "coordinator@riverton.example", "open-data-lead-2026"
        )
        upload(page, live_server, tmp_path, "large")
        expect(page).to_have_url(re.compile(r"/imports/jobs/\d+$"))
        expect(page.get_by_text("2 new drafts registered")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Import 2 rows")).click()
        expect(page.get_by_role("heading", name="Imported")).to_be_visible()
        expect(page.get_by_text("2 created")).to_be_visible()
        assert axe(page) == []
        screenshot("import-job-done", page)
        context.close()
    finally:
        live_app.config["IMPORT_INLINE_BYTES"] = 2 * 1024 * 1024

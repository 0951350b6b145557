"""/performance in a real browser: a visitor on a laptop and on a phone reads each priority's
measures against their targets, with charts labelled for screen readers and their figures in
tables (axe finds nothing serious, nothing runs off a phone); a steward reports a month's value
from the keyboard and corrects it with a reason."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_visitor_reads_the_citys_measures(browser, live_server, axe, width, screenshot):
    wide, high = WIDTHS[width]
    context = browser.new_context(viewport={"width": wide, "height": high})
    page = context.new_page()
    page.goto(f"{live_server}/")
    if width == "phone":
        page.get_by_role("button", name="Show navigation").click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Priorities").click()
    nav.get_by_role("link", name="City performance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How the city is doing on its priorities"
    )
    for priority in ("Safe neighbourhoods", "Environmental and physical assets"):
        expect(page.get_by_role("heading", name=priority, level=2)).to_be_visible()
    chart = page.get_by_role("img", name="Fire and EMS calls answered within 8 minutes: the last")
    expect(chart).to_be_visible()
    expect(page.get_by_text("From 3 non-public datasets.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Patient Care Reports")
    page.get_by_text("The values as a table").first.click()
    expect(
        page.get_by_role("table", name="Fire and EMS calls answered within 8 minutes: each period")
    ).to_be_visible()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(f"performance-{width}", page)
    context.close()


def test_a_steward_reports_and_corrects_a_value_from_the_keyboard(page, live_server, screenshot):
    sign_in_by_keyboard(page, live_server, "steward.pw@riverton.example", "department-data-2026")
    page.goto(f"{live_server}/performance")
    page.get_by_role("link", name="Recycling contamination rate").click()
    page.get_by_role("textbox", name="Period").focus()
    page.keyboard.type("2020-01")
    page.keyboard.press("Tab")
    page.keyboard.type("16.2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("Reported: January 2020, 16.2 %.")
    page.get_by_role("textbox", name="Period").fill("January 2020")
    page.get_by_label("Value (%)").fill("15.9")
    page.get_by_role("button", name="Report the value").click()
    expect(page.locator("#reason-error")).to_contain_text("already has a value (16.2")
    page.get_by_label("Reason for a correction").fill("The January audit was re-weighed.")
    page.get_by_role("button", name="Report the value").click()
    expect(page.get_by_role("alert").first).to_contain_text("Corrected: January 2020, 15.9 %.")
    expect(page.get_by_role("heading", name="Values since corrected")).to_be_visible()
    screenshot("measure-corrected", page)

"""What a new user tripped over, walked again in a real browser: a steward on a phone registers
a dataset in words (an update frequency from a list, a time period as dates), learns what is
missing before submitting, and finds the filters before the results."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_steward_on_a_phone_registers_a_dataset_in_words(phone, live_server, screenshot):
    sign_in_by_keyboard(phone, live_server, "steward.lib@riverton.example", "department-data-2026")
    phone.get_by_role("link", name="Register a dataset").click()
    phone.get_by_role("textbox", name="Title", exact=True).fill("Library Card Sign-ups")
    phone.get_by_label("1 · Public: may be released as is").check()
    phone.get_by_label("Update frequency").select_option(label="Monthly")
    phone.get_by_label("From").fill("2020-01-01")
    phone.get_by_label("Ongoing").check()
    screenshot("phone-register", target=phone)
    phone.get_by_role("button", name="Register as draft").click()

    expect(phone.get_by_role("alert").first).to_contain_text("is registered as lib-")
    expect(phone.get_by_text("from 1 January 2020, ongoing")).to_be_visible()
    expect(phone.locator("dd", has_text="Monthly")).to_be_visible()
    missing = phone.locator("#missing")
    expect(missing).to_contain_text("Before it can be submitted for review")
    expect(missing).to_contain_text("keywords")
    screenshot("phone-record-missing", target=phone)


def test_a_period_that_ends_before_it_starts_is_explained_by_its_label(phone, live_server):
    sign_in_by_keyboard(phone, live_server, "steward.lib@riverton.example", "department-data-2026")
    phone.goto(f"{live_server}/datasets/new")
    phone.get_by_role("textbox", name="Title", exact=True).fill("Branch Visits")
    phone.get_by_label("1 · Public: may be released as is").check()
    phone.get_by_label("From").fill("2024-01-01")
    phone.get_by_label("To", exact=True).fill("2020-01-01")
    phone.get_by_role("button", name="Register as draft").click()

    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Time period: The period ends before it starts.")


def test_on_a_phone_the_filters_come_before_the_results(phone, live_server, screenshot):
    sign_in_by_keyboard(phone, live_server, "steward.lib@riverton.example", "department-data-2026")
    phone.goto(f"{live_server}/datasets")
    toggle = phone.get_by_role("button", name=re.compile("^Filters"))
    first_result = phone.locator("main .list-group-item").first
    assert toggle.bounding_box()["y"] < first_result.bounding_box()["y"]
    refine = phone.get_by_role("complementary", name="Refine results")
    expect(refine.get_by_role("link", name=re.compile("^Published"))).to_be_hidden()
    toggle.click()
    expect(refine.get_by_role("link", name=re.compile("^Published"))).to_be_visible()
    screenshot("phone-filters-open", target=phone)


def test_wide_tables_scroll_inside_their_own_box_on_a_phone(phone, live_server):
    sign_in_by_keyboard(phone, live_server, "auditor@riverton.example", "check-everything-2026")
    phone.goto(f"{live_server}/audit")
    page_width = phone.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390

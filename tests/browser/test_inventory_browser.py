"""A steward registers, finds and edits a dataset in a real browser; a phone reads the list."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser


def test_steward_registers_finds_and_edits_a_dataset(page, live_server, screenshot):
    sign_in_by_keyboard(page, live_server, "steward.pr@riverton.example", "department-data-2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Datasets").click()
    page.get_by_role("link", name="Register a dataset").click()
    page.get_by_role("textbox", name="Title", exact=True).fill("Splash Pad Water Usage")
    page.get_by_label("Keywords").fill("splash pads, water, summer")
    page.get_by_label("1 · Public: may be released as is").check()
    page.get_by_role("button", name="Register as draft").click()
    expect(page.get_by_role("alert")).to_contain_text("is registered as pr-")
    expect(page.get_by_role("heading", name="Splash Pad Water Usage")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Datasets").click()
    page.get_by_label("Search titles, descriptions and keywords").fill("splash")
    page.get_by_label("Search titles, descriptions and keywords").press("Enter")
    expect(page.get_by_text("1 dataset matching “splash”")).to_be_visible()
    screenshot("inventory-search")
    page.get_by_role("link", name="Splash Pad Water Usage").click()

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Approximate records").fill("1200")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved.")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name=re.compile("Version 2"))).to_be_visible()
    expect(page.get_by_role("cell", name="1200")).to_be_visible()
    screenshot("inventory-history")


def test_facets_narrow_the_list(page, live_server):
    sign_in_by_keyboard(page, live_server, "stakeholder@riverton.example", "community-voice-2026")
    page.goto(f"{live_server}/datasets")
    refine = page.get_by_role("complementary", name="Refine results")
    refine.get_by_role("link", name=re.compile("^Public Health")).click()
    expect(page).to_have_url(re.compile(r"department=HD"))
    expect(page.get_by_text(re.compile(r"restricted datasets? in Public Health"))).to_be_visible()

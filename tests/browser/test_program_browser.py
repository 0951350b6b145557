"""A stakeholder votes in the open round from the keyboard; a visitor asks for data and follows
the request; the release queue explains a place. In a real browser, at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser


def test_a_stakeholder_votes_from_the_keyboard(page, live_server, screenshot):
    sign_in_by_keyboard(
        page, live_server, "stakeholder.youth@riverton.example", "community-voice-2026"
    )
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    page.get_by_role("link", name="Autumn release priorities").click()
    budget = page.locator("#budget")
    expect(budget).to_contain_text("You have 10 of your 10 votes left.")
    give = page.get_by_role("button", name=re.compile(r"^Give .* a vote$")).first
    give.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("Saved. You have 9 votes left.")
    expect(page.locator("#budget")).to_contain_text("You have 9 of your 10 votes left.")
    screenshot("round-voting")


def test_a_visitor_asks_for_data_and_sees_it_on_the_board(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/requests")
    page.get_by_role("link", name="Ask for data").click()
    page.get_by_label("What data?").fill("Public toilet locations")
    page.get_by_label("Describe it").fill("Where the city's public toilets are, and their hours.")
    page.get_by_label("Your email address").fill("visitor@mail.example")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert").first).to_contain_text("your request is received")
    expect(page.get_by_role("heading", name="Public toilet locations")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("visitor@mail.example")
    screenshot("request-made-phone", page)
    context.close()


def test_the_queue_says_why_a_dataset_stands_where_it_does(page, live_server, screenshot):
    page.goto(f"{live_server}/queue")
    first = page.locator("ol > li").first
    first.get_by_text("Why here").click()
    expect(first.get_by_role("cell", name="Stakeholder votes")).to_be_visible()
    screenshot("queue-why-here")

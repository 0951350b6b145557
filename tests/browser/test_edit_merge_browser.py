"""Two people edit one record at once, each in their own browser session: a save applies only
what its author changed, and a clash on one field is decided by the person, field by field."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser

STEWARD = ("steward.pr@riverton.example", "department-data-2026")
COORDINATOR = ("coordinator@riverton.example", "open-data-lead-2026")


@pytest.fixture
def two_people(browser, live_server):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    sign_in_by_keyboard(pages[0], live_server, *STEWARD)
    sign_in_by_keyboard(pages[1], live_server, *COORDINATOR)
    yield pages
    for context in contexts:
        context.close()


def register(page, live_server, title):
    page.goto(f"{live_server}/datasets/new")
    page.get_by_role("textbox", name="Title", exact=True).fill(title)
    page.get_by_label("Keywords").fill("pools")
    page.get_by_label("1 · Public: may be released as is").check()
    page.get_by_role("button", name="Register as draft").click()
    expect(page.get_by_role("alert")).to_contain_text("is registered as pr-")
    return page.url


def test_a_save_keeps_a_colleagues_change_to_another_field(two_people, live_server):
    steward, coordinator = two_people
    url = register(steward, live_server, "Pool Attendance")
    steward.goto(f"{url}/edit")
    coordinator.goto(f"{url}/edit")

    coordinator.get_by_role("textbox", name="Title", exact=True).fill("Public Pool Attendance")
    coordinator.get_by_role("button", name="Save changes").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Saved.")
    steward.get_by_label("Description").fill("Swimmers counted at each pool, daily.")
    steward.get_by_role("button", name="Save changes").click()

    expect(steward.get_by_role("alert")).to_contain_text("Someone else changed title")
    expect(steward.get_by_role("heading", name="Public Pool Attendance")).to_be_visible()
    expect(steward.get_by_text("Swimmers counted at each pool, daily.")).to_be_visible()


def test_a_clash_on_the_title_is_chosen_by_the_person(two_people, live_server, axe):
    steward, coordinator = two_people
    url = register(steward, live_server, "Library Visits")
    steward.goto(f"{url}/edit")
    coordinator.goto(f"{url}/edit")

    coordinator.get_by_role("textbox", name="Title", exact=True).fill("Library Branch Visits")
    coordinator.get_by_role("button", name="Save changes").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Saved.")
    steward.get_by_role("textbox", name="Title", exact=True).fill("Visits to Libraries")
    steward.get_by_label("Area covered").fill("Every branch")
    steward.get_by_role("button", name="Save changes").click()

    expect(steward.get_by_role("alert")).to_contain_text("Nothing is saved yet")
    choice = steward.get_by_role("group", name=re.compile("Title: which value"))
    expect(choice).to_contain_text("Library Branch Visits")
    expect(choice).to_contain_text("Visits to Libraries")
    assert axe(steward) == []
    choice.get_by_label(re.compile("Keep the saved value")).check()
    steward.get_by_role("button", name="Save changes").click()

    expect(steward.get_by_role("alert")).to_contain_text("Saved")
    expect(steward.get_by_role("heading", name="Library Branch Visits")).to_be_visible()
    expect(steward.get_by_text("Every branch")).to_be_visible()

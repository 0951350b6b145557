"""A steward proposes a change to a published dataset, and a committee member votes on it, in a
real browser: the record stays published as it stands while the committee decides."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser


def _published_without_a_rereview(page, live_server) -> str:
    """The edit page of one of Public Works' published datasets with no re-review open."""
    page.goto(f"{live_server}/datasets?department=PW&status=published&per_page=100")
    links = page.locator("main a[href^='/datasets/pw-']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    for href in dict.fromkeys(links):
        page.goto(f"{live_server}{href}/edit")
        if page.locator("#governance-note.alert-info").count():
            return href
    raise AssertionError("the demo city has no published Public Works dataset to re-review")


def test_a_proposed_change_goes_to_the_committee_while_the_record_stays_published(
    browser, live_server, screenshot
):
    steward = browser.new_page()
    sign_in_by_keyboard(steward, live_server, "steward.pw@riverton.example", "department-data-2026")
    href = _published_without_a_rereview(steward, live_server)
    expect(steward.locator("#governance-note")).to_contain_text("opens a re-review")
    steward.get_by_label("Contains personal information").check()
    steward.get_by_label("Names", exact=True).check()
    steward.get_by_role("button", name="Save changes").click()
    expect(steward.get_by_role("alert")).to_contain_text("before the committee in review round")
    expect(steward.get_by_role("heading", name=re.compile("^Re-review open"))).to_be_visible()
    expect(steward.get_by_text("Status: Published")).to_be_visible()
    screenshot("rereview-proposed", steward)

    member = browser.new_page()
    sign_in_by_keyboard(
        member, live_server, "committee.privacy@riverton.example", "governance-vote-2026"
    )
    member.goto(f"{live_server}/work")
    queue = member.get_by_role("region", name=re.compile("Awaiting your vote"))
    expect(queue.locator(f"a[href^='{href}']")).to_be_visible()
    queue.locator(f"a[href^='{href}']").click()
    member.get_by_role("link", name="Vote").click()
    expect(member.get_by_role("table")).to_contain_text("Names")
    member.get_by_label("Approve").check()
    member.get_by_label("Rationale").fill("Names are in it; the record should say so.")
    member.get_by_role("button", name="Record my vote").click()
    expect(member.get_by_role("alert")).to_contain_text("Your vote is recorded")
    expect(member.get_by_text("Sofia Novak: approve")).to_be_visible()
    screenshot("rereview-voted", member)
    steward.close()
    member.close()

"""The public face in a real browser, at phone and desktop widths: the front door leads to the
catalog and a dataset, the dashboard's charts draw and their tables say what the stats API
says, and the report, inventory and meetings read well on a phone."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(params=list(WIDTHS))
def visitor(request, browser):
    context = browser.new_context(
        viewport=WIDTHS[request.param], is_mobile=request.param == "phone"
    )
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def test_a_resident_searches_from_the_front_door_and_downloads(visitor, live_server, screenshot):
    visitor.goto(live_server)
    screenshot(f"home-{visitor.width_name}", visitor)
    visitor.get_by_label("Search the released datasets").fill("inspections")
    visitor.keyboard.press("Enter")
    expect(visitor).to_have_url(re.compile(r"/catalog\?q=inspections"))
    visitor.locator("main li h2 a").first.click()
    expect(visitor.get_by_role("heading", name="Download")).to_be_visible()
    expect(visitor.get_by_role("link", name=re.compile("^Download")).first).to_be_visible()
    screenshot(f"catalog-dataset-{visitor.width_name}", visitor)


def test_every_chart_draws_and_its_table_matches_the_stats_api(visitor, live_server, screenshot):
    visitor.goto(f"{live_server}/dashboard")
    charts = visitor.locator("svg[role=img]")
    expect(charts).to_have_count(8)
    for index in range(8):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50
    screenshot(f"dashboard-{visitor.width_name}", visitor)
    for name in (
        "inventory",
        "funnel",
        "timeliness",
        "releases",
        "requests",
        "scorecard",
        "measures",
    ):
        table = visitor.locator(f'table[data-figure="{name}"]')
        shown = table.evaluate(
            "t => [...t.tBodies[0].rows].map(r => [r.cells[0].textContent.trim(),"
            " ...[...r.cells].slice(1).map(c => c.dataset.value)])"
        )
        api = visitor.request.get(f"{live_server}/api/v1/stats/{name}").json()
        expected = [
            [row[0], *("" if value is None else str(value) for value in row[1:])]
            for row in api["rows"]
        ]
        assert shown == expected, name


def test_the_dashboard_as_of_a_past_day(visitor, live_server):
    visitor.goto(f"{live_server}/dashboard")
    visitor.get_by_label("As of the end of").fill("2025-06-30")
    visitor.get_by_role("button", name="Show", exact=True).click()
    expect(visitor.locator("main")).to_contain_text(
        "As the registry stood at the end of 30 June 2025"
    )


@pytest.mark.parametrize("path", ["/report", "/inventory", "/committee/meetings"])
def test_public_pages_fit_a_phone(browser, live_server, screenshot, path):
    context = browser.new_context(viewport=WIDTHS["phone"], is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(f"phone-{path.strip('/').replace('/', '-')}", page)
    context.close()
    assert overflow <= 0

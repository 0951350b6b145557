"""Signing in with the city's account in a real browser, at a laptop's width and a phone's: the
coordinator sets it up on its page, then a steward signs in at the city's provider (a real
OpenID Connect provider: tests/accounts/city_provider.py) and comes back signed in."""

import pytest
from playwright.sync_api import expect

from registry.accounts.city_settings import provider_settings
from registry.extensions import db
from tests.accounts.city_provider import ACCOUNTS, CLIENT_SECRET, start_provider
from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def provider(live_server):
    city = start_provider(live_server)
    yield city
    city.stop()


@pytest.fixture
def switched_off_afterwards(live_app):
    """The live registry is shared by every browser test: city sign-in goes off again."""
    yield
    with live_app.app_context():
        settings = provider_settings()
        if settings is not None:
            settings.enabled = False
            db.session.commit()


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_steward_signs_in_with_the_city_account_the_coordinator_set_up(
    browser, live_server, provider, axe, width, screenshot, switched_off_afterwards
):
    size = WIDTHS[width]
    viewport = {"width": size[0], "height": size[1]}
    coordinator = browser.new_context(viewport=viewport, bypass_csp=True).new_page()
    sign_in_by_keyboard(
        coordinator, live_server, "coordinator@riverton.example", "open-data-lead-2026"
    )
    coordinator.goto(f"{live_server}/admin/city-sign-in")
    expect(coordinator.get_by_label("Return address to register at the provider")).to_have_value(
        f"{live_server}/sign-in/city/return"
    )
    coordinator.get_by_label("Offer “Sign in with your city account” on the sign-in page").check()
    coordinator.get_by_label("Button name").fill("City of Riverton account")
    coordinator.get_by_label("Provider address (issuer)").fill(provider.issuer)
    coordinator.get_by_label("Client ID").fill("city-data-registry")
    if coordinator.get_by_label("Client secret").get_attribute("aria-required"):
        coordinator.get_by_label("Client secret").fill(CLIENT_SECRET)
    coordinator.get_by_label("Scopes").fill("openid email profile groups")
    coordinator.get_by_label("Groups and what they give").fill(
        "Public Works data stewards | Data steward | PW"
    )
    coordinator.get_by_role("button", name="Save").click()
    expect(coordinator.get_by_role("alert").first).to_contain_text("is on")
    assert axe(coordinator) == []
    _fits(coordinator, size[0])
    screenshot(f"city-sign-in-settings-{width}", coordinator)
    coordinator.context.close()

    person = browser.new_context(viewport=viewport, bypass_csp=True).new_page()
    person.goto(f"{live_server}/sign-in")
    assert axe(person) == []
    _fits(person, size[0])
    person.get_by_role("link", name="Sign in with your City of Riverton account").click()
    expect(person.get_by_role("heading", name="City of Riverton sign-in")).to_be_visible()
    person.get_by_label("User name").fill("pat")
    person.get_by_label("Password").fill(ACCOUNTS["pat"]["password"])
    person.get_by_role("button", name="Sign in").click()
    expect(person.get_by_role("alert").first).to_contain_text(
        "Signed in as Pat Steward with your city account."
    )
    person.goto(f"{live_server}/account")
    expect(person.get_by_text("you have no password here")).to_be_visible()
    expect(person.get_by_role("button", name="Change password")).to_have_count(0)
    assert axe(person) == []
    _fits(person, size[0])
    screenshot(f"city-sign-in-account-{width}", person)
    person.context.close()

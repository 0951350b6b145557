"""Sign-in, navigation and a coordinator's form, driven in a real browser by keyboard and mouse."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in_by_keyboard(page, live_server, email, password):
    page.goto(f"{live_server}/sign-in")
    expect(page.get_by_label("Email")).to_be_focused()  # autofocus: no mouse needed
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_coordinator_signs_in_by_keyboard_and_sees_their_navigation(page, live_server, screenshot):
    sign_in_by_keyboard(page, live_server, "coordinator@riverton.example", "open-data-lead-2026")
    expect(page.get_by_role("alert")).to_contain_text("Signed in as Dana Okafor")
    nav = page.get_by_role("navigation", name="Main")
    for link in ("Catalog", "Datasets", "Dashboard", "My work"):
        expect(nav.get_by_role("link", name=link, exact=True)).to_be_visible()
    manage = nav.get_by_role("button", name="Manage")
    manage.focus()
    page.keyboard.press("Enter")  # the Manage menu opens from the keyboard
    for link in ("People", "Departments", "Committee", "Program", "Audit log"):
        expect(nav.get_by_role("link", name=link, exact=True)).to_be_visible()
    screenshot("home-coordinator")


def test_stakeholder_sees_no_admin_navigation(page, live_server):
    sign_in_by_keyboard(page, live_server, "stakeholder@riverton.example", "community-voice-2026")
    expect(page.get_by_role("heading", name="Welcome, Aisha Karim")).to_be_visible()
    expect(page.get_by_role("link", name="People", exact=True)).to_have_count(0)


def test_a_wrong_password_is_explained_without_saying_which_part(page, live_server, screenshot):
    sign_in_by_keyboard(page, live_server, "auditor@riverton.example", "not my password")
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an active account."
    )
    screenshot("sign-in-refused")


def test_department_form_shows_errors_then_saves(page, live_server, screenshot):
    sign_in_by_keyboard(page, live_server, "coordinator@riverton.example", "open-data-lead-2026")
    page.get_by_role("button", name="Manage").click()
    page.get_by_role("link", name="Departments", exact=True).click()
    page.get_by_role("link", name="Add a department").click()
    page.get_by_role("textbox", name="Code", exact=True).fill("PW")
    page.get_by_role("button", name="Save").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Another department already uses this code")
    expect(summary).to_contain_text("Name: This is required.")
    screenshot("department-form-errors")
    page.get_by_role("textbox", name="Code", exact=True).fill("ARTS")
    page.get_by_role("textbox", name="Name", exact=True).fill("Arts and Culture")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Department Arts and Culture (ARTS) created.")
    expect(page.get_by_role("cell", name="Arts and Culture", exact=True)).to_be_visible()


def test_navigation_collapses_into_a_menu_on_a_phone(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in_by_keyboard(page, live_server, "coordinator@riverton.example", "open-data-lead-2026")
    people = page.get_by_role("link", name="People", exact=True)
    expect(people).to_be_hidden()
    page.get_by_role("button", name="Show navigation").click()
    # The menu slides open; Manage is pressed once it has (not while it is still moving).
    expect(page.locator("#main-nav.collapse.show")).to_be_visible()
    manage = page.get_by_role("button", name="Manage")
    manage.click()
    expect(manage).to_have_attribute("aria-expanded", "true")
    expect(people).to_be_visible()
    screenshot("phone-menu", page)
    people.click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    screenshot("phone-people", page)
    context.close()

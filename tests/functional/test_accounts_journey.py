"""Whole journeys through the pages, as a coordinator and a new user would take them."""

import re

import pytest

from registry.accounts.services import find_user_by_email

PUBLIC = [
    "Catalog",
    "Datasets",
    "Dashboard",
    "City performance",
    "Release queue",
    "Voting rounds",
    "Data requests",
    "Committee meetings",
    "Exports",
]
NAVIGATION = {
    "coordinator": [
        *PUBLIC,
        "My work",
        "Import",
        "Portals",
        "People",
        "API tokens",
        "City sign-in",
        "Departments",
        "Committee",
        "Program",
        "Themes",
        "Audit log",
    ],
    "auditor": [*PUBLIC, "My work", "Portals", "Audit log"],
    "steward": [*PUBLIC, "My work", "Import"],
    "committee": [*PUBLIC, "My work"],
    "stakeholder": [*PUBLIC, "My work"],
}


def nav_links(html: str) -> list[str]:
    """The main bar's links, the Manage menu's included."""
    nav = html.split('<ul class="navbar-nav me-auto">')[1].split('<ul class="navbar-nav">')[0]
    return re.findall(r'class="(?:nav-link|dropdown-item)[^"]*"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(("role", "links"), sorted(NAVIGATION.items()))
def test_navigation_shows_each_role_what_it_may_use(client, make, sign_in, role, links):
    sign_in(make.user(role))
    assert nav_links(client.get("/").get_data(as_text=True)) == links


def test_anonymous_visitors_see_sign_in(client):
    html = client.get("/").get_data(as_text=True)
    assert nav_links(html) == PUBLIC and 'href="/sign-in"' in html


def test_coordinator_adds_a_steward_who_then_sets_a_password(client, make, sign_in):
    make.department(code="PW", name="Public Works")
    sign_in(make.user("coordinator"))
    created = client.post(
        "/admin/users/new",
        data={
            "name": "Rosa Diaz",
            "email": "rosa@city.example",
            "roles": ["steward"],
            "departments": ["PW"],
            "welcome": "temporary",
        },
    )
    temporary = re.search(
        r'id="temporary-password">([^<]+)<', created.get_data(as_text=True)
    ).group(1)
    client.post("/sign-out")
    client.post("/sign-in", data={"email": "rosa@city.example", "password": temporary})
    changed = client.post(
        "/account/password",
        data={
            "current_password": temporary,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert changed.headers["Location"] == "/"
    assert find_user_by_email("rosa@city.example").must_change_password is False


def test_invalid_user_form_shows_every_error_next_to_its_field(client, make, sign_in):
    sign_in(make.user("coordinator"))
    response = client.post("/admin/users/new", data={"name": "", "email": "not-an-email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        'id="name-error"' in html and 'id="email-error"' in html and 'aria-invalid="true"' in html
    )


def test_coordinator_edits_roles_and_the_list_filters_by_role(client, make, sign_in):
    make.department(code="PW")
    sign_in(make.user("coordinator"))
    target = make.user("stakeholder", email="kim@city.example")
    client.post(
        f"/admin/users/{target.id}/edit",
        data={
            "name": "Kim",
            "email": "kim@city.example",
            "roles": ["committee"],
            "is_chair": "y",
            "active": "y",
        },
    )
    html = client.get("/admin/users?role=committee").get_data(as_text=True)
    assert "kim@city.example" in html and "chair" in html


def test_coordinator_renames_a_department(client, make, sign_in):
    make.department(code="PW", name="Public Works")
    sign_in(make.user("coordinator"))
    client.post("/admin/departments/PW/edit", data={"name": "Public Works and Utilities"})
    assert "Public Works and Utilities" in client.get("/admin/departments").get_data(as_text=True)


def test_people_list_paginates(client, make, sign_in):
    sign_in(make.user("coordinator"))
    for _ in range(30):
        make.user("stakeholder")
    html = client.get("/admin/users?per_page=10&page=2").get_data(as_text=True)
    assert "Showing 11–20 of 31 people" in html


def test_errors_are_json_under_the_api_and_html_elsewhere(client):
    api = client.get("/api/v1/nothing-here")
    page = client.get("/nothing-here")
    assert (api.get_json()["error"], page.mimetype) == ("page_not_found", "text/html")


def test_unexpected_errors_show_a_friendly_500(app, client, monkeypatch):
    from registry.catalog import views

    monkeypatch.setattr(views, "render_template", lambda *a, **k: 1 / 0)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/")
    assert response.status_code == 500 and b"nothing was saved" in response.data

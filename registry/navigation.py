"""The main navigation bar, as each user may see it, and the helpers its pages share."""

from flask import request, url_for

from registry.permissions import Permission, has_permission

# The main navigation: each link shows only to users holding the permission its page checks.
# An entry is a link (permission, label, endpoint) or a menu ("menu", label, [links]), so that the
# bar fits a laptop.
NAV_LINKS = [
    (None, "Catalog", "public.catalog"),
    (None, "Datasets", "datasets.index"),
    (None, "Dashboard", "dashboard.page"),
    (
        "menu",
        "Priorities",
        [
            (None, "City performance", "performance.page"),
            (None, "Release queue", "priorities.queue_page"),
            (None, "Voting rounds", "priorities.round_list"),
            (None, "Data requests", "priorities.request_list"),
            (None, "Committee meetings", "meetings.meeting_list"),
        ],
    ),
    (None, "Exports", "transfer.exports"),
    (Permission.ACCOUNT_OWN, "My work", "reviews.my_work"),
    (
        "menu",
        "Manage",
        [
            (Permission.DATASET_CREATE, "Import", "transfer.imports"),
            (Permission.AUDIT_READ, "Portals", "portal.page"),
            (Permission.USERS_MANAGE, "People", "admin.users"),
            (Permission.USERS_MANAGE, "API tokens", "admin.all_tokens"),
            (Permission.USERS_MANAGE, "City sign-in", "city_sign_in.settings"),
            (Permission.DEPARTMENTS_MANAGE, "Departments", "admin.departments"),
            (Permission.REVIEW_SETTINGS, "Committee", "reviews.settings"),
            (Permission.PROGRAM_MANAGE, "Program", "priorities.settings"),
            (Permission.PROGRAM_MANAGE, "Themes", "themes.theme_list"),
            (Permission.AUDIT_READ, "Audit log", "audit.events"),
        ],
    ),
]


def url_with_args(**changes) -> str:
    """This page's URL with some query arguments changed (None removes one). Changing a filter
    goes back to the first page, so the page argument goes unless it is what changes."""
    args = request.args.to_dict()
    args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def may_see_link(user, permission: Permission | None) -> bool:
    return permission is None or has_permission(user, permission)


def visible_navigation(user) -> list[tuple]:
    """The bar as this user sees it: the links they may follow, and menus with any left."""
    shown = []
    for entry in NAV_LINKS:
        if entry[0] == "menu":
            links = [link for link in entry[2] if may_see_link(user, link[0])]
            if links:
                shown.append(("menu", entry[1], links))
        elif may_see_link(user, entry[0]):
            shown.append(entry)
    return shown

"""The audit log in words: each event as a sentence a clerk reads ("Marisol Vega submitted
Street Trees for review"), with a link only to what the reader may open.

The audit domain imports no other: the names of people and the titles of records come from
functions the app registers in app.extensions under NAMES (see registry.audit_subjects), each
asked once per page for the people and records the page's events name."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag, tag_label
from registry.permissions import Permission, has_permission

NAMES = "registry_audit_names"

# What a workflow step is called in a sentence, by its action (reviews.workflow.Action).
STEPS = {
    "submit": "submitted {s} for review",
    "resubmit": "resubmitted {s} for review",
    "request_changes": "asked for changes to {s}",
    "send_to_committee": "sent {s} to the committee",
    "decide": "recorded the committee's decision on {s}",
    "publish": "recorded the publication of {s}",
    "retire": "retired {s}",
    "reopen": "reopened {s} as a draft",
    "rereview": "started a classification re-review of {s}",
    "withdraw": "withdrew the proposed change to {s}",
}

PHRASES = {
    Tag.SIGN_IN: "{who} signed in",
    Tag.SIGN_IN_FAILURE: "A sign-in as {label} was refused",
    Tag.SIGN_IN_THROTTLED: "A sign-in as {label} was throttled",
    Tag.SIGN_OUT: "{who} signed out",
    Tag.USER_CREATE: "{who} added {s}",
    Tag.USER_UPDATE: "{who} edited the account of {s}",
    Tag.USER_ROLES_CHANGE: "{who} changed the roles or departments of {s}",
    Tag.USER_DEACTIVATE: "{who} deactivated the account of {s}",
    Tag.USER_ACTIVATE: "{who} reactivated the account of {s}",
    Tag.USER_PASSWORD_RESET: "{who} reset the password of {s}",
    Tag.USER_PASSWORD_CHANGE: "{who} changed the password of {s}",
    Tag.USER_INVITE: "{who} invited {s} to set a password",
    Tag.USER_INVITE_ACCEPT: "{who} accepted the invitation and set a password",
    Tag.USER_CITY_ACCOUNT: "{s} now signs in with the city's account, without a password here",
    Tag.CITY_SIGN_IN_SETTINGS: "{who} changed how people sign in with the city's account",
    Tag.DEPARTMENT_CREATE: "{who} added the department {s}",
    Tag.DEPARTMENT_UPDATE: "{who} edited the department {s}",
    Tag.TOKEN_CREATE: "{who} created an API token for {s}",
    Tag.TOKEN_REVOKE: "{who} revoked an API token of {s}",
    Tag.DATASET_CREATE: "{who} registered {s}",
    Tag.DATASET_UPDATE: "{who} edited {s}{fields}",
    Tag.REVIEW_VOTE: "{who} voted “{vote}” on {s}",
    Tag.REVIEW_RECUSAL: "{who} recused themselves from {s}",
    Tag.REVIEW_REREVIEW_OPEN: "{who} opened a re-review of {s}",
    Tag.REVIEW_DECISION: "{who} recorded the committee's decision on {s}: {outcome}",
    Tag.COMMITTEE_SETTINGS: "{who} changed the committee's settings",
    Tag.ROUND_CREATE: "{who} opened {s}",
    Tag.ROUND_CLOSE: "{who} closed {s}",
    Tag.ROUND_VOTE: "{who} gave {votes} votes to {candidate} in {s}",
    Tag.REQUEST_CREATE: "{who} asked for data ({s})",
    Tag.REQUEST_RESPOND: "{who} answered {s}",
    Tag.DATASET_READ_RESTRICTED: "{who} read the restricted record {s}",
    Tag.AUDIT_READ: "{who} read the audit log",
    Tag.AUDIT_VERIFY: "{who} verified the audit log",
    Tag.AUDIT_EXPORT: "{who} exported the audit log",
    Tag.EXPORT: "{who} exported the inventory",
    Tag.IMPORT: "{who} imported an inventory",
    Tag.MEETING: "{who} recorded a committee meeting ({s})",
    Tag.RELEASE_DELAY: "{who} gave the reason {s} is late",
    Tag.ASSESSMENT: "{who} assessed {s} against the criteria",
    Tag.SCORE_OVERRIDE: "{who} overrode the priority score of {s}",
    Tag.CITY_PRIORITY: "{who} changed the city's priority {s}",
    Tag.THEME_ADD: "{who} added the theme {s}",
    Tag.THEME_REMOVE: "{who} removed the theme {s}",
    Tag.PROGRAM_SETTINGS: "{who} changed the program's settings",
    Tag.PORTAL_SOURCE: "{who} registered a portal to check against the registry",
    Tag.PORTAL_CHECK: "{who} read a portal and set it against the registry",
    Tag.PORTAL_MATCH: "{who} confirmed which record a portal dataset is",
    Tag.PORTAL_IMPORT: "{who} added a dataset released on a portal to the registry",
    Tag.PORTAL_SETTLE: "{who} settled a difference between a portal and the registry",
}

# Where each kind of subject is shown: its page, the argument its id fills, and the
# permission that page checks (None: its own read rule, which admits whoever reads the log).
SUBJECT_PAGES = {
    "dataset": ("datasets.show", "identifier", None),
    "user": ("admin.edit_user", "user_id", Permission.USERS_MANAGE),
    "department": ("admin.edit_department", "code", Permission.DEPARTMENTS_MANAGE),
    "round": ("priorities.round_page", "round_id", None),
    "request": ("priorities.request_page", "request_id", None),
    "verification": ("audit.verification", "run_id", Permission.AUDIT_READ),
}


@dataclass
class Line:
    """An event as the log's page shows it."""

    event: AuditEvent
    sentence: str
    link: str | None


def _names(kind: str, keys: Iterable, reader) -> dict:
    namer = current_app.extensions.get(NAMES, {}).get(kind)
    keys = {key for key in keys if key is not None}
    return namer(keys, reader) if namer and keys else {}


def describe(events: list[AuditEvent], reader) -> list[Line]:
    """Each event as a sentence, the people and records named once for the whole page."""
    people = _names(
        "people",
        [e.actor_id for e in events]
        + [int(e.subject_id) for e in events if e.subject_type == "user" and _digits(e)],
        reader,
    )
    titles = _names(
        "datasets",
        [e.subject_id for e in events if e.subject_type == "dataset"]
        + [(e.payload or {}).get("candidate") for e in events if e.tag == Tag.ROUND_VOTE],
        reader,
    )
    return [
        Line(event, _sentence(event, people, titles), subject_link(event, reader))
        for event in events
    ]


def _digits(event: AuditEvent) -> bool:
    return bool(event.subject_id and event.subject_id.isdigit())


def _subject(event: AuditEvent, people: dict, titles: dict) -> str:
    kind, key = event.subject_type, event.subject_id
    if kind == "dataset":
        return titles.get(key) or key or "a record"
    if kind == "user" and _digits(event):
        return people.get(int(key)) or f"person {key}"
    if kind == "round":
        return f"voting round {key}"
    if kind == "request":
        return f"data request {key}"
    if kind == "department":
        return key or "a department"
    return f"{kind} {key}" if kind and key else (kind or "")


def _sentence(event: AuditEvent, people: dict, titles: dict) -> str:
    payload: dict[str, Any] = event.payload or {}
    who = people.get(event.actor_id) or event.actor_label
    subject = _subject(event, people, titles)
    after = payload.get("after") or {}
    if event.tag == Tag.DATASET_TRANSITION:
        step = STEPS.get(str(payload.get("action")))
        text = step.format(s=subject) if step else f"moved {subject} to {after.get('status')}"
        return _capital(f"{who} {text}")
    phrase = PHRASES.get(event.tag)
    if phrase is None:
        return _capital(f"{who}: {tag_label(event.tag)}" + (f" ({subject})" if subject else ""))
    changed = [name.replace("_", " ") for name in after if name != "version"]
    candidate = payload.get("candidate")
    return _capital(
        phrase.format(
            who=who,
            label=event.actor_label,
            s=subject,
            fields=f" ({', '.join(changed)})" if changed else "",
            vote=str(after.get("vote", "")).replace("_", " "),
            outcome=str(after.get("outcome", "")).replace("_", " "),
            votes=after.get("votes", ""),
            candidate=titles.get(candidate) or candidate or "a candidate",
        )
    )


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def subject_link(event: AuditEvent, reader) -> str | None:
    """The page an event is about, if this reader may open it; no link otherwise, never one
    that answers 403."""
    if event.subject_type == "settings":
        if not has_permission(reader, Permission.REVIEW_SETTINGS):
            return None
        return url_for("reviews.settings")
    page = SUBJECT_PAGES.get(event.subject_type or "")
    if page is None or not event.subject_id:
        return None
    endpoint, argument, permission = page
    if permission is not None and not has_permission(reader, permission):
        return None
    if argument.endswith("_id"):
        if not _digits(event):
            return None
        return url_for(endpoint, **{argument: int(event.subject_id)})
    return url_for(endpoint, **{argument: event.subject_id})

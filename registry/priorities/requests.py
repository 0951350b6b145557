"""Data requests: anyone the coordinator allows asks for data the city may hold; a coordinator
acknowledges it, plans a record for it (an existing one, or a draft for the right department,
whose stewards are told) or declines it with a reason. The policy's clocks: acknowledged within
`acknowledge_days`, answered within `answer_days` (ProgramSettings); overdue ones show.

The public sees each request and its status, never who asked.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import ColumnElement, func, select

from registry.accounts.services import active_users_with_role, get_department
from registry.audit.models import AuditEvent
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets import services as datasets
from registry.datasets.models import Dataset
from registry.datasets.visibility import can_read, in_department
from registry.db import utcnow
from registry.errors import Conflict, NotFound, PermissionDenied, TooManyRequests
from registry.extensions import db
from registry.notifications.services import notify, send_email
from registry.permissions import Permission, Role, has_permission
from registry.priorities.models import DataRequest, ProgramSettings
from registry.priorities.schemas import RequestAnswerIn, RequestIn
from registry.validation import load_input, raise_for

STATUS_LABELS = {
    "received": "Received",
    "acknowledged": "Acknowledged",
    "planned": "Planned for release",
    "declined": "Declined",
}
ANSWERED = ("planned", "declined")
# Requests without an account, from one address, in an hour: enough for a resident, too few
# for a flood.
PUBLIC_REQUESTS_PER_HOUR = 5


def program_settings() -> ProgramSettings:
    return db.session.get(ProgramSettings, 1)


def get_request(request_id: int) -> DataRequest:
    found = db.session.get(DataRequest, request_id)
    if found is None:
        raise NotFound("There is no such data request.")
    return found


def requests_query(status: str | None = None):
    query = select(DataRequest).order_by(DataRequest.created_at.desc(), DataRequest.id.desc())
    if status:
        query = query.where(DataRequest.status == status)
    return query


def may_request(person) -> bool:
    signed_in = person is not None and getattr(person, "is_authenticated", False)
    return signed_in or program_settings().public_requests


def submit_request(raw: dict[str, Any], *, actor, address: str | None = None) -> DataRequest:
    """A request from someone signed in, or (where the coordinator allows it) from anyone who
    gives an email address to be told of its progress."""
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    if not may_request(actor):
        raise PermissionDenied("Sign in to ask for data: the city takes requests from accounts.")
    data, errors = load_input(RequestIn(), raw)
    if not signed_in and not data.get("email"):
        errors.setdefault("email", []).append(
            "Give your email address: the city tells you there how your request goes."
        )
    raise_for(errors)
    if not signed_in and _recent_public_requests(address) >= PUBLIC_REQUESTS_PER_HOUR:
        raise TooManyRequests(
            "Too many requests from this address in the last hour; please try again later.",
            retry_after=3600,
        )
    request = DataRequest(
        title=data["title"],
        description=data["description"],
        why=data.get("why"),
        requester_id=actor.id if signed_in else None,
        requester_email=None if signed_in else data["email"],
    )
    db.session.add(request)
    db.session.flush()
    record_event(
        Tag.REQUEST_CREATE,
        actor=actor if signed_in else None,
        actor_label=None if signed_in else "the public",
        subject_type="request",
        subject_id=request.id,
        after={"title": request.title},
        address=address,
    )
    notify(
        active_users_with_role(Role.COORDINATOR),
        f"Data request: {request.title}",
        "A new data request awaits acknowledgement.",
        link=f"/requests/{request.id}",
        kind="Data request",
    )
    return request


def _recent_public_requests(address: str | None) -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(
        select(func.count()).where(
            AuditEvent.tag == str(Tag.REQUEST_CREATE),
            AuditEvent.actor_id.is_(None),
            AuditEvent.address == (address or "unknown"),
            AuditEvent.occurred_at >= since,
        )
    )


def answer_request(request: DataRequest, raw: dict[str, Any], *, actor) -> DataRequest:
    """A coordinator acknowledges, plans a record for (`link` an existing one by identifier, or
    `create_draft` for a department), or declines (with a reason) a request."""
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Coordinators answer data requests.")
    data, errors = load_input(RequestAnswerIn(), raw)
    raise_for(errors)
    action, before = data["action"], request.status
    now = utcnow()
    if request.status in ANSWERED:
        raise Conflict("This request has been answered already.")
    if action == "acknowledge":
        if request.status != "received":
            raise Conflict("This request has been acknowledged already.")
        request.status, request.acknowledged_at = "acknowledged", now
        request.response = data.get("note") or request.response
    elif action == "decline":
        if not data.get("note"):
            raise_for({}, {"note": ["Say why the city declines it: the requester is told."]})
        request.status, request.response = "declined", data["note"]
    else:
        request.dataset_id = _planned_record(request, data, actor).id
        request.status = "planned"
        request.response = data.get("note") or request.response
    if action != "acknowledge":
        request.answered_at = now
        request.acknowledged_at = request.acknowledged_at or now
    db.session.flush()
    record_event(
        Tag.REQUEST_RESPOND,
        actor=actor,
        subject_type="request",
        subject_id=request.id,
        before={"status": before},
        after={"status": request.status, "response": request.response},
        details={"dataset_id": request.dataset_id},
    )
    tell_requester(request)
    return request


def acknowledge_requests(ids: list[int], *, actor) -> int:
    """Acknowledges each chosen request still waiting for it, as answer_request does one by
    one (each requester told, each audited), in one transaction; those acknowledged already
    are left as they are. Returns how many were acknowledged."""
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Coordinators answer data requests.")
    if not ids:
        raise_for({}, {"request": ["Choose at least one request to acknowledge."]})
    chosen = db.session.scalars(
        select(DataRequest)
        .where(DataRequest.id.in_(ids), DataRequest.status == "received")
        .order_by(DataRequest.id)
    ).all()
    for found in chosen:
        answer_request(found, {"action": "acknowledge"}, actor=actor)
    return len(chosen)


def _planned_record(request: DataRequest, data: dict[str, Any], actor) -> Dataset:
    if data["action"] == "link":
        identifier = data.get("identifier")
        record = db.session.scalar(select(Dataset).where(Dataset.identifier == (identifier or "")))
        if record is None:
            raise_for({}, {"identifier": ["There is no dataset with that identifier."]})
        return record
    if not data.get("department"):
        raise_for({}, {"department": ["Choose the department that holds the data."]})
    department = get_department(data["department"])
    record = datasets.create_dataset(
        {
            "title": request.title,
            "description": f"Requested by the public: {request.description}",
            "department": department.code,
            "classification": "internal",
            "steward": None,
        },
        actor=actor,
    )
    stewards = [
        user for user in active_users_with_role(Role.STEWARD) if in_department(user, department.id)
    ]
    notify(
        stewards,
        f"Requested data: {record.title}",
        f"A data request asks for {record.title}. A draft is registered for "
        f"{department.name}: complete it and submit it for review.",
        link=f"/datasets/{record.identifier}",
        kind="Data request",
    )
    return record


def tell_requester(request: DataRequest) -> None:
    """Word of a request's new status: in the requester's inbox, or by email to someone without
    an account (when mail is set up)."""
    subject = f"Your data request: {STATUS_LABELS[request.status].lower()}"
    body = f"“{request.title}” is now {STATUS_LABELS[request.status].lower()}."
    if request.response:
        body += f" {request.response}"
    if request.requester is not None:
        notify(
            [request.requester], subject, body, link=f"/requests/{request.id}", kind="Data request"
        )
    elif request.requester_email:
        base = current_app.config.get("BASE_URL", "")
        send_email(request.requester_email, subject, f"{body}\n\n{base}/requests/{request.id}")


def clocks(
    request: DataRequest, now: datetime | None = None, settings: ProgramSettings | None = None
) -> dict[str, Any]:
    """Where a request stands against the policy's clocks at a moment (now by default): steps
    taken after that moment had not happened yet. Callers going over many requests pass the
    settings, read once."""
    now = now or utcnow()
    settings = settings or program_settings()
    acknowledge_by = request.created_at + timedelta(days=settings.acknowledge_days)
    answer_by = request.created_at + timedelta(days=settings.answer_days)
    acknowledged = request.acknowledged_at is not None and request.acknowledged_at <= now
    answered = request.answered_at is not None and request.answered_at <= now
    return {
        "acknowledge_by": acknowledge_by,
        "answer_by": answer_by,
        "answered": answered,
        "acknowledgement_overdue": not acknowledged and now > acknowledge_by,
        "answer_overdue": not answered and now > answer_by,
        "answered_in_time": answered and request.answered_at <= answer_by,
    }


def overdue_query(now: datetime | None = None):
    """Requests past either clock, for the coordinator's work page and the dashboard, the
    oldest first (the clocks' one rule, clock_conditions)."""
    clock = clock_conditions(now or utcnow())
    return select(DataRequest).where(clock.overdue).order_by(DataRequest.created_at)


def unanswered_in_time(now: datetime | None = None) -> ColumnElement[bool]:
    """Requests not answered yet and past neither clock (clock_conditions' rule), said also as
    what the rule implies of them: made within the answer's days. That range is what the index
    of the requests by creation reads, where the rule alone had every request looked at (the
    coordinator's list of requests to answer: 17 ms for 5,000 requests)."""
    now = now or utcnow()
    settings = program_settings()
    window = DataRequest.created_at >= now - timedelta(days=settings.answer_days)
    return DataRequest.answered_at.is_(None) & window & ~clock_conditions(now, settings).overdue


def linked_record_visible(request: DataRequest, reader) -> bool:
    """A planned record is named only to those who may read it."""
    record = request.dataset
    return record is not None and can_read(
        reader,
        classification=record.classification,
        status=record.status,
        department_id=record.department_id,
    )


@dataclass(frozen=True)
class ClockConditions:
    """clocks() as SQL conditions over the requests made by a moment, so that a count of many
    requests is one query that agrees with the clocks read request by request."""

    made: Any  # made by the moment
    answered: Any  # answered by the moment
    in_time: Any  # answered by the moment, within the answer's deadline
    overdue: Any  # unanswered, past either deadline at the moment
    answer_overdue: Any  # unanswered, past the answer's deadline at the moment


def clock_conditions(moment: datetime, settings: ProgramSettings | None = None) -> ClockConditions:
    settings = settings or program_settings()
    made, answered_at = DataRequest.created_at, DataRequest.answered_at
    answered = answered_at.is_not(None) & (answered_at <= moment)
    if db.session.get_bind().dialect.name == "sqlite":
        quick = func.julianday(answered_at) - func.julianday(made) <= settings.answer_days
    else:
        quick = answered_at <= made + func.make_interval(0, 0, 0, settings.answer_days)
    unacknowledged = DataRequest.acknowledged_at.is_(None) | (DataRequest.acknowledged_at > moment)
    answer_late = ~answered & (made < moment - timedelta(days=settings.answer_days))
    acknowledgement_late = unacknowledged & (
        made < moment - timedelta(days=settings.acknowledge_days)
    )
    return ClockConditions(
        made=made <= moment,
        answered=answered,
        in_time=answered & quick,
        overdue=answer_late | (~answered & acknowledgement_late),
        answer_overdue=answer_late,
    )


class RequestCounts(NamedTuple):
    """The requests made by a moment against the policy's clocks, at that moment."""

    answered: int
    in_time: int
    overdue: int
    made: int


def clock_counts(moment: datetime) -> tuple[RequestCounts, dict[int, tuple[int, int]]]:
    """The requests made by a moment counted in the database by the clocks' rule (a city's
    15,000 requests, loaded and each one's clocks read, took the dashboard half a second): all
    of them, and for each record requests are planned into, those answered or past the
    answer's deadline and those answered in time (the scorecard's share)."""
    clock = clock_conditions(moment)
    counted = (
        func.count().filter(clock.answered),
        func.count().filter(clock.in_time),
        func.count().filter(clock.overdue),
        func.count(),
    )
    totals = db.session.execute(select(*counted).where(clock.made)).one()
    due = clock.answered | clock.answer_overdue
    planned = db.session.execute(
        select(DataRequest.dataset_id, func.count().filter(due), func.count().filter(clock.in_time))
        .where(clock.made, DataRequest.dataset_id.is_not(None))
        .group_by(DataRequest.dataset_id)
    ).all()
    return (
        RequestCounts(*(int(figure or 0) for figure in totals)),
        {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in planned},
    )

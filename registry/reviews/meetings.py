"""The committee's meetings, their agendas (built from what awaits the committee) and the
decisions that cite them; and the reasons on record for late releases."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.permissions import can_edit_dataset
from registry.datasets.visibility import RELEASABLE, can_read
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, Role, has_permission
from registry.reviews import rereview
from registry.reviews.models import Decision, Meeting, ReleaseDelay
from registry.validation import InputSchema, load_input, raise_for


class MeetingIn(InputSchema):
    held_on = fields.Date(required=True)
    attendees = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    minutes_url = fields.Url(load_default=None, schemes={"http", "https"})
    summary = fields.String(load_default=None, validate=validate.Length(max=5000))


class DelayIn(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=5000))
    expected_on = fields.Date(load_default=None)


def can_record_meeting(user) -> bool:
    """The committee's chair, or the open data coordinator."""
    if has_permission(user, Permission.REVIEW_SETTINGS):
        return True
    return Role.COMMITTEE in getattr(user, "role_set", set()) and bool(
        getattr(user, "is_chair", False)
    )


def agenda_now() -> list[dict[str, Any]]:
    """What awaits the committee: records before it, new or in a re-review round."""
    waiting = (Dataset.status == "in_committee") | Dataset.proposed_governance.is_not(None)
    query = select(Dataset).where(waiting).order_by(Dataset.updated_at, Dataset.id)
    return [
        {
            "identifier": record.identifier,
            "title": record.title,
            "department": record.department.name,
            "department_id": record.department_id,
            "classification": record.classification,
            "status": record.status,
            "kind": "re-review" if record.proposed_governance is not None else "review",
        }
        for record in db.session.scalars(query)
    ]


def readable_agenda(items: list[dict[str, Any]], reader) -> list[dict[str, Any]]:
    """An agenda as this reader may see it: an item they may not read is only "a dataset of"
    its department (a restricted record's title never shows)."""
    shown = []
    for item in items:
        visible = item["classification"] in RELEASABLE or can_read(
            reader,
            classification=item["classification"],
            status=item["status"],
            department_id=item["department_id"],
        )
        shown.append(
            item if visible else {**item, "identifier": None, "title": "A restricted dataset"}
        )
    return shown


def list_meetings() -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).order_by(Meeting.held_on.desc())))


def get_meeting(meeting_id: int) -> Meeting:
    found = db.session.get(Meeting, meeting_id)
    if found is None:
        raise NotFound("There is no such meeting.")
    return found


def save_meeting(raw: dict[str, Any], *, actor, meeting: Meeting | None = None) -> Meeting:
    """Records a meeting (its agenda is what awaits the committee now), or adds its minutes."""
    if not can_record_meeting(actor):
        raise PermissionDenied("The committee's chair or the coordinator records its meetings.")
    data, errors = load_input(MeetingIn(), raw)
    if data.get("held_on"):
        clash = select(Meeting.id).where(Meeting.held_on == data["held_on"])
        if meeting is not None:
            clash = clash.where(Meeting.id != meeting.id)
        if db.session.scalar(clash) is not None:
            errors["held_on"] = ["A meeting on that day is already recorded: edit it instead."]
    raise_for(errors)
    before = None
    if meeting is None:
        meeting = Meeting(agenda=agenda_now(), recorded_by_id=getattr(actor, "id", None))
        db.session.add(meeting)
    else:
        before = {key: _plain(getattr(meeting, key)) for key in data}
    for key, value in data.items():
        setattr(meeting, key, value)
    db.session.flush()
    record_event(
        Tag.MEETING,
        actor=actor,
        subject_type="meeting",
        subject_id=meeting.id,
        before=before,
        after={key: _plain(value) for key, value in data.items()},
    )
    return meeting


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def decisions_at(meeting: Meeting, reader) -> list[tuple[Dataset, Decision]]:
    """Decisions a chair recorded on the meeting's day (the meeting's own), with their records,
    that this reader may read, by the same rule as the decision pages."""
    start = datetime.combine(meeting.held_on, time.min, tzinfo=UTC)
    query = (
        select(Dataset, Decision)
        .join(Decision, Decision.dataset_id == Dataset.id)
        .where(
            Decision.method == "chair",
            Decision.decided_at >= start,
            Decision.decided_at < start + timedelta(days=1),
        )
        .order_by(Decision.decided_at)
    )
    return [
        (dataset, decision)
        for dataset, decision in db.session.execute(query).tuples()
        if rereview.decision_readable_by(reader, dataset, decision)
    ]


def record_delay(dataset: Dataset, raw: dict[str, Any], *, actor) -> ReleaseDelay:
    """Why an approved release is late (its department or the coordinator), for the plan."""
    if not can_edit_dataset(actor, dataset):
        raise PermissionDenied("The dataset's department or the coordinator explains a delay.")
    if dataset.status != "approved":
        raise Conflict("Only an approved dataset awaiting release can be late.")
    data, errors = load_input(DelayIn(), raw)
    raise_for(errors)
    delay = ReleaseDelay(dataset_id=dataset.id, recorded_by_id=getattr(actor, "id", None), **data)
    db.session.add(delay)
    db.session.flush()
    record_event(
        Tag.RELEASE_DELAY,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        after={key: _plain(value) for key, value in data.items()},
    )
    return delay


# Ids asked about in one statement: SQLite takes at most 32,766 parameters in one.
CHUNK = 5000


def latest_delays(dataset_ids: list[int]) -> dict[int, ReleaseDelay]:
    newest: dict[int, ReleaseDelay] = {}
    for start in range(0, len(dataset_ids), CHUNK):
        chunk = dataset_ids[start : start + CHUNK]
        query = select(ReleaseDelay).where(ReleaseDelay.dataset_id.in_(chunk))
        for delay in db.session.scalars(query.order_by(ReleaseDelay.recorded_at, ReleaseDelay.id)):
            newest[delay.dataset_id] = delay
    return newest

"""Applying one workflow step to a record: its changes in one flush, one version, one audit
event, and word to whoever must act next."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.governance import proposal_open
from registry.datasets.services import keep_transition_version, touch
from registry.datasets.snapshots import digest
from registry.errors import Conflict
from registry.extensions import db
from registry.reviews.notify import notify_next
from registry.reviews.workflow import Outcome, State


@dataclass
class StepChanges:
    """What a step's effects add up to before the record moves."""

    updates: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None  # a re-review notice to give instead of the state's
    closed_proposal: dict[str, Any] | None = None  # told only to those who may read it


def move(dataset, target: State, *, action: str, actor, note, changes: StepChanges) -> None:
    """Every change a step makes to the record lands in one flush: one version, one event."""
    source = dataset.status
    for key, value in changes.updates.items():
        setattr(dataset, key, value)
    dataset.status = str(target)
    moved = [*changes.updates, *(["status"] if str(target) != source else [])]
    moment = touch(dataset, moved)
    try:
        db.session.flush()
    except StaleDataError as exc:  # the version check: someone else moved it first
        raise Conflict(
            "This dataset was changed by someone else at the same moment. Reload it and try again."
        ) from exc
    version = keep_transition_version(dataset, actor=actor, action=action, note=note, at=moment)
    record_event(
        Tag.DATASET_TRANSITION,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        before={"status": source},
        after={"status": str(target)},
        details={
            "action": action,
            "note": note,
            "version": version.version,
            "snapshot_sha256": digest(version.snapshot),
            **changes.details,
        },
    )
    notify_next(dataset, note, changes.notice, proposal=changes.closed_proposal)


def approval_updates(dataset, decision) -> dict[str, Any]:
    """A decision closes any open re-review round. An approval fixes the governance it approved
    (with the rest of a re-review's proposal), the release target date and the day it was
    approved; any other outcome leaves the decision in force as it is."""
    updates: dict[str, Any] = {"proposed_governance": None} if proposal_open(dataset) else {}
    if decision.outcome == Outcome.APPROVE:
        updates.update(dataset.proposed_governance or {})
        updates.update(
            classification=decision.classification,
            access_level=decision.access_level,
            rights=decision.rights,
            release_target_date=decision.release_target_date,
            approved_on=decision.decided_at.date(),
        )
    return updates

"""Checks that the records a change leaves (decisions, votes, versions) agree with the audit
events written beside them in the same transaction: a row altered in the database afterwards,
with no event to match, is named by `registry audit verify`.

Read in batches by sequence, so memory stays bounded however long the log.
"""

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import select

from registry.accounts.models import User
from registry.audit.cli import EXTRA_CHECKS
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.models import Dataset, DatasetVersion
from registry.extensions import db
from registry.reviews.models import Decision, Vote

DECISION_FIELDS = (
    "outcome",
    "classification",
    "access_level",
    "rights",
    "conditions",
    "release_target_date",
    "method",
    "tally",
)
VERSION_TAGS = (Tag.DATASET_CREATE, Tag.DATASET_UPDATE, Tag.DATASET_TRANSITION)


def _normal(value: Any) -> Any:
    """As an event's payload stores a value (JSON, dates as text)."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _events(*tags: str) -> Iterator[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.tag.in_([str(tag) for tag in tags]))
    yield from db.session.scalars(query.order_by(AuditEvent.seq).execution_options(yield_per=2000))


def _identifiers() -> dict[int, str]:
    return dict(db.session.execute(select(Dataset.id, Dataset.identifier)).tuples().all())


def check_decisions() -> list[str]:
    recorded = {
        (event.subject_id, event.payload.get("review_round")): event.payload.get("after", {})
        for event in _events(Tag.REVIEW_DECISION)
    }
    identifiers = _identifiers()
    problems = []
    for decision in db.session.scalars(select(Decision).order_by(Decision.id)):
        key = (identifiers[decision.dataset_id], decision.review_round)
        event = recorded.get(key)
        if event is None:
            problems.append(f"the decision on {key[0]}, round {key[1]}, has no audit event")
            continue
        stored = _normal({name: getattr(decision, name) for name in DECISION_FIELDS})
        differing = [name for name in DECISION_FIELDS if stored[name] != event.get(name)]
        if differing:
            problems.append(
                f"the decision on {key[0]}, round {key[1]}, differs from its audit event in "
                + ", ".join(differing)
            )
    return problems


def check_votes() -> list[str]:
    latest: dict[tuple, dict] = {}
    for event in _events(Tag.REVIEW_VOTE):
        key = (event.subject_id, event.payload.get("review_round"), event.actor_id)
        latest[key] = event.payload.get("after", {})
    identifiers = _identifiers()
    problems = []
    for vote in db.session.scalars(select(Vote).order_by(Vote.id)):
        key = (identifiers[vote.dataset_id], vote.review_round, vote.member_id)
        event = latest.get(key)
        if event is None or (event.get("vote"), event.get("rationale")) != (
            vote.vote,
            vote.rationale,
        ):
            problems.append(
                f"a vote on {key[0]}, round {key[1]}, does not match the last vote its member "
                "cast in the audit log"
            )
    return problems


def check_versions() -> list[str]:
    """Every version a record keeps was written with an event that names it; an edit's changes
    are the event's before and after."""
    events: dict[tuple[str, int], AuditEvent] = {}
    for event in _events(*VERSION_TAGS):
        version = 1 if event.tag == Tag.DATASET_CREATE else event.payload.get("version")
        events[(event.subject_id, version)] = event
    identifiers = _identifiers()
    names = dict(db.session.execute(select(User.email, User.name)).tuples().all())
    problems = []
    query = select(DatasetVersion).order_by(DatasetVersion.id)
    for version in db.session.scalars(query.execution_options(yield_per=2000)):
        identifier = identifiers[version.dataset_id]
        event = events.get((identifier, version.version))
        if event is None:
            problems.append(f"version {version.version} of {identifier} has no audit event")
            continue
        if event.tag == Tag.DATASET_UPDATE:
            changes = version.changes or {}
            before = {field: change["from"] for field, change in changes.items()}
            after = {field: change["to"] for field, change in changes.items()}
            if (_normal(before), _normal(after)) != (
                _named(event.payload.get("before", {}), names),
                _named(event.payload.get("after", {}), names),
            ):
                problems.append(
                    f"version {version.version} of {identifier} differs from its audit event"
                )
    return problems


def _named(values: dict, names: dict[str, str]) -> dict:
    """Versions written before snapshots had their own shape named stewards by email; the
    conversion (migration 0010) names them as people read them, so compare it that way."""
    if "steward" in values and values["steward"] in names:
        return {**values, "steward": names[values["steward"]]}
    return values


def init_integrity_checks(app: Flask) -> None:
    app.extensions[EXTRA_CHECKS] = [check_decisions, check_votes, check_versions]

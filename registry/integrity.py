"""Checks that the records a change leaves (decisions, votes, versions, round votes, the records
themselves) agree with the audit events written beside them in the same transaction: a row
altered, added or deleted in the database afterwards, with no event to match, is named by
`registry audit verify`.

Read in batches by sequence, so memory stays bounded however long the log.
"""

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from registry.accounts.models import User
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.audit.verification import EXTRA_CHECKS
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.queries import current_snapshots
from registry.datasets.snapshots import BOOKKEEPING, digest
from registry.extensions import db
from registry.priorities.models import Ballot, RoundVote
from registry.priorities.rounds import REQUEST_PREFIX
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


def check_decision_events() -> list[str]:
    """Every recorded decision is still there: a deleted decision leaves its event alone."""
    kept = {
        (identifier, review_round)
        for identifier, review_round in db.session.execute(
            select(Dataset.identifier, Decision.review_round).join(
                Dataset, Dataset.id == Decision.dataset_id
            )
        )
    }
    return [
        f"the decision on {event.subject_id}, round {event.payload.get('review_round')}, "
        "recorded in the audit log is missing"
        for event in _events(Tag.REVIEW_DECISION)
        if (event.subject_id, event.payload.get("review_round")) not in kept
    ]


def check_votes() -> list[str]:
    latest: dict[tuple, dict] = {}
    for event in _events(Tag.REVIEW_VOTE):
        key = (event.subject_id, event.payload.get("review_round"), event.actor_id)
        latest[key] = event.payload.get("after", {})
    identifiers = _identifiers()
    problems = []
    for vote in db.session.scalars(select(Vote).order_by(Vote.id)):
        key = (identifiers[vote.dataset_id], vote.review_round, vote.member_id)
        event = latest.pop(key, None)
        if event is None or (event.get("vote"), event.get("rationale")) != (
            vote.vote,
            vote.rationale,
        ):
            problems.append(
                f"a vote on {key[0]}, round {key[1]}, does not match the last vote its member "
                "cast in the audit log"
            )
    problems += [
        f"a vote on {identifier}, round {review_round}, cast in the audit log is missing"
        for identifier, review_round, _ in latest
    ]
    return problems


def check_round_votes() -> list[str]:
    """Each stakeholder's votes in a round are what their last vote event for that candidate
    left: a round vote added, changed or deleted behind the log's back is named."""
    left: dict[tuple[str, int, str], int] = {}
    for event in _events(Tag.ROUND_VOTE):
        candidate = str(event.payload.get("candidate", "")).lower()
        key = (str(event.subject_id), event.actor_id, candidate)
        left[key] = int(event.payload.get("after", {}).get("votes") or 0)
    identifiers = _identifiers()
    stored: dict[tuple[str, int, str], int] = {}
    rows = db.session.execute(
        select(
            RoundVote.round_id,
            Ballot.voter_id,
            RoundVote.dataset_id,
            RoundVote.request_id,
            RoundVote.votes,
        ).join(Ballot, Ballot.id == RoundVote.ballot_id)
    )
    for round_id, voter_id, dataset_id, request_id, votes in rows:
        candidate = (
            identifiers[dataset_id].lower() if dataset_id else f"{REQUEST_PREFIX}{request_id}"
        )
        stored[(str(round_id), voter_id, candidate)] = votes
    problems = []
    for key in sorted(set(left) | set(stored), key=str):
        if left.get(key, 0) != stored.get(key, 0):
            problems.append(
                f"round {key[0]}: the votes for {key[2]} by user {key[1]} are "
                f"{stored.get(key, 0)}, but the audit log says {left.get(key, 0)}"
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
    query = select(DatasetVersion).order_by(DatasetVersion.dataset_id, DatasetVersion.version)
    previous: DatasetVersion | None = None
    for version in db.session.scalars(query.execution_options(yield_per=2000)):
        identifier = identifiers[version.dataset_id]
        event = events.pop((identifier, version.version), None)
        if previous is not None and previous.dataset_id != version.dataset_id:
            previous = None
        problem = _snapshot_problem(version, previous, event)
        previous = version
        if problem:
            problems.append(f"version {version.version} of {identifier} {problem}")
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
    problems += [
        f"version {number} of {identifier}, written with an audit event, is missing"
        for identifier, number in events
    ]
    return problems


def _snapshot_problem(
    version: DatasetVersion, previous: DatasetVersion | None, event: AuditEvent | None
) -> str | None:
    """Whether a version's snapshot is what was written: the digest its event recorded (events
    since digests were kept), and in any case its predecessor with its own changes applied
    (or, for the first, what the creation event recorded)."""
    snapshot = version.snapshot or {}
    recorded = event.payload.get("snapshot_sha256") if event is not None else None
    if recorded is not None and recorded != digest(snapshot):
        return "has a snapshot other than the one its audit event recorded"
    expected = _expected_snapshot(version, previous, event)
    if expected is None:
        return None
    differing = [
        name
        for name in snapshot
        if name not in BOOKKEEPING and name in expected and expected[name] != snapshot[name]
    ]
    if differing:
        return (
            "has a snapshot that does not follow from the one before it ("
            + ", ".join(sorted(differing))
            + ")"
        )
    return None


def _expected_snapshot(version, previous, event) -> dict | None:
    """The version's predecessor with its changes applied, or for the first version what its
    creation event recorded (None when nothing recorded it)."""
    if previous is None:
        if event is None or event.tag != Tag.DATASET_CREATE:
            return None
        return _normal(event.payload.get("after", {}))
    expected = dict(previous.snapshot or {})
    expected.update({name: change["to"] for name, change in (version.changes or {}).items()})
    return expected


# A record's own fields that move without a version of their own.
UNVERSIONED = frozenset({"updated_at", "version", "format"})


def check_records() -> list[str]:
    """Each record as it stands is its latest version: a row changed behind the log's back (a
    classification lowered with no event) is named."""
    latest = (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.version).label("version"))
        .group_by(DatasetVersion.dataset_id)
        .subquery()
    )
    kept = select(DatasetVersion.dataset_id, DatasetVersion.snapshot).join(
        latest,
        (latest.c.dataset_id == DatasetVersion.dataset_id)
        & (latest.c.version == DatasetVersion.version),
    )
    problems = []
    rows = db.session.execute(kept.order_by(DatasetVersion.dataset_id)).partitions(1000)
    for batch in rows:
        snapshots = dict(batch)
        current = current_snapshots(list(snapshots))
        for dataset_id, stored in snapshots.items():
            now = current.get(dataset_id)
            if now is None:
                continue
            differing = sorted(
                name
                for name in now
                if name not in UNVERSIONED and name in stored and now[name] != stored[name]
            )
            if differing:
                problems.append(
                    f"{now['identifier']} differs from its latest version in "
                    + ", ".join(differing)
                )
    unversioned = db.session.scalars(
        select(Dataset.identifier).where(~Dataset.id.in_(select(latest.c.dataset_id)))
    ).all()
    problems += [f"{identifier} has no version at all" for identifier in unversioned]
    return problems


def _named(values: dict, names: dict[str, str]) -> dict:
    """Versions written before snapshots had their own shape named stewards by email; the
    conversion (migration 0010) names them as people read them, so compare it that way."""
    if "steward" in values and values["steward"] in names:
        return {**values, "steward": names[values["steward"]]}
    return values


def init_integrity_checks(app: Flask) -> None:
    app.extensions[EXTRA_CHECKS] = [
        check_decisions,
        check_decision_events,
        check_votes,
        check_versions,
        check_round_votes,
        check_records,
    ]

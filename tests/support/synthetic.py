"""A synthetic inventory of any size, for benchmarks and the tests of large inventories.

It writes through a bulk path (plain INSERTs in batches, no objects), not the services, but
leaves what the services would have: every record complete and valid for its classification
and state, a version for its registration and one for its last review step, the committee's
votes and decision for those it decided, data requests, the search index, and an audit event
for each of those changes, chained and hashed as record_event() chains them, so that
`registry audit verify` (the chain and the checks of decisions, votes and versions) passes.

It runs alone: it holds the audit chain from its first batch to its last. Records go to the
departments and people already in the registry (the demo city's, say), stewards to their own
department's records.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from registry.accounts.models import Department, User
from registry.audit.services import Event, record_events
from registry.audit.tags import Tag
from registry.dashboard.counts import recount
from registry.datasets.documents import reindex
from registry.datasets.models import Dataset, DatasetTheme, DatasetVersion
from registry.datasets.snapshots import BOOKKEEPING, diff, snapshot_of_row
from registry.datasets.vocab import DEFAULT_THEMES as THEMES
from registry.datasets.vocab import UPDATE_FREQUENCIES
from registry.db import utcnow
from registry.derived import move_generation
from registry.extensions import db
from registry.permissions import Role
from registry.priorities.models import DataRequest
from registry.priorities.standings import rescore
from registry.reviews.models import Decision, Vote

WORDS = (  # noqa: SIM905 - easier to read and extend as prose
    "street tree inventory pothole repair permit inspection budget payroll vendor contract "
    "crime incident collision traffic signal parking meter transit ridership park trail "
    "library circulation water main sewer overflow housing eviction shelter restaurant "
    "vaccination clinic fire hydrant ambulance response election polling council minutes "
    "zoning building sidewalk snow graffiti recycling tonnage energy emissions grant bond"
).split()
# About as a city's inventory stands: most public, a few restricted; most published.
CLASSIFICATIONS = ("public",) * 11 + ("internal",) * 5 + ("sensitive",) * 3 + ("restricted",)
STATES = (
    ("draft", 12),
    ("submitted", 5),
    ("in_committee", 7),
    ("changes_requested", 3),
    ("approved", 12),
    ("rejected", 3),
    ("published", 53),
    ("retired", 5),
)
# A restricted record is never approved for release.
RESTRICTED = {"draft", "submitted", "in_committee", "rejected"}
ACCESS = {"public": "public", "internal": "public", "sensitive": "restricted public"}
# The step that brought a record to its state, and the committee's outcome behind it.
STEPS = {
    "submitted": ("submit", None),
    "in_committee": ("send_to_committee", None),
    "changes_requested": ("decide", "request_changes"),
    "approved": ("decide", "approve"),
    "rejected": ("decide", "reject"),
    "published": ("publish", "approve"),
    "retired": ("retire", "approve"),
}
LABEL = "synthetic inventory"
FREQUENCIES = sorted(UPDATE_FREQUENCIES)


@dataclass
class Made:
    datasets: int = 0
    versions: int = 0
    votes: int = 0
    decisions: int = 0
    requests: int = 0
    events: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


class _Chain:
    """The batch's audit events, appended by audit.services.record_events when it is written."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, tag: Tag, identifier: str, payload: dict[str, Any], actor=None) -> None:
        self.events.append(Event(tag, "dataset", identifier, details=payload, actor=actor))

    def flush(self) -> int:
        written = len(self.events)
        if self.events:
            record_events(self.events, actor_label=LABEL)
        self.events = []
        return written


def _people() -> tuple[dict[int, list[User]], list[User], list[User]]:
    users = list(db.session.scalars(select(User).where(User.active.is_(True))))
    stewards: dict[int, list[User]] = {}
    for user in users:
        if Role.STEWARD in user.role_set:
            for department in user.departments:
                stewards.setdefault(department.id, []).append(user)
    committee = [user for user in users if Role.COMMITTEE in user.role_set]
    stakeholders = [user for user in users if Role.STAKEHOLDER in user.role_set]
    return stewards, committee, stakeholders


def _record(number: int, rng: random.Random, department, steward, today: date) -> dict:
    words = rng.sample(WORDS, 5)
    title = " ".join(word.capitalize() for word in words[:3]) + f" {number}"
    classification = rng.choice(CLASSIFICATIONS)
    states = [(s, w) for s, w in STATES if classification != "restricted" or s in RESTRICTED]
    status = rng.choices([s for s, _ in states], [w for _, w in states])[0]
    created = datetime.combine(today - timedelta(days=rng.randint(30, 1000)), datetime.min.time())
    created = created.replace(tzinfo=utcnow().tzinfo) + timedelta(seconds=rng.randint(0, 86399))
    updated = created + timedelta(days=rng.randint(0, 25), seconds=rng.randint(0, 86399))
    pii = classification in ("sensitive", "restricted") and rng.random() < 0.5
    slug = f"s-{number:07d}"
    start = created.date().replace(day=1) - timedelta(days=rng.randint(0, 3000))
    published = status in ("published", "retired")
    record = {
        "id": None,
        "identifier": slug,
        "title": title,
        "description": " ".join(rng.choices(WORDS, k=30)).capitalize() + ".",
        "keywords": words[2:5],
        "department_id": department.id,
        "contact_name": f"{department.name} data team",
        "contact_email": f"data.{department.code.lower()}@city.example",
        "steward_id": steward.id if steward else None,
        "source_system": rng.choice(["Accela", "SAP", "ArcGIS", "Tyler Munis", "Salesforce"]),
        "update_frequency": rng.choice(FREQUENCIES),
        "temporal": f"{start.isoformat()}/.." if rng.random() < 0.6 else None,
        "spatial": "Citywide",
        "formats": ["CSV", "JSON"],
        "record_count": rng.randint(10, 5_000_000),
        "landing_page": f"https://data.city.example/d/{slug}" if published else None,
        "data_dictionary": None,
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "language": ["en"],
        "distributions": [
            {
                "title": "Full table",
                "format": "CSV",
                "media_type": "text/csv",
                "download_url": f"https://data.city.example/d/{slug}.csv",
            }
        ]
        if published
        else [],
        "issued": created.date() if published else None,
        "modified": updated.date(),
        "classification": classification,
        "contains_pii": pii,
        "pii_kinds": ["contact"] if pii else [],
        "access_level": ACCESS.get(classification, "non-public"),
        "rights": None if classification in ("public", "internal") else "State records law",
        "release_priority": rng.choice(["high", "medium", "medium", "low"]),
        "release_target_date": updated.date() + timedelta(days=90)
        if status in ("approved", "published")
        else None,
        "review_round": 0 if status in ("draft", "submitted") else 1,
        "additional_fields": {},
        "data_columns": [],
        "attention": [],
        "proposed_governance": None,
        "published_on": updated.date() if published else None,
        "approved_on": updated.date() if status in ("approved", "published", "retired") else None,
        "status": status,
        "version": 1 if status == "draft" else 2,
        "created_at": created,
        "updated_at": updated,
    }
    return record


def synthesize(count: int, *, seed: int = 7, batch: int = 2000) -> Made:
    """Adds `count` records (numbered after any synthetic ones already there) and all that
    goes with them, committing each batch."""
    rng = random.Random(seed)
    departments = list(db.session.scalars(select(Department).order_by(Department.id)))
    stewards, committee, stakeholders = _people()
    if not departments or len(committee) < 3:
        raise ValueError("Load the demo city first: synthetic records need its people.")
    first = (db.session.scalar(select(db.func.max(Dataset.id))) or 0) + 1
    made, today = Made(), utcnow().date()
    for start in range(first, first + count, batch):
        chain = _Chain()
        numbers = range(start, min(start + batch, first + count))
        _write_batch(numbers, rng, departments, stewards, committee, chain, made, today)
        _write_requests(numbers, rng, stakeholders, made)
        made.events += chain.flush()
        # Written around the session: their derived values too (registry.derived).
        reindex(db.session(), numbers)
        rescore(db.session(), numbers)
        recount(db.session(), numbers)
        move_generation(db.session())
        db.session.commit()
    if db.engine.dialect.name == "postgresql":  # ids were given: the sequences move past them
        for table in ("datasets", "dataset_versions", "votes", "decisions", "data_requests"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
        db.session.commit()
        settle()
    return made


def settle() -> None:
    """Ends a bulk load on PostgreSQL as an operator would. VACUUM marks the new pages
    all-visible, so counts read their index alone (the dashboard's overdue count at 300,000
    records: 73 ms reading the table, 4 ms after); ANALYZE gives the planner the new figures.
    Autovacuum would get there, later. VACUUM runs outside any transaction."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


def _write_batch(numbers, rng, departments, stewards, committee, chain, made, today) -> None:
    rows, themes, versions, votes, decisions = [], [], [], [], []
    codes = {department.id: department.code for department in departments}
    for number in numbers:
        department = rng.choice(departments)
        steward = rng.choice(stewards[department.id]) if stewards.get(department.id) else None
        row = _record(number, rng, department, steward, today)
        row["id"] = number
        rows.append(row)
        theme = rng.choice(THEMES)
        themes.append({"dataset_id": number, "theme": theme})
        made.by_state[row["status"]] = made.by_state.get(row["status"], 0) + 1
        named = {**row, "department_code": codes[department.id]}
        named["steward_name"] = steward.name if steward else None
        draft = {**named, "status": "draft", "version": 1, "review_round": 0}
        draft.update(updated_at=row["created_at"], published_on=None, approved_on=None)
        draft.update(release_target_date=None, landing_page=None, issued=None)
        _version(versions, chain, number, draft, theme, "create", Tag.DATASET_CREATE)
        if row["status"] == "draft":
            continue
        action, outcome = STEPS[row["status"]]
        if outcome is not None:
            _decide(votes, decisions, chain, row, committee, outcome, rng)
        current = snapshot_of_row(named, [theme], [])
        step = _version_row(number, 2, row["updated_at"], action, current, row)
        step["changes"] = diff(versions[-1]["snapshot"], current)  # as a workflow step keeps
        versions.append(step)
        chain.add(
            Tag.DATASET_TRANSITION,
            row["identifier"],
            {
                "before": {"status": "draft"},
                "after": {"status": row["status"]},
                "action": action,
                "note": None,
                "version": 2,
            },
        )
    # The tables' own INSERTs: the ORM's bulk path would number every record's version 1 (its
    # version counter starts new rows there), leaving a reviewed record behind its versions.
    for table, values in ((Dataset, rows), (DatasetTheme, themes), (DatasetVersion, versions)):
        db.session.execute(table.__table__.insert(), values)
    for table, values in ((Vote, votes), (Decision, decisions)):
        if values:
            db.session.execute(insert(table), values)
    made.datasets += len(rows)
    made.versions += len(versions)
    made.votes += len(votes)
    made.decisions += len(decisions)


def _version(versions, chain, number, draft, theme, action, tag) -> None:
    snapshot = snapshot_of_row(draft, [theme], [])
    versions.append(_version_row(number, 1, draft["created_at"], action, snapshot, draft))
    after = {key: value for key, value in snapshot.items() if key not in BOOKKEEPING}
    chain.add(tag, draft["identifier"], {"after": after})


def _version_row(number, version, moment, action, snapshot, row) -> dict:
    return {
        "dataset_id": number,
        "version": version,
        "changed_at": moment,
        "changed_by_id": None,
        "changed_by_label": LABEL,
        "action": action,
        "snapshot": snapshot,
        "changes": {},
        "note": None,
        "classification": row["classification"],
        "status": snapshot["status"],
        "department_id": row["department_id"],
    }


def _decide(votes, decisions, chain, row, committee, outcome, rng) -> None:
    members = rng.sample(committee, 3)
    rationale = "Meets the policy." if outcome == "approve" else "Not yet."
    counts = {"approve": 0, "reject": 0, "request_changes": 0}
    for member in members:
        votes.append(
            {
                "dataset_id": row["id"],
                "review_round": 1,
                "member_id": member.id,
                "vote": outcome,
                "rationale": rationale,
                "conditions": None,
                "cast_at": row["updated_at"],
                "updated_at": row["updated_at"],
            }
        )
        counts[outcome] += 1
        chain.add(
            Tag.REVIEW_VOTE,
            row["identifier"],
            {"after": {"vote": outcome, "rationale": rationale}, "review_round": 1},
            actor=member,
        )
    decision = {
        "outcome": outcome,
        "classification": row["classification"],
        "access_level": row["access_level"],
        "rights": row["rights"],
        "conditions": None,
        "release_target_date": row["release_target_date"] if outcome == "approve" else None,
        "method": "votes",
        "tally": counts,
    }
    decisions.append(
        {
            **decision,
            "dataset_id": row["id"],
            "review_round": 1,
            "minutes_reference": None,
            "rationale": None,
            "votes": [
                {"member": m.email, "name": m.name, "vote": outcome, "rationale": rationale}
                for m in members
            ],
            "proposal": None,
            "recorded_by_id": None,
            "decided_at": row["updated_at"],
        }
    )
    chain.add(
        Tag.REVIEW_DECISION,
        row["identifier"],
        {"after": decision, "review_round": 1, "proposal": None},
    )


def _write_requests(numbers, rng, stakeholders, made) -> None:
    """About one data request for every twenty records, from the stakeholders."""
    rows = []
    for _ in range(len(numbers) // 20):
        person = rng.choice(stakeholders) if stakeholders else None
        topic = " ".join(rng.sample(WORDS, 3))
        rows.append(
            {
                "title": f"Please publish {topic}",
                "description": f"We would use {topic} data for neighbourhood planning.",
                "why": None,
                "requester_id": person.id if person else None,
                "requester_email": person.email if person else "resident@example.org",
                "status": "received",
                "dataset_id": None,
                "response": None,
            }
        )
    if rows:
        db.session.execute(insert(DataRequest), rows)
    made.requests += len(rows)

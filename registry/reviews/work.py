"""What waits for a person in the review workflow, by role (their My work page): the first
SUMMARY_SIZE records of each list in its order, most urgent list first, and how many each
holds; and each list of its own, a page at a time.

Every list is read off an index in its order and stops after its page; a list that is an OR of
conditions (records before the committee or in a re-review round; approved records dated from
today or undated) reads each part off its own index and merges the parts' pages. A list is
counted only up to COUNT_LIMIT: counting all of a state at 300,000 records (a committee member's
23,895 records awaiting their vote, each looked up among their votes) took 77 ms on PostgreSQL,
and a list that long is read through its link to the whole list, which counts it exactly.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, cast, exists, func, literal_column, select, true, union

from registry.datasets.models import Dataset
from registry.db import Unindexed, utctoday
from registry.extensions import db
from registry.permissions import Role
from registry.portal.models import PortalEntry
from registry.reviews.committee import get_settings
from registry.reviews.models import Vote
from registry.reviews.permissions import not_recused
from registry.reviews.workflow import State

WORK_LIST_LIMIT = 20  # the program's request lists (priorities.work)
SUMMARY_SIZE = 5  # each list's first records on the My work page
PAGE_SIZE = 25  # a list's page of its own
COUNT_LIMIT = 500
# Records an import left for their steward (a classification to confirm, unread values); a
# partial index holds them by department in the work lists' order (the literal lets SQLite
# match the index's condition).
NEEDS_ATTENTION = cast(Dataset.attention, String) != literal_column("'[]'")


class WorkList(list):
    """A page of a work list (`page`, of `size` items), and how many the list holds (`total`),
    counted up to COUNT_LIMIT (`beyond`: more than that)."""

    def __init__(
        self, items, total: int, *, beyond: bool = False, page: int = 1, size: int = 0
    ) -> None:
        super().__init__(items)
        self.total, self.beyond = total, beyond
        self.page, self.size = page, size or WORK_LIST_LIMIT

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def counted(self) -> str:
        """How many, as a sentence says it."""
        return f"more than {COUNT_LIMIT:,}" if self.beyond else f"{self.total:,}"

    @property
    def badge(self) -> str:
        """How many, as a badge beside the list's heading says it."""
        return f"{COUNT_LIMIT:,}+" if self.beyond else f"{self.total:,}"


def capped_count(*queries) -> tuple[int, bool]:
    """How many rows the queries (selects of ids) give together, counted up to COUNT_LIMIT, and
    whether there are more. Each is counted in its list's order: read off the index that pages
    it, rather than by a plan PostgreSQL picks for a few rows it expects early and does not
    find (approved records with no target date: none, read by scanning all 300,000)."""
    parts = [query.limit(COUNT_LIMIT + 1).subquery() for query in queries]
    counted = union(*(select(part.c[0]) for part in parts)).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    return min(total, COUNT_LIMIT), total > COUNT_LIMIT


@dataclass(frozen=True)
class Queue:
    """A work list's definition: the records meeting every condition and any of the parts, in
    its order."""

    conditions: tuple = ()
    parts: tuple = ()
    order: tuple = (Dataset.release_target_date, Dataset.title)


# The lists in the order of their urgency: a vote the committee waits for, a release past its
# date, what an import left, what others wait on, then what can wait.
URGENCY = (
    "awaiting_vote",
    "overdue",
    "to_confirm",
    "changes_requested",
    "to_triage",
    "to_publish",
    "late_on_portal",
    "in_rereview",
    "due_for_rereview",
    "drafts",
)


def late_on_portal(today: date):
    """Published, and overdue on a portal (portal.freshness): found off the index of when each
    portal dataset turns late (few), each record then read by id. (SQLite, with no statistics,
    read every published record off the status index and looked for its portal entries: a
    steward's My work took 680 ms at 300,000 records.)"""
    overdue = select(PortalEntry.dataset_id).where(PortalEntry.late_from <= today)
    return and_(Unindexed(Dataset.status) == State.PUBLISHED, Dataset.id.in_(overdue))


def queue_definitions(user, today: date) -> dict[str, Queue]:
    """What waits for this person, by role; a queue exists only for roles they hold."""
    roles = user.role_set
    queues: dict[str, Queue] = {}
    if Role.STEWARD in roles and user.departments:
        departments = [department.id for department in user.departments]
        mine = Dataset.department_id.in_(departments)
        # First: what an import left for them (a classification to confirm, unread values).
        queues["to_confirm"] = Queue((mine, NEEDS_ATTENTION))
        queues["drafts"] = Queue((mine, Dataset.status == State.DRAFT))
        queues["changes_requested"] = Queue((mine, Dataset.status == State.CHANGES_REQUESTED))
        # Off the index of records in re-review, which are few (SQLite, with no statistics,
        # would read every record of the department instead: 47 ms at 300,000 records).
        in_mine = Unindexed(Dataset.department_id).in_(departments)
        queues["in_rereview"] = Queue((in_mine, Dataset.proposed_governance.is_not(None)))
        queues["late_on_portal"] = Queue((in_mine, late_on_portal(today)))
    if Role.COORDINATOR in roles:
        queues["to_triage"] = Queue((Dataset.status == State.SUBMITTED,))
        queues["overdue"] = Queue((Dataset.is_overdue(today),))
        queues["to_publish"] = Queue(
            (Dataset.status == State.APPROVED,),
            parts=(Dataset.release_target_date >= today, Dataset.release_target_date.is_(None)),
        )
        queues["due_for_rereview"] = Queue(
            (Dataset.is_due_for_rereview(today, get_settings().rereview_days),),
            order=(Dataset.approved_on, Dataset.title),  # the longest since approval first
        )
        queues["in_rereview"] = Queue((Dataset.proposed_governance.is_not(None),))
        queues["late_on_portal"] = Queue((late_on_portal(today),))
    if Role.COMMITTEE in roles:
        # Looked up record by record on the votes' unique key, not read whole per record.
        voted = exists().where(
            Vote.dataset_id == Dataset.id,
            Vote.review_round == Dataset.review_round,
            Vote.member_id == user.id,
        )
        queues["awaiting_vote"] = Queue(
            (~voted, not_recused(user)),
            parts=(Dataset.status == State.IN_COMMITTEE, Dataset.proposed_governance.is_not(None)),
        )
    return queues


def work_queues(
    user, today: date | None = None, *, department_id: int | None = None
) -> dict[str, WorkList]:
    """The first SUMMARY_SIZE records of each of this person's lists, most urgent list first
    (of one department's records, if given)."""
    queues = queue_definitions(user, today or utctoday())
    return {
        key: _datasets(queues[key], department_id, size=SUMMARY_SIZE)
        for key in URGENCY
        if key in queues
    }


def work_list(
    user, key: str, page: int = 1, today: date | None = None, *, department_id: int | None = None
) -> WorkList | None:
    """One of this person's lists, a page of PAGE_SIZE at a time; None if they have no such
    list."""
    queue = queue_definitions(user, today or utctoday()).get(key)
    if queue is None:
        return None
    return _datasets(queue, department_id, size=PAGE_SIZE, page=page)


def _datasets(queue: Queue, department_id: int | None, *, size: int, page: int = 1) -> WorkList:
    """The records meeting every condition and any of the parts: each part's first pages read
    off its own index in the list's order, the pages merged, and the whole counted up to
    COUNT_LIMIT."""
    conditions = queue.conditions
    if department_id is not None:
        conditions = (*conditions, Dataset.department_id == department_id)
    each = [
        select(Dataset.id).where(part, *conditions).order_by(*queue.order)
        for part in queue.parts or (true(),)
    ]
    pages = [query.limit(page * size).subquery() for query in each]
    first = union(*(select(part.c.id) for part in pages))
    query = select(Dataset).where(Dataset.id.in_(first)).order_by(*queue.order, Dataset.id)
    total, beyond = capped_count(*each)
    items = db.session.scalars(query.offset((page - 1) * size).limit(size))
    return WorkList(items, total, beyond=beyond, page=page, size=size)

"""What waits for a person in the review workflow, by role (their My work page): the first
WORK_LIST_LIMIT records of each list in its order, and how many the list holds.

Every list is read off an index in its order and stops after its page; a list that is an OR of
conditions (records before the committee or in a re-review round; approved records dated from
today or undated) reads each part off its own index and merges the parts' pages. A list is
counted only up to COUNT_LIMIT: counting all of a state at 300,000 records (a committee member's
23,895 records awaiting their vote, each looked up among their votes) took 77 ms on PostgreSQL,
and a list that long is read through its link to the whole list, which counts it exactly.
"""

from datetime import date

from sqlalchemy import String, cast, exists, func, literal_column, select, true, union

from registry.datasets.models import Dataset
from registry.db import Unindexed, utctoday
from registry.extensions import db
from registry.permissions import Role
from registry.reviews.committee import get_settings
from registry.reviews.models import Vote
from registry.reviews.permissions import not_recused
from registry.reviews.workflow import State

WORK_LIST_LIMIT = 20
COUNT_LIMIT = 500
# Records an import left for their steward (a classification to confirm, unread values); a
# partial index holds them by department in the work lists' order (the literal lets SQLite
# match the index's condition).
NEEDS_ATTENTION = cast(Dataset.attention, String) != literal_column("'[]'")


class WorkList(list):
    """The first WORK_LIST_LIMIT items of a work list, and how many the list holds (`total`),
    counted up to COUNT_LIMIT (`beyond`: more than that)."""

    def __init__(self, items, total: int, *, beyond: bool = False) -> None:
        super().__init__(items)
        self.total, self.beyond = total, beyond

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


def work_queues(user, today: date | None = None) -> dict[str, WorkList]:
    """What waits for this person, by role; a queue appears only for roles they hold."""
    today = today or utctoday()
    roles = user.role_set
    queues: dict[str, WorkList] = {}
    if Role.STEWARD in roles and user.departments:
        departments = [department.id for department in user.departments]
        mine = Dataset.department_id.in_(departments)
        # First: what an import left for them (a classification to confirm, unread values).
        queues["to_confirm"] = _datasets(mine, NEEDS_ATTENTION)
        queues["drafts"] = _datasets(mine, Dataset.status == State.DRAFT)
        queues["changes_requested"] = _datasets(mine, Dataset.status == State.CHANGES_REQUESTED)
        # Off the index of records in re-review, which are few (SQLite, with no statistics,
        # would read every record of the department instead: 47 ms at 300,000 records).
        in_mine = Unindexed(Dataset.department_id).in_(departments)
        queues["in_rereview"] = _datasets(in_mine, Dataset.proposed_governance.is_not(None))
    if Role.COORDINATOR in roles:
        queues["to_triage"] = _datasets(Dataset.status == State.SUBMITTED)
        queues["overdue"] = _datasets(Dataset.is_overdue(today))
        queues["to_publish"] = _datasets(
            Dataset.status == State.APPROVED,
            parts=[Dataset.release_target_date >= today, Dataset.release_target_date.is_(None)],
        )
        queues["due_for_rereview"] = _datasets(
            Dataset.is_due_for_rereview(today, get_settings().rereview_days),
            order=(Dataset.approved_on, Dataset.title),  # the longest since approval first
        )
        queues["in_rereview"] = _datasets(Dataset.proposed_governance.is_not(None))
    if Role.COMMITTEE in roles:
        # Looked up record by record on the votes' unique key, not read whole per record.
        voted = exists().where(
            Vote.dataset_id == Dataset.id,
            Vote.review_round == Dataset.review_round,
            Vote.member_id == user.id,
        )
        queues["awaiting_vote"] = _datasets(
            ~voted,
            not_recused(user),
            parts=[
                Dataset.status == State.IN_COMMITTEE,
                Dataset.proposed_governance.is_not(None),
            ],
        )
    return queues


def _datasets(
    *conditions, parts=None, order=(Dataset.release_target_date, Dataset.title)
) -> WorkList:
    """The records meeting every condition and any of the parts: each part's page read off its
    own index in the list's order, the pages merged, and the whole counted up to COUNT_LIMIT."""
    each = [
        select(Dataset.id).where(part, *conditions).order_by(*order) for part in parts or [true()]
    ]
    pages = [query.limit(WORK_LIST_LIMIT).subquery() for query in each]
    first = union(*(select(page.c.id) for page in pages))
    query = select(Dataset).where(Dataset.id.in_(first)).order_by(*order, Dataset.id)
    total, beyond = capped_count(*each)
    return WorkList(db.session.scalars(query.limit(WORK_LIST_LIMIT)), total, beyond=beyond)

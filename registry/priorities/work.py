"""What the program asks of a person on their My work page: open rounds to vote in (stakeholders),
data requests to answer and those past the policy's clocks (coordinators), records awaiting an
assessment (committee members)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, select

from registry.datasets.models import Dataset
from registry.db import in_order_of, utcnow
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.priorities import requests, rounds
from registry.priorities.models import Assessment, DataRequest, VotingRound
from registry.reviews.permissions import is_recused
from registry.reviews.work import PAGE_SIZE, SUMMARY_SIZE, WorkList, capped_count

ASSESSMENT_LIST_LIMIT = 20


@dataclass
class ProgramWork:
    rounds: list[tuple[VotingRound, int]] = field(default_factory=list)  # (round, votes left)
    overdue_requests: list[DataRequest] = field(default_factory=lambda: WorkList([], 0))
    requests_to_answer: list[DataRequest] = field(default_factory=lambda: WorkList([], 0))
    to_assess: list[Dataset] = field(default_factory=list)
    my_requests: list[DataRequest] = field(default_factory=list)  # ones they asked

    @property
    def empty(self) -> bool:
        return not (
            self.rounds
            or self.overdue_requests
            or self.requests_to_answer
            or self.to_assess
            or self.my_requests
        )


def program_work(user, now: datetime | None = None) -> ProgramWork:
    now = now or utcnow()
    work = ProgramWork()
    if has_permission(user, Permission.ROUND_VOTE):
        for voting_round in rounds.list_rounds():
            if voting_round.is_open(now):
                work.rounds.append((voting_round, rounds.my_votes(voting_round, user)[1]))
    if has_permission(user, Permission.PROGRAM_MANAGE):
        lists = _request_lists(now)
        work.overdue_requests = _page(lists["overdue_requests"], SUMMARY_SIZE)
        work.requests_to_answer = _page(lists["requests_to_answer"], SUMMARY_SIZE)
    if has_permission(user, Permission.ASSESS):
        work.to_assess = _to_assess(user)
    asked = requests.requests_query().where(DataRequest.requester_id == user.id).limit(20)
    work.my_requests = list(db.session.scalars(asked))
    return work


REQUEST_LISTS = ("overdue_requests", "requests_to_answer")


def _request_lists(now: datetime) -> dict:
    """The coordinator's lists of requests: those past the policy's clocks (the oldest first),
    and the others still to answer (the newest first)."""
    waiting = requests.requests_query().where(_unanswered(), requests.unanswered_in_time(now))
    return {"overdue_requests": requests.overdue_query(now), "requests_to_answer": waiting}


def request_list(user, key: str, page: int = 1, now: datetime | None = None) -> WorkList | None:
    """One of the coordinator's lists of requests, a page of PAGE_SIZE at a time; None if the
    person keeps no such list."""
    if key not in REQUEST_LISTS or not has_permission(user, Permission.PROGRAM_MANAGE):
        return None
    return _page(_request_lists(now or utcnow())[key], PAGE_SIZE, page)


def _page(query, size: int, page: int = 1) -> WorkList:
    """A page of a list of requests, and how many it holds (counted up to
    reviews.work.COUNT_LIMIT). The page's ids are found first, in the list's order, and then
    only those requests are read with what they show: joined before the sort, every request
    in the list was (500 requests to answer: 15 ms for a page of 25)."""
    ids = query.with_only_columns(DataRequest.id)
    total, beyond = capped_count(ids)
    wanted = list(db.session.scalars(ids.offset((page - 1) * size).limit(size)))
    found = db.session.scalars(select(DataRequest).where(DataRequest.id.in_(wanted)))
    items = in_order_of(wanted, found)
    return WorkList(items, total, beyond=beyond, page=page, size=size)


def _unanswered():
    return DataRequest.status.in_(rounds.OPEN_REQUEST_STATES)


def _to_assess(member) -> list[Dataset]:
    """Records before the committee, or approved and not yet released, that this member has not
    assessed (and is not recused from), the soonest target first. Each state is read off the
    index of its records by target date, as far as the list goes, and the two merged (as one
    query for both, the database sorted every such record: 18,000 at 100,000 records)."""
    assessed = exists().where(
        Assessment.dataset_id == Dataset.id, Assessment.member_id == member.id
    )  # looked up on the assessments' unique key, record by record
    found = []
    for status in ("in_committee", "approved"):
        query = (
            select(Dataset)
            .where(Dataset.status == status, rounds.is_candidate_record(), ~assessed)
            .order_by(Dataset.release_target_date, Dataset.title)
            .limit(ASSESSMENT_LIST_LIMIT * 2)
        )
        found += db.session.scalars(query)
    # The database's order: PostgreSQL puts records with no target date last, SQLite first.
    nulls_last = db.session.get_bind().dialect.name != "sqlite"
    found.sort(
        key=lambda record: (
            (record.release_target_date is None) == nulls_last,
            record.release_target_date or date.min,
            record.title,
        )
    )
    return [record for record in found if not is_recused(member, record)][:ASSESSMENT_LIST_LIMIT]

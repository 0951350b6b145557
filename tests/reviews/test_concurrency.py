"""Two members voting at the same moment never produce two decisions, on a new submission or in
a re-review round. The votes commit for real through separate connections, on a database of the
test's own (a SQLite file, or a fresh PostgreSQL database)."""

import threading

import pytest
from sqlalchemy import func, select

from registry.extensions import db

pytestmark = pytest.mark.own_database


@pytest.mark.parametrize("rereview", [False, True], ids=["new submission", "re-review round"])
def test_concurrent_deciding_votes_make_one_decision(scratch_app, rereview):
    scratch_app = scratch_app()
    from registry.accounts.models import User
    from registry.datasets.models import Dataset
    from registry.datasets.services import update_dataset
    from registry.reviews import services
    from registry.reviews.models import Decision
    from tests import factories

    with scratch_app.app_context():
        # Three members: quorum is two. One approving vote is in; the next one decides.
        members = [factories.user("committee") for _ in range(3)]
        dataset = factories.in_committee()
        approve = {"vote": "approve", "rationale": "Yes."}
        if rereview:  # approved first, then its steward proposes to restrict it
            services.cast_vote(dataset, approve, actor=members[0])
            services.cast_vote(dataset, approve, actor=members[1])
            update_dataset(
                dataset,
                {"classification": "restricted", "rights": "Code 2.14", "version": dataset.version},
                actor=dataset.steward,
            )
            assert dataset.proposed_governance is not None
        services.cast_vote(dataset, approve, actor=members[0])
        db.session.commit()
        identifier, racers = dataset.identifier, [member.id for member in members[1:]]

    barrier = threading.Barrier(len(racers))
    outcomes: list[str] = []

    def vote(member_id: int) -> None:
        with scratch_app.app_context():
            member = db.session.get(User, member_id)
            target = db.session.scalar(select(Dataset).where(Dataset.identifier == identifier))
            db.session.commit()  # hold no lock while waiting for the other voter (SQLite)
            barrier.wait()
            try:
                services.cast_vote(target, {"vote": "approve", "rationale": "Yes."}, actor=member)
                db.session.commit()
                outcomes.append("voted")
            except Exception as exc:  # the later vote finds the decision already made
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(member_id,)) for member_id in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    with scratch_app.app_context():
        decisions = db.session.scalar(select(func.count()).select_from(Decision))
    assert (decisions, sorted(outcomes)) == (1 + rereview, ["InvalidTransition", "voted"])

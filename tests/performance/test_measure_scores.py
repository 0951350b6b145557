"""A record that measures of city priorities are computed from, and not yet released, rises in
the release queue: the score's "measures" part (half for one measure, all of it for two), kept
in the same transaction as the measure that names it or stops naming it, and said in "why
here"."""

from sqlalchemy import select

from registry.extensions import db
from registry.performance.services import update_measure
from registry.priorities.models import QueueScore
from registry.priorities.standings import formula_of


def _part(record) -> tuple[float, str]:
    row = db.session.scalar(select(QueueScore).where(QueueScore.dataset_id == record.id))
    part = next(part for part in formula_of(row).parts if part.name == "measures")
    return part.points, part.explanation


def test_measures_raise_a_candidate_and_letting_go_lowers_it_again(make):
    record = make.dataset(title="EMS Response Times")
    assert _part(record) == (0.0, "Feeds no measure of a city priority.")
    first = make.measure(datasets=[record.identifier])
    assert _part(record) == (5.0, "Feeds 1 measure of city priorities.")
    make.measure(datasets=[record.identifier], name="Cardiac arrests survived")
    assert _part(record) == (10.0, "Feeds 2 measures of city priorities.")
    update_measure(
        first, {"version": first.version, "datasets": []}, actor=make.user("coordinator")
    )
    db.session.commit()
    assert _part(record) == (5.0, "Feeds 1 measure of city priorities.")


def test_the_queue_page_says_why(client, make):
    record = make.dataset(title="EMS Response Times")
    make.measure(datasets=[record.identifier])
    page = client.get("/queue").get_data(as_text=True)
    assert "Feeds measures of city priorities" in page

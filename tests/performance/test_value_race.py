"""Two stewards report the same period's value at the same moment (a form and a file, two tabs):
one is reported, the other is told the period has a value now and asks for a reason; never two
values in force for one period. Two record one month's stock-take of a department at once:
one is kept, the other is told it was recorded. Through separate connections, on a database
of the test's own (a SQLite file, or a fresh PostgreSQL database)."""

import threading

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.extensions import db

pytestmark = pytest.mark.own_database

VALUES = ["87.5", "91"]


def test_two_first_reports_of_one_period_at_once_keep_one_value(scratch_app):
    app = scratch_app()
    from registry.accounts.models import User
    from registry.audit.models import AuditEvent
    from registry.performance import services
    from registry.performance.models import Measure, MeasureValue
    from tests import factories

    with app.app_context():
        steward = factories.user("steward")
        measure = factories.measure(steward.departments[0].code)
        measure_id, steward_id = measure.id, steward.id

    barrier = threading.Barrier(len(VALUES))
    outcomes: list[str] = []

    def report(value: str) -> None:
        with app.test_request_context():
            barrier.wait()  # then each begins its transaction, as a request would
            try:
                person = db.session.get(User, steward_id)
                measure = db.session.get(Measure, measure_id)
                services.report_value(measure, {"period": "2026-01", "value": value}, actor=person)
                db.session.commit()
                outcomes.append(value)
            except ValidationError as refused:
                db.session.rollback()
                outcomes.append(refused.messages["reason"][0])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=report, args=(value,)) for value in VALUES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2
    kept = next(outcome for outcome in outcomes if outcome in VALUES)
    refused = next(outcome for outcome in outcomes if outcome not in VALUES)
    assert "January 2026 already has a value" in refused
    with app.app_context():
        rows = db.session.scalars(
            select(MeasureValue.value).where(MeasureValue.measure_id == measure_id)
        ).all()
        events = db.session.scalar(
            select(func.count()).where(AuditEvent.tag == "performance:value:report")
        )
    assert rows == [float(kept)] and events == 1


def test_two_records_of_one_months_stock_take_at_once_keep_one(scratch_app):
    app = scratch_app()
    from registry.accounts.models import Department, User
    from registry.db import utctoday
    from registry.errors import Conflict
    from registry.performance import stocktakes
    from registry.performance.models import StockTake
    from tests import factories

    with app.app_context():
        steward = factories.user("steward")
        steward_id, department_id = steward.id, steward.departments[0].id

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(attendees: str) -> None:
        with app.test_request_context():
            barrier.wait()
            try:
                person = db.session.get(User, steward_id)
                department = db.session.get(Department, department_id)
                month = utctoday().replace(day=1)
                stocktakes.record_stock_take(
                    department,
                    month,
                    {"held_on": utctoday().isoformat(), "attendees": attendees},
                    actor=person,
                )
                db.session.commit()
                outcomes.append(attendees)
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record, args=(name,)) for name in ("Ana", "Ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2 and outcomes.count("conflict") == 1
    with app.app_context():
        kept = db.session.scalars(select(StockTake.attendees)).all()
    assert kept == [next(outcome for outcome in outcomes if outcome != "conflict")]

"""A department's monthly stock-take: its agenda lists the follow-ups earlier meetings left
open first, then its measures off track or missing data, then its datasets late for release;
the meeting records notes and follow-ups per measure and closes follow-ups done; the next
month's agenda starts with what is still open. Refused input saves nothing."""

from datetime import date, timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.db import clock_at, utcnow, utctoday
from registry.errors import Conflict, PermissionDenied
from registry.extensions import db
from registry.performance import services, stocktakes
from registry.performance.board import measure_views
from registry.performance.models import StockTake, StockTakeNote


@pytest.fixture
def department(make):
    """A steward's department with a measure off track, one on track, one with no data, and
    a dataset approved past its release date."""
    steward = make.user("steward")
    code = steward.departments[0].code
    last = stocktakes.month_of(utctoday().isoformat()[:7]) - timedelta(days=1)
    month = f"{last.year}-{last.month:02d}"
    off, on = make.measure(code, name="Potholes fixed"), make.measure(code, name="Lights fixed")
    make.measure(code, name="Trees planted")  # nothing reported: no data
    for measure, value in ((off, 70), (on, 95)):
        services.report_value(measure, {"period": month, "value": value}, actor=steward)
    late = make.approved(code, target=utctoday() - timedelta(days=10), title="Work orders")
    db.session.commit()
    return steward, steward.departments[0], off, late


def _this_month() -> date:
    return stocktakes.month_of(utctoday().isoformat()[:7])


def _next(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def test_the_agenda_lists_what_is_off_track_missing_and_late(department):
    steward, unit, _off, late = department
    found = stocktakes.agenda(unit, _this_month(), steward)
    assert found.follow_ups == []
    assert {view.measure.name: view.status for view in found.measures} == {
        "Potholes fixed": "off_track",
        "Trees planted": "no_data",
    }
    assert [record.identifier for record in found.late] == [late.identifier]


def test_a_follow_up_opens_the_next_agenda_until_a_meeting_closes_it(department):
    steward, unit, off, _late = department
    month = _this_month()
    stocktakes.record_stock_take(
        unit,
        month,
        {
            "held_on": utctoday().isoformat(),
            "attendees": "The director, two crew leads",
            f"note-{off.id}": "The spring backlog is still with us.",
            f"follow_up-{off.id}": "Add a Saturday crew",
            f"follow_up_by-{off.id}": (utctoday() + timedelta(days=20)).isoformat(),
        },
        actor=steward,
    )
    db.session.commit()
    following = stocktakes.agenda(unit, _next(month), steward)
    assert [(note.measure.name, note.follow_up) for note in following.follow_ups] == [
        ("Potholes fixed", "Add a Saturday crew")
    ]
    assert (
        db.session.scalar(
            select(func.count()).where(AuditEvent.tag == "performance:stock_take:record")
        )
        == 1
    )


def test_a_held_stock_take_shows_the_values_as_they_stood_on_its_day(department, make):
    """A value corrected after the meeting is not what the meeting looked at: the held month's
    page keeps the value of its day, while the board shows the correction."""
    steward, unit, off, _late = department
    month = _this_month()
    stocktakes.record_stock_take(unit, month, {"held_on": utctoday().isoformat()}, actor=steward)
    db.session.commit()
    reported = stocktakes.month_of(utctoday().isoformat()[:7]) - timedelta(days=1)
    with clock_at(utcnow() + timedelta(days=2)):
        correction = {"period": reported.isoformat()[:7], "value": 96, "reason": "A miscount"}
        services.report_value(off, correction, actor=steward)
        make.measure(unit.code, name="Added after the meeting")
        db.session.commit()
        held = stocktakes.agenda(unit, month, steward)
    shown = {
        view.measure.name: view.latest.value if view.latest else None for view in held.measures
    }
    now = measure_views([off], steward, utctoday(), None)[0]
    assert (shown, now.latest.value) == ({"Potholes fixed": 70, "Trees planted": None}, 96)


def test_closing_a_follow_up_at_the_next_meeting(department, make):
    steward, unit, off, _late = department
    # Last month's meeting, as recorded then, left a follow-up open.
    earlier = (_this_month() - timedelta(days=1)).replace(day=1)
    first = StockTake(department_id=unit.id, month=earlier, held_on=earlier)
    db.session.add(first)
    db.session.flush()
    open_item = StockTakeNote(stock_take_id=first.id, measure_id=off.id, follow_up="Hire two")
    db.session.add(open_item)
    db.session.commit()
    stocktakes.record_stock_take(
        unit,
        _this_month(),
        {"held_on": utctoday().isoformat(), "close": [str(open_item.id)]},
        actor=steward,
    )
    db.session.commit()
    assert open_item.closed_in_id is not None
    assert stocktakes.agenda(unit, _next(_this_month()), steward).follow_ups == []


@pytest.mark.parametrize(
    ("form", "field", "says"),
    [
        ({"held_on": "2001-01-05"}, "held_on", "Give a day of"),
        ({"held_on": None}, "held_on", "This is required."),
        ({"held_on": "today"}, "held_on", "Give a day as"),
        ({"follow_up_by-{id}": "2030-01-01"}, "follow_up-{id}", "Say what is to be done"),
        ({"close": ["999999"]}, "close", "Only this department's open follow-ups"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_saved(department, form, field, says):
    steward, unit, off, _late = department
    form = {"held_on": utctoday().isoformat()} | {
        key.replace("{id}", str(off.id)): value for key, value in form.items()
    }
    form = {key: value for key, value in form.items() if value is not None}
    with pytest.raises(ValidationError) as refused:
        stocktakes.record_stock_take(unit, _this_month(), form, actor=steward)
    db.session.rollback()
    assert says in refused.value.messages[field.replace("{id}", str(off.id))][0]
    assert db.session.scalar(select(func.count()).select_from(StockTake)) == 0


def test_one_stock_take_a_month_and_only_the_departments_own(department, make):
    steward, unit, _off, _late = department
    stocktakes.record_stock_take(
        unit, _this_month(), {"held_on": utctoday().isoformat()}, actor=steward
    )
    db.session.commit()
    with pytest.raises(Conflict):
        stocktakes.record_stock_take(
            unit, _this_month(), {"held_on": utctoday().isoformat()}, actor=steward
        )
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        stocktakes.record_stock_take(
            unit, _this_month(), {"held_on": utctoday().isoformat()}, actor=make.user("steward")
        )


def test_the_pages(client, sign_in, department):
    steward, unit, off, _late = department
    sign_in(steward)
    month = utctoday().isoformat()[:7]
    page = client.get(f"/performance/stock-takes?department={unit.code}&month={month}")
    agenda = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Potholes fixed" in agenda and "Work orders" in agenda
    assert "Lights fixed" not in agenda  # on track
    done = client.post(
        f"/performance/stock-takes/{unit.code}/{month}",
        data={"held_on": utctoday().isoformat(), f"follow_up-{off.id}": "Call the vendor"},
    )
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "is recorded" in shown and "Call the vendor" in shown
    assert client.get(f"/performance/stock-takes/{unit.code}/2026-13").status_code == 404

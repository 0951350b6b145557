"""Defining measures and reporting their values, through the services: each change versioned and
audited; refused input names what is wrong and changes nothing; a correction keeps the value it
corrects, with its reason; an edit based on an older version applies only what its editor
changed."""

from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.db import utctoday
from registry.errors import Conflict, PermissionDenied
from registry.extensions import db
from registry.performance import services
from registry.performance.models import MeasureValue, MeasureVersion


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    db.session.rollback()
    return refused.value.messages


def _tags() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq)))


def test_a_measure_is_defined_with_a_version_and_an_audit_event(make):
    dataset = make.dataset(classification="restricted")
    measure = make.measure(datasets=[dataset.identifier])
    assert [source.dataset_id for source in measure.sources] == [dataset.id]
    version = db.session.scalar(
        select(MeasureVersion).where(MeasureVersion.measure_id == measure.id)
    )
    assert version.version == 1 and version.snapshot["datasets"] == [dataset.identifier]
    assert _tags()[-1] == "performance:measure:create"


def test_bad_definitions_are_refused_each_with_its_reason(make):
    steward = make.user("steward")
    code = steward.departments[0].code
    make.city_priority("Safe neighbourhoods")
    before = _count(AuditEvent)
    errors = _errors(
        lambda: services.create_measure(
            {
                "priority": "Safe streets",
                "department": code,
                "name": "Response",
                "counts": "Calls",
                "unit": "%",
                "direction": "sideways",
                "target": "ninety",
                "target_date": (utctoday() - timedelta(days=1)).isoformat(),
                "frequency": "weekly",
                "datasets": ["NOPE-1"],
            },
            actor=steward,
        )
    )
    assert set(errors) == {
        "priority",
        "direction",
        "target",
        "target_date",
        "frequency",
        "datasets",
    }
    assert "still to come" in errors["target_date"][0]
    assert errors["target"] == ["Give a number, such as 12, 87.5 or 1,204."]
    assert _count(AuditEvent) == before


def test_a_steward_keeps_only_their_own_departments_measures(make):
    steward = make.user("steward")
    theirs, others = make.measure(steward.departments[0].code), make.measure()
    with pytest.raises(PermissionDenied):
        services.report_value(others, {"period": "2026-01", "value": 1}, actor=steward)
    assert services.report_value(theirs, {"period": "2026-01", "value": 1}, actor=steward).changed


def _definition(department: str, **fields) -> dict:
    return {
        "priority": "Safe neighbourhoods",
        "department": department,
        "name": "Response",
        "counts": "Calls answered",
        "unit": "%",
        "direction": "higher",
        "target": 90,
        "target_date": (utctoday() + timedelta(days=30)).isoformat(),
        "frequency": "monthly",
        **fields,
    }


def test_a_steward_cannot_name_a_record_they_may_not_read(make):
    steward = make.user("steward")
    make.city_priority("Safe neighbourhoods")
    hidden = make.dataset(department=make.department().code, classification="restricted")
    code = steward.departments[0].code
    errors = _errors(
        lambda: services.create_measure(
            _definition(code, datasets=[hidden.identifier, "NOPE-1"]), actor=steward
        )
    )
    # The same words as for a record that does not exist: nothing is learnt of it.
    assert errors["datasets"] == [
        f"No record you may read has the identifier {hidden.identifier}, NOPE-1."
    ]


def test_a_value_is_reported_and_corrected_only_with_a_reason(make):
    measure = make.measure()
    coordinator = make.user("coordinator")
    first = services.report_value(
        measure, {"period": "January 2026", "value": "87.5"}, actor=coordinator
    )
    db.session.commit()
    errors = _errors(
        lambda: services.report_value(
            measure, {"period": "2026-01", "value": "88"}, actor=coordinator
        )
    )
    assert "already has a value (87.5" in errors["reason"][0]
    corrected = services.report_value(
        measure,
        {"period": "1/31/2026", "value": "88", "reason": "Late calls were left out."},
        actor=coordinator,
    )
    db.session.commit()
    assert corrected.corrected and corrected.row.corrects_id == first.row.id
    rows = db.session.scalars(
        select(MeasureValue).where(MeasureValue.measure_id == measure.id).order_by(MeasureValue.id)
    ).all()
    assert [(row.value, row.superseded_at is not None) for row in rows] == [
        (87.5, True),
        (88.0, False),
    ]
    assert _tags()[-2:] == ["performance:value:report", "performance:value:correct"]
    again = services.report_value(measure, {"period": "2026-01", "value": "88"}, actor=coordinator)
    assert not again.changed


@pytest.mark.parametrize(
    ("period", "value", "field", "says"),
    [
        ("2026-Q1", "80", "period", "reported monthly: give a month"),
        ("2026-01", "eighty", "value", "Give a number"),
        ("2026-01", "", "value", "This is required."),
        ("2999-01", "80", "period", "has not begun yet"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(make, period, value, field, says):
    measure, coordinator = make.measure(), make.user("coordinator")
    before = _count(MeasureValue), _count(AuditEvent)
    errors = _errors(
        lambda: services.report_value(
            measure, {"period": period, "value": value}, actor=coordinator
        )
    )
    assert says in errors[field][0]
    assert (_count(MeasureValue), _count(AuditEvent)) == before


def test_the_unit_cannot_change_once_values_are_reported(make):
    measure = make.measure()
    coordinator = make.user("coordinator")
    services.report_value(measure, {"period": "2026-01", "value": 80}, actor=coordinator)
    db.session.commit()
    errors = _errors(
        lambda: services.update_measure(
            measure, {"version": measure.version, "unit": "calls"}, actor=coordinator
        )
    )
    assert errors["unit"][0].startswith("The unit cannot change once values are reported (1 in %)")


def test_an_edit_based_on_an_older_version_applies_only_what_its_editor_changed(make):
    measure = make.measure()
    first, second = make.user("coordinator"), make.user("coordinator")
    seen = services.snapshot(measure) | {"version": measure.version}
    services.update_measure(measure, {"version": measure.version, "target": 95}, actor=first)
    db.session.commit()
    # The second person's form still shows target 90; they changed the name only.
    services.update_measure(measure, {**seen, "name": "Calls answered fast"}, actor=second)
    db.session.commit()
    assert (measure.target, measure.name, measure.version) == (95.0, "Calls answered fast", 3)
    with pytest.raises(Conflict):
        services.update_measure(measure, {**seen, "target": 80}, actor=second)
    db.session.rollback()
    versions = db.session.scalars(
        select(MeasureVersion.changes)
        .where(MeasureVersion.measure_id == measure.id)
        .order_by(MeasureVersion.version)
    ).all()
    assert versions[1] == {"target": [90.0, 95.0]}
    assert versions[2] == {"name": ["Calls answered within 8 minutes", "Calls answered fast"]}

"""The measures in the program's figures and as of a past day: the dashboard's count of each
priority's measures by status, the annual report's table, and a measure read as it was defined
and reported then (a target raised since reads as it was)."""

from datetime import UTC, datetime, timedelta

from registry.db import clock_at, utcnow
from registry.extensions import db
from registry.performance import services
from registry.performance.rules import last_ended, period_code
from registry.reviews.services import perform_transition


def _report(measure, actor, value, **more):
    period = period_code(last_ended(utcnow().date(), measure.frequency), measure.frequency)
    return services.report_value(measure, {"period": period, "value": value, **more}, actor=actor)


def test_the_dashboard_counts_each_prioritys_measures_by_status(client, make):
    coordinator = make.user("coordinator")
    on, off = make.measure(name="Calls on time"), make.measure(name="Fires out fast")
    make.measure(name="Nothing yet", priority="Economic opportunity")
    _report(on, coordinator, 95)
    _report(off, coordinator, 50)
    db.session.commit()
    figure = client.get("/api/v1/stats/measures").get_json()
    assert figure["columns"] == ["City priority", "On track", "Off track", "No data", "Measures"]
    assert figure["rows"] == [  # in the coordinator's order (here both first: then by name)
        ["Economic opportunity", 0, 0, 1, 1],
        ["Safe neighbourhoods", 1, 1, 0, 2],
    ]
    csv = client.get("/stats/measures.csv").get_data(as_text=True)
    assert "Safe neighbourhoods,1,1,0,2" in csv


def test_the_report_says_where_each_measure_stood(client, make):
    coordinator = make.user("coordinator")
    measure = make.measure()
    _report(measure, coordinator, 91.5)
    db.session.commit()
    page = client.get("/report").get_data(as_text=True)
    assert "Calls answered within 8 minutes" in page and "91.5 %" in page
    sheet = client.get("/report.csv").get_data(as_text=True)
    assert "Measures,Safe neighbourhoods,Calls answered within 8 minutes" in sheet


def test_a_measure_as_of_a_past_day_reads_its_target_then(client, make):
    coordinator = make.user("coordinator")
    with clock_at(datetime.now(UTC) - timedelta(days=5)):
        measure = make.measure()
        _report(measure, coordinator, 88)
        db.session.commit()
    services.update_measure(measure, {"version": measure.version, "target": 85}, actor=coordinator)
    db.session.commit()
    then = (utcnow() - timedelta(days=3)).date().isoformat()
    past = client.get(f"/api/v1/measures/{measure.id}?as_of={then}").get_json()
    now = client.get(f"/api/v1/measures/{measure.id}").get_json()
    assert (past["target"], past["status"]) == (90.0, "off_track")
    assert (now["target"], now["status"]) == (85.0, "on_track")
    earlier = (utcnow() - timedelta(days=10)).date().isoformat()
    assert client.get(f"/api/v1/measures?as_of={earlier}").get_json()["items"] == []


def test_the_data_behind_a_measure_as_of_a_past_day_is_as_released_then(client, make):
    with clock_at(datetime.now(UTC) - timedelta(days=5)):
        planned = make.approved(title="Fire Incidents")
        measure = make.measure(datasets=[planned.identifier])
    perform_transition(
        planned,
        {"action": "publish", "landing_page": "https://data.city.example/fire"},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    then = (utcnow() - timedelta(days=3)).date().isoformat()
    past = client.get(f"/api/v1/measures/{measure.id}?as_of={then}").get_json()
    now = client.get(f"/api/v1/measures/{measure.id}").get_json()
    assert [(d["title"], d["released"]) for d in now["datasets"]] == [("Fire Incidents", True)]
    # A visitor reads it by today's rule (released), and sees that it was not released then.
    assert [(d["title"], d["released"]) for d in past["datasets"]] == [("Fire Incidents", False)]

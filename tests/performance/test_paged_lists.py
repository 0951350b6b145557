"""Every list is bounded: the measures (the page and the API), a measure's periods, the
stock-takes recorded and a record's history are read a page at a time, each saying how many
there are in all; a priority with no measure keeps its place among the pages."""

from datetime import date

from registry.datasets import services as datasets
from registry.extensions import db
from registry.performance import services, stocktakes
from registry.performance.models import StockTake
from tests.factories import token


def _priorities(make):
    """Four priorities in order (of their names, none placed), the second and the fourth with
    no measure, and five measures: three under the first, two under the third."""
    code = make.department().code
    for name in ("Air quality", "Budget openness", "Community jobs", "Digital services"):
        make.city_priority(name)
    for name in ("Alpha", "Beta", "Gamma"):
        make.measure(code, priority="Air quality", name=f"{name} measure")
    for name in ("Delta", "Epsilon"):
        make.measure(code, priority="Community jobs", name=f"{name} measure")


PRIORITIES = ("Air quality", "Budget openness", "Community jobs", "Digital services")


def _sections(body: str) -> list[str]:
    return [name for name in PRIORITIES if f">{name}</h2>" in body]


def test_the_board_is_read_a_page_at_a_time_and_every_priority_keeps_its_place(client, make):
    _priorities(make)
    seen = []
    for number, sections in (
        (1, ["Air quality"]),
        (2, ["Air quality", "Budget openness", "Community jobs"]),
        (3, ["Community jobs", "Digital services"]),
    ):
        body = client.get(f"/performance?per_page=2&page={number}").get_data(as_text=True)
        assert _sections(body) == sections, number
        assert "of 5 measures" in body
        seen += [name for name in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon") if name in body]
    assert seen == ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]
    # Two pagers on a page, each its own landmark (axe: landmark-unique).
    assert 'aria-label="Pages of measures"' in body
    assert 'aria-label="Pages of measures, at the end"' in body
    whole = client.get("/performance").get_data(as_text=True)
    assert _sections(whole) == list(PRIORITIES)
    assert "No measure is defined under this priority" in whole
    past = client.get("/performance?per_page=2&page=9").get_data(as_text=True)
    assert "No measures on this page: there are 5 in all." in past
    assert client.get("/performance?per_page=500").status_code == 422


def test_priorities_with_no_measure_yet_are_each_shown_so(client, make):
    for name in PRIORITIES[:2]:
        make.city_priority(name)
    body = client.get("/performance").get_data(as_text=True)
    assert _sections(body) == list(PRIORITIES[:2])
    assert body.count("No measure is defined under this priority") == 2
    assert "No measures" in body  # the pager says there are none


def test_the_measures_api_pages_with_the_total(client, make):
    _priorities(make)
    first = client.get("/api/v1/measures?per_page=2").get_json()
    assert (first["total"], first["page"], first["per_page"]) == (5, 1, 2)
    assert [item["name"] for item in first["items"]] == ["Alpha measure", "Beta measure"]
    last = client.get("/api/v1/measures?per_page=2&page=3").get_json()
    assert [item["name"] for item in last["items"]] == ["Epsilon measure"]
    refused = client.get("/api/v1/measures?per_page=101")
    assert refused.status_code == 422 and "per_page" in refused.get_json()["errors"]


def test_a_measures_periods_are_paged_newest_first(client, make):
    steward = make.user("steward")
    measure = make.measure(steward.departments[0].code)
    for month in range(1, 7):
        services.report_value(
            measure, {"period": f"2026-{month:02d}", "value": 80 + month}, actor=steward
        )
    db.session.commit()
    whole = client.get(f"/api/v1/measures/{measure.id}/values").get_json()
    page = client.get(f"/api/v1/measures/{measure.id}/values?per_page=2&page=2").get_json()
    assert page["total"] == whole["total"] == len(whole["items"]) > 6
    assert page["items"] == whole["items"][2:4]
    assert whole["items"][0]["period"] > whole["items"][-1]["period"]


def test_the_stock_takes_recorded_are_paged_with_the_total(client, make, sign_in):
    coordinator = sign_in(make.user("coordinator"))
    for number in range(4):
        unit = make.department()
        db.session.add(
            StockTake(
                department_id=unit.id,
                month=date(2026, 1 + number, 1),
                held_on=date(2026, 1 + number, 20),
                recorded_by_id=coordinator.id,
            )
        )
    db.session.commit()
    body = client.get("/performance/stock-takes?per_page=3").get_data(as_text=True)
    assert "Showing 1–3 of 4 stock-takes" in body and "April 2026" in body
    assert "January 2026" not in body
    later = client.get("/performance/stock-takes?per_page=3&page=2").get_data(as_text=True)
    assert "January 2026" in later and "April 2026" not in later
    assert len(list(db.session.scalars(stocktakes.recorded([])))) == 0


def test_a_records_history_is_paged_on_its_page_and_in_the_api(client, make, sign_in):
    coordinator = make.user("coordinator")
    record = make.dataset(title="Version 0")
    for number in range(1, 30):
        datasets.update_dataset(
            record,
            {"title": f"Version {number}"},
            actor=coordinator,
            expected_version=record.version,
        )
    db.session.commit()
    headers = {"Authorization": f"Bearer {token(coordinator).secret}"}
    url = f"/api/v1/datasets/{record.identifier}/history"
    first = client.get(url, headers=headers).get_json()
    assert (first["total"], len(first["items"])) == (30, 25)
    assert first["items"][0]["version"] == 30
    second = client.get(f"{url}?page=2", headers=headers).get_json()
    assert [item["version"] for item in second["items"]] == [5, 4, 3, 2, 1]
    assert client.get(f"{url}?page=0", headers=headers).status_code == 422
    sign_in(coordinator)
    page = client.get(f"/datasets/{record.identifier}/history?page=2").get_data(as_text=True)
    assert "Showing 26–30 of 30 versions" in page and "Version 5 ·" in page
    assert "Version 6 ·" not in page

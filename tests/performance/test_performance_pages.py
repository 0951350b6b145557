"""/performance and the measures API as people use them: the public reads each measure against
its target and the data behind it (a restricted record is only ever a count, through every
page, file and answer); stewards report values on the page, from a file with their own headers,
and through the API; the page reads as of a past day."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from registry.db import clock_at, utcnow
from registry.extensions import db
from registry.performance import services
from registry.performance.models import MeasureValue
from registry.performance.rules import last_ended, period_code, period_label
from tests.factories import token

SECRET = "Confidential Informant Payments"


@pytest.fixture
def measured(make):
    """A measure of the steward's department resting on a released record and a restricted one
    of another department, with two months reported."""
    steward = make.user("steward")
    code = steward.departments[0].code
    shown = make.published(code, title="Fire Incidents")
    hidden = make.dataset(
        department=make.department().code, classification="restricted", title=SECRET
    )
    measure = make.measure(code, datasets=[shown.identifier, hidden.identifier])
    for period, value in (("2026-01", 88), ("2026-02", 91.5)):
        services.report_value(measure, {"period": period, "value": value}, actor=steward)
    db.session.commit()
    return measure, steward, hidden


def _values() -> int:
    return db.session.scalar(select(func.count()).select_from(MeasureValue))


def test_no_restricted_title_reaches_a_visitor_through_any_measure_answer(client, measured):
    measure, _steward, hidden = measured
    urls = [
        "/performance",
        "/performance.csv",
        f"/performance/measures/{measure.id}",
        "/api/v1/measures",
        f"/api/v1/measures/{measure.id}",
        f"/api/v1/measures/{measure.id}/values",
        f"/performance?as_of={utcnow().date().isoformat()}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert SECRET not in body and hidden.identifier not in body, url
    page = client.get("/performance").get_data(as_text=True)
    assert "Fire Incidents" in page and "From 1 non-public dataset." in page
    answer = client.get(f"/api/v1/measures/{measure.id}").get_json()
    assert answer["non_public_datasets"] == 1
    assert [d["title"] for d in answer["datasets"]] == ["Fire Incidents"]
    assert (answer["latest"]["period"], answer["latest"]["value"]) == ("2026-02", 91.5)


def test_the_coordinator_reads_the_restricted_record_behind_a_measure(
    client, make, sign_in, measured
):
    measure, _steward, _hidden = measured
    sign_in(make.user("coordinator"))
    answer = client.get(f"/api/v1/measures/{measure.id}").get_json()
    assert answer["non_public_datasets"] == 0
    assert sorted(d["title"] for d in answer["datasets"]) == [SECRET, "Fire Incidents"]


def test_a_steward_reports_on_the_page_and_a_bad_value_is_shown_beside_its_field(
    client, sign_in, measured
):
    measure, steward, _hidden = measured
    sign_in(steward)
    url = f"/performance/measures/{measure.id}/values"
    refused = client.post(url, data={"period": "Q1 2026", "value": "12"})
    assert refused.status_code == 422
    assert "reported monthly: give a month" in refused.get_data(as_text=True)
    done = client.post(url, data={"period": "March 2026", "value": "1,093.5%"})
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Reported: March 2026, 1,093.5 %." in shown


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


def test_a_file_of_values_with_a_citys_own_headers(client, sign_in, measured):
    measure, steward, _hidden = measured
    sign_in(steward)
    workbook = _xlsx(
        [
            ["Month", "Actual", "Comments", "Reason for correction"],
            [
                datetime(2026, 3, 31, tzinfo=UTC).replace(tzinfo=None),
                90.25,
                "Two stations closed",
                None,
            ],  # a date cell
            ["April 2026", "92", None, None],
            ["2026-02", 91, None, "The vendor's export missed a day."],  # corrects 91.5
            ["2026-01", 88, None, None],  # as reported: nothing changes
        ]
    )
    response = client.post(
        f"/performance/measures/{measure.id}/values/file",
        data={"file": (io.BytesIO(workbook), "fire response.xlsx")},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 values reported, 1 corrected, 1 already as reported." in page
    assert services.in_force(measure.id, date(2026, 2, 1)).value == 91.0


def test_one_bad_row_refuses_the_whole_file_and_says_which(client, sign_in, measured):
    measure, steward, _hidden = measured
    sign_in(steward)
    before = _values()
    csv = "Period,Value\n2026-03,90\n2026-Q2,91\n2026-04,n/a\n2026-03,92\n"
    response = client.post(
        f"/performance/measures/{measure.id}/values/file",
        data={"file": (io.BytesIO(csv.encode()), "values.csv")},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Nothing was saved." in page
    assert "Row 3: period: This measure is reported monthly" in page
    assert "Row 4: value: Give a number" in page
    assert "Row 5: the same period as row 2." in page
    assert _values() == before


def test_the_api_defines_edits_and_reports(client, make, measured):
    _measure, steward, _hidden = measured
    headers = {"Authorization": f"Bearer {token(steward).secret}"}
    code = steward.departments[0].code
    created = client.post(
        "/api/v1/measures",
        headers=headers,
        json={
            "priority": "safe neighbourhoods",
            "department": code.lower(),
            "name": "Smoke alarms installed",
            "counts": "Smoke alarms installed in homes by the department.",
            "unit": "alarms",
            "direction": "higher",
            "target": 1200,
            "target_date": "12/31/2099",
            "frequency": "quarterly",
        },
    )
    assert created.status_code == 201, created.get_json()
    url = created.headers["Location"]
    quarter = last_ended(utcnow().date(), "quarterly")  # where the measure stands
    reported = client.post(
        url + "/values",
        headers=headers,
        json={"period": period_label(quarter, "quarterly"), "value": 1250},
    )
    assert reported.get_json() | {"reported_at": None} == {
        "period": period_code(quarter, "quarterly"),
        "label": period_label(quarter, "quarterly"),
        "value": 1250.0,
        "status": "on_track",
        "note": None,
        "reported_at": None,
        "reported_by": steward.email,
        "reason": None,
        "changed": True,
    }
    refused = client.patch(url, headers=headers, json={"version": 1, "unit": "devices"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["errors"]
    edited = client.patch(url, headers=headers, json={"version": 1, "target": 1300})
    assert (edited.get_json()["target"], edited.get_json()["status"]) == (1300.0, "off_track")


def test_the_page_as_of_a_past_day_shows_the_value_then(client, make, measured):
    measure, steward, _hidden = measured
    with clock_at(datetime.now(UTC) - timedelta(days=3)):
        services.report_value(measure, {"period": "2026-03", "value": 70}, actor=steward)
        db.session.commit()
    services.report_value(
        measure, {"period": "2026-03", "value": 95, "reason": "Typo."}, actor=steward
    )
    db.session.commit()
    then = (utcnow() - timedelta(days=2)).date().isoformat()
    past = client.get(f"/api/v1/measures/{measure.id}/values?as_of={then}").get_json()
    now = client.get(f"/api/v1/measures/{measure.id}/values").get_json()
    march = next(item for item in past["items"] if item["period"] == "2026-03")
    assert (march["value"], march["status"]) == (70.0, "off_track")
    march = next(item for item in now["items"] if item["period"] == "2026-03")
    assert (march["value"], march["reason"]) == (95.0, "Typo.")


def test_a_steward_edits_a_measure_resting_on_a_record_they_may_not_read(
    client, sign_in, make, measured
):
    measure, steward, hidden = measured
    sign_in(steward)
    form_page = client.get(f"/performance/measures/{measure.id}/edit").get_data(as_text=True)
    assert hidden.identifier not in form_page
    assert "1 record you may not read, which stay" in form_page
    shown = services.snapshot(measure)["datasets"]
    visible = [name for name in shown if name != hidden.identifier]
    done = client.post(
        f"/performance/measures/{measure.id}/edit",
        data={
            "version": measure.version,
            "name": "Fire calls answered fast",
            "datasets": ", ".join(visible),
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert services.snapshot(measure)["datasets"] == shown  # the hidden record stayed
    page = client.get(f"/performance/measures/{measure.id}").get_data(as_text=True)
    assert "Fire calls answered fast" in page
    assert hidden.identifier not in page and "1 non-public" in page  # in the history


def test_no_cell_of_the_boards_csv_starts_a_formula(client, make):
    make.measure(name='=HYPERLINK("http://evil.example")', unit="+1")
    text = client.get("/performance.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and ",'+1," in text


def test_an_empty_file_of_values_says_so_in_its_words(client, sign_in, measured):
    measure, steward, _hidden = measured
    sign_in(steward)
    response = client.post(
        f"/performance/measures/{measure.id}/values/file",
        data={"file": (io.BytesIO(b"Period,Value\n"), "values.csv")},
        follow_redirects=True,
    )
    assert "a header row but no values below it" in response.get_data(as_text=True)

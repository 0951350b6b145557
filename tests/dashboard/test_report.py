"""The program's yearly report: the release plan with reasons for delays, retirements, the
committee's meetings (who may record them, their agendas) and the readiness checklist."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry.dashboard import checklist as checklists
from registry.dashboard import report
from registry.db import utcnow, utctoday
from registry.extensions import db
from registry.reviews import meetings
from registry.reviews.services import perform_transition


def checklist(year=None) -> dict[str, bool]:
    built = report.build(year or utctoday().year)
    return {check.criterion: check.met for check in built.checklist}


def test_a_late_release_shows_the_reason_on_record(client, make, sign_in):
    code = make.department(code="PW").code
    late = make.approved(code, target=utctoday() - timedelta(days=10), title="Street trees")
    make.approved(code, target=utctoday() + timedelta(days=30), title="Potholes")
    sign_in(make.user("steward", departments=[code]))
    client.post(f"/datasets/{late.identifier}/delay", data={"reason": "The vendor is late."})
    plan = {row["title"]: row for row in report.build(utctoday().year).plan()}
    assert (plan["Street trees"]["late_days"], plan["Street trees"]["reason"]) == (
        10,
        "The vendor is late.",
    )
    assert (plan["Potholes"]["late_days"], plan["Potholes"]["reason"]) == (None, None)


def test_only_an_approved_record_can_be_late(make):
    record = make.dataset()
    with pytest.raises(Exception, match="approved"):
        meetings.record_delay(record, {"reason": "Not yet."}, actor=make.user("coordinator"))


def test_another_departments_steward_may_not_explain_a_delay(client, make, sign_in):
    late = make.approved(target=utctoday() - timedelta(days=1))
    sign_in(make.user("steward"))
    assert (
        client.post(f"/datasets/{late.identifier}/delay", data={"reason": "Mine"}).status_code
        == 403
    )


def test_retirements_with_their_reasons(make):
    record = make.published(title="Old permits")
    perform_transition(
        record, {"action": "retire", "note": "Replaced."}, actor=make.user("coordinator")
    )
    db.session.commit()
    assert [(row["title"], row["reason"]) for row in report.build(utctoday().year).retired] == [
        ("Old permits", "Replaced.")
    ]


def meeting(make, day: date, minutes: bool = True, actor=None):
    return meetings.save_meeting(
        {
            "held_on": day.isoformat(),
            "attendees": "Chair, Member",
            "minutes_url": f"https://city.example/minutes-{day}.pdf" if minutes else None,
        },
        actor=actor or make.user("coordinator"),
    )


def test_quarterly_meetings_with_minutes_and_the_next_one_scheduled_meet_the_criteria(make):
    today = utctoday()
    for days_ago in (300, 210, 120, 30):
        meeting(make, today - timedelta(days=days_ago))
    meeting(make, today + timedelta(days=30), minutes=False)
    met = checklist()
    assert met["The governance committee meets at least quarterly"]
    assert met["Minutes of its last two meetings are published"]
    assert met["The next meeting is scheduled"]


def test_a_gap_of_half_a_year_is_not_quarterly(make):
    today = utctoday()
    meeting(make, today - timedelta(days=200))
    meeting(make, today - timedelta(days=10), minutes=False)
    met = checklist()
    assert not met["The governance committee meets at least quarterly"]
    assert not met["Minutes of its last two meetings are published"]
    assert not met["The next meeting is scheduled"]


def test_the_inventory_criteria(make):
    for code in ("AA", "BB", "CC", "DD", "EE"):
        make.department(code=code)
    for code in ("AA", "BB", "CC", "DD"):
        make.dataset(department=code)
    met = checklist()
    assert met["The inventory was updated within the last 12 months"]
    assert not met["The inventory covers more than 80% of departments"]  # 4 of 5 is 80%
    assert not met["The inventory is published online"]


def test_a_chair_records_a_meeting_and_its_agenda_is_what_awaits_the_committee(
    client, make, sign_in
):
    waiting = make.in_committee(title="Bus stops")
    restricted = make.in_committee(
        title="Shelter addresses", classification="restricted", rights="State law"
    )
    sign_in(make.user("committee", chair=True))
    response = client.post(
        "/committee/meetings/new",
        data={"held_on": utctoday().isoformat(), "attendees": "The whole committee"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bus stops" in page and "Shelter addresses" in page  # a member reads everything
    client.post("/sign-out")
    public = client.get(response.headers["Location"]).get_data(as_text=True)
    assert waiting.title in public
    assert restricted.title not in public and "A restricted dataset" in public


@pytest.mark.parametrize("role", ["committee", "steward", "stakeholder", "auditor"])
def test_only_the_chair_or_coordinator_records_meetings(client, make, sign_in, role):
    sign_in(make.user(role))
    response = client.post(
        "/committee/meetings/new", data={"held_on": "2026-01-05", "attendees": "Us"}
    )
    assert response.status_code == 403


def test_one_meeting_a_day(client, make, sign_in):
    meeting(make, date(2026, 1, 5))
    sign_in(make.user("coordinator"))
    response = client.post(
        "/committee/meetings/new", data={"held_on": "2026-01-05", "attendees": "Us"}
    )
    assert response.status_code == 422 and "already recorded" in response.get_data(as_text=True)


def test_the_report_as_a_workbook_and_a_csv(client, make):
    make.approved(target=utctoday() - timedelta(days=3), title="=cmd|' /C calc'!A0")
    year = utctoday().year
    workbook = load_workbook(io.BytesIO(client.get(f"/report.xlsx?year={year}").data))
    assert workbook.sheetnames == ["Release plan", "Retired", "Meetings", "Measures", "Checklist"]
    cell = workbook["Release plan"]["B2"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")
    text = client.get(f"/report.csv?year={year}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"


def test_a_year_the_registry_cannot_report_is_refused(client):
    assert client.get("/report?year=1800").status_code == 422
    assert client.get(f"/report?year={utctoday().year + 1}").status_code == 422


def test_a_meeting_lists_the_decisions_its_chair_recorded_that_day(client, make):
    released = make.approved(title="Bus stops")
    hidden = make.in_committee(
        title="Shelter addresses", classification="restricted", rights="State law"
    )
    perform_transition(
        hidden,
        {
            "action": "decide",
            "outcome": "reject",
            "note": "Not for release.",
            "minutes_reference": "Minutes",
        },
        actor=make.user("committee", chair=True),
    )
    recorded = meeting(make, utctoday())
    db.session.commit()
    page = client.get(f"/committee/meetings/{recorded.id}").get_data(as_text=True)
    assert released.title in page and "Approve" in page
    assert hidden.title not in page


def test_the_page_shows_the_plan_a_page_at_a_time_and_the_files_hold_all_of_it(client, make):
    code = make.department(code="PW").code
    for number, days in enumerate((30, 10, 20)):
        make.approved(code, target=utctoday() + timedelta(days=days), title=f"Plan item {number}")
    page = client.get("/report?per_page=2").get_data(as_text=True)
    assert "Showing 1–2 of 3 datasets in the plan" in page
    # By target date: the one due in 10 days, then in 20; the one in 30 is on page 2.
    assert "Plan item 1" in page and "Plan item 2" in page and "Plan item 0" not in page
    second = client.get("/report?per_page=2&page=2").get_data(as_text=True)
    assert "Plan item 0" in second and "Plan item 1" not in second
    sheet = load_workbook(io.BytesIO(client.get("/report.xlsx").data))["Release plan"]
    assert sheet.max_row == 4  # a header and all three


def test_every_page_of_the_plan_is_its_slice_dated_first_then_undated(make):
    """The year under way reads the plan a page at a time off the index (dated records, then
    undated); every page, across the seam, is that slice of the whole plan, and a past year's
    plan pages the same way."""
    code = make.department(code="PW").code
    for days in (40, 10, 20, 10):
        make.approved(code, target=utctoday() + timedelta(days=days), title=f"Dated {days}")
    for letter in "CAB":
        # Approval sets a default target date; a record approved before dates were asked for
        # has none.
        make.approved(code, title=f"Undated {letter}").release_target_date = None
    db.session.commit()
    built = report.build(utctoday().year)
    whole = [row["title"] for row in built.plan()]
    assert whole == [
        "Dated 10",
        "Dated 10",
        "Dated 20",
        "Dated 40",
        "Undated A",
        "Undated B",
        "Undated C",
    ]
    assert built.plan_total == 7
    assert "3 have no target date" in built.checklist[-1].evidence
    for limit in (1, 2, 3, 5):
        for offset in range(0, 9):
            page = [row["title"] for row in built.plan(offset, limit)]
            assert page == whole[offset : offset + limit], (offset, limit)


def test_the_request_figures_count_in_the_database_what_the_clocks_say_of_each(make):
    """The report and the dashboard count the requests in one query (requests.clock_conditions);
    they agree with the clocks read request by request (requests.clocks), at the edges of each
    deadline included."""
    from registry.priorities import requests
    from registry.priorities.models import DataRequest

    now = utcnow().replace(microsecond=0)
    day = timedelta(days=1)
    second = timedelta(seconds=1)
    settings = requests.program_settings()
    answer, acknowledge = timedelta(days=settings.answer_days), timedelta(settings.acknowledge_days)
    shapes = [
        # (made ago, acknowledged after making, answered after making)
        (day, None, None),
        (acknowledge + second, None, None),
        (acknowledge - second, None, None),
        (acknowledge + day, day, None),
        (answer + second, day, None),
        (answer + day, day, answer),  # answered on the last moment: in time
        (answer + day, day, answer + second),  # a second late
        (day * 200, None, day),
        (-day, None, None),  # made after the moment the figures are read at
        (day * 3, None, day * 5),  # answered after that moment: not yet answered then
    ]
    for made_ago, acknowledged, answered in shapes:
        item = make.data_request()
        item.created_at = now - made_ago
        item.acknowledged_at = item.created_at + acknowledged if acknowledged else None
        item.answered_at = item.created_at + answered if answered else None
    db.session.commit()
    clocks = [
        requests.clocks(item, now, settings)
        for item in db.session.scalars(select(DataRequest).where(DataRequest.created_at <= now))
    ]
    answered = [clock for clock in clocks if clock["answered"]]
    expected = (
        len(answered),
        sum(1 for clock in answered if clock["answered_in_time"]),
        sum(
            1
            for clock in clocks
            if not clock["answered"]
            and (clock["acknowledgement_overdue"] or clock["answer_overdue"])
        ),
    )
    assert expected == (3, 2, 2)
    assert checklists.request_figures(now)[1:] == expected
    # The dashboard's figure counts them by the same rule.
    from registry.dashboard import stats

    figure = stats.figures(now, ["requests"])[0]
    waiting = len(clocks) - expected[0] - expected[2]
    assert [row[1] for row in figure.rows] == [2, 1, 2, waiting] and waiting == 4


def test_the_page_lists_the_first_retirements_and_the_files_hold_them_all(
    client, make, monkeypatch
):
    coordinator = make.user("coordinator")
    for title in ("First retired", "Second retired"):
        record = make.published(title=title)
        perform_transition(record, {"action": "retire", "note": "Replaced."}, actor=coordinator)
    db.session.commit()
    monkeypatch.setattr(report, "RETIRED_SHOWN", 1)
    built = report.build(utctoday().year)
    assert ([row["title"] for row in built.retired], built.retired_total) == (["First retired"], 2)
    page = client.get("/report").get_data(as_text=True)
    assert "The first 1 of 2 retirements" in page and "Second retired" not in page
    sheet = load_workbook(io.BytesIO(client.get("/report.xlsx").data))["Retired"]
    assert [sheet.cell(row, 2).value for row in (2, 3)] == ["First retired", "Second retired"]

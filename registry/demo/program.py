"""The demo city's open data program: Riverton's four strategic priorities and the records that
support them, a closed voting round with results and an open one, data requests in every state
(some past the policy's clocks), and the committee's assessments of a few dozen records.

Everything goes through the services; only the clock is moved by hand afterwards (a round that
closed months ago, requests made weeks ago), since the services stamp what they do with now.
"""

from datetime import timedelta

from sqlalchemy import select

from registry.accounts.services import find_user_by_email
from registry.datasets.models import Dataset
from registry.db import utcnow
from registry.demo.city import DOMAIN
from registry.demo.measures import load_demo_measures
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.priorities import program, queue, requests, rounds
from registry.priorities.models import DataRequest
from registry.priorities.scoring import CRITERIA
from registry.reviews import meetings
from registry.reviews.permissions import is_recused
from registry.reviews.rereview import edit_dataset

PRIORITIES = [
    (
        "Safe neighbourhoods",
        "Fewer crimes, fires and crashes; faster emergency response.",
        "Public Safety",
    ),
    (
        "Economic opportunity",
        "Jobs, small business and a fair share of city contracts.",
        "Economic Development",
    ),
    (
        "Children's health and success",
        "Healthy, learning children from birth to graduation.",
        "Education",
    ),
    (
        "Environmental and physical assets",
        "Clean water and air, green space, and streets and buildings in good repair.",
        "Environment",
    ),
]
# Themes whose records support each priority (besides the priority's own theme).
ALSO = {
    "Safe neighbourhoods": ("Transportation",),
    "Economic opportunity": ("Budget and Finance", "Housing"),
    "Children's health and success": ("Health", "Recreation"),
    "Environmental and physical assets": ("Infrastructure",),
}
STAKEHOLDERS = [
    "stakeholder",
    "stakeholder.civic",
    "stakeholder.youth",
    "stakeholder.business",
    "stakeholder.neighbours",
]
ASSESSORS = ["committee.legal", "committee.privacy", "committee.it", "committee.health", "chair"]

# Title, description, why, who asks (a stakeholder, or None for a resident by email), what
# happens to it, and how many days ago it was asked.
REQUESTS = [
    (
        "Sidewalk condition survey",
        "Block-by-block sidewalk condition ratings.",
        "To plan accessible walking routes.",
        "stakeholder",
        "planned",
        135,
    ),
    (
        "Lead service lines",
        "Addresses with lead water service lines and replacement dates.",
        "Parents want to know.",
        None,
        "planned",
        50,
    ),
    (
        "Restaurant inspection scores",
        "Inspection results for food establishments.",
        "Diners and journalists.",
        "stakeholder.civic",
        "acknowledged",
        30,
    ),
    (
        "Noise complaints",
        "311 noise complaints by neighbourhood.",
        "To compare neighbourhoods.",
        "stakeholder.neighbours",
        "received",
        3,
    ),
    (
        "Police use-of-force incidents",
        "Incident-level use-of-force reports.",
        "Accountability.",
        "stakeholder.civic",
        "acknowledged",
        140,
    ),
    (
        "City employee home addresses",
        "Where every city employee lives.",
        "Curiosity.",
        None,
        "declined",
        40,
    ),
    (
        "Small business grants",
        "Grants to small businesses with amounts and sectors.",
        "Economic development research.",
        "stakeholder.business",
        "planned",
        45,
    ),
    (
        "After-school program seats",
        "Seats and waitlists at after-school programs.",
        "Parents choosing programs.",
        "stakeholder.youth",
        "received",
        20,
    ),
    (
        "Snow plow routes",
        "Plow routes and their priority order.",
        "Knowing when my street is cleared.",
        None,
        "received",
        1,
    ),
    (
        "Bike lane counts",
        "Counts of cyclists at counters on bike lanes.",
        "Advocacy for safer streets.",
        "stakeholder.youth",
        "acknowledged",
        10,
    ),
    (
        "Vacant lot inventory",
        "City-owned vacant lots available for gardens.",
        "Community gardens.",
        "stakeholder.neighbours",
        "declined",
        70,
    ),
    (
        "Tree planting requests",
        "Requests for street trees and their status.",
        "To follow my request.",
        None,
        "acknowledged",
        65,
    ),
]


def _person(local: str):
    return find_user_by_email(f"{local}@{DOMAIN}")


def load_demo_program(timeline) -> None:
    """Schedules the program's last four months on the demo's timeline, once (nothing if the
    city's priorities are already there)."""
    if db.session.scalar(select(CityPriority.id).limit(1)) is not None:
        return
    now = utcnow()
    coordinator = _person("coordinator")
    timeline.at(now - timedelta(days=118), create_city_priorities)
    timeline.at(now - timedelta(days=118, hours=-2), lambda: _link_priorities(coordinator))
    load_demo_measures(timeline, now - timedelta(days=117))
    _requests(timeline, now, coordinator)
    _rounds(timeline, now, coordinator)
    for day in range(10):
        timeline.at(now - timedelta(days=100 - day), lambda day=day: _assessments(day))
    _meetings(timeline, now)
    timeline.at(now - timedelta(days=5), lambda: _delays(coordinator))


def create_city_priorities() -> None:
    """Riverton's four strategic priorities, as its coordinator lists them."""
    for position, (name, description, _theme) in enumerate(PRIORITIES):
        program.save_city_priority(
            {"name": name, "description": description, "position": position},
            actor=_person("coordinator"),
        )


def _link_priorities(coordinator) -> None:
    """Records of a priority's themes say they support it (two in three, so not all do)."""
    records = db.session.scalars(
        select(Dataset).where(Dataset.classification != "restricted").order_by(Dataset.id)
    ).all()
    for number, record in enumerate(records):
        names = [
            name
            for name, _description, theme in PRIORITIES
            if {theme, *ALSO[name]} & set(record.themes)
        ]
        if names and number % 3 != 2:
            edit_dataset(
                record, {"city_priorities": names, "version": record.version}, actor=coordinator
            )


def _requests(timeline, now, coordinator) -> None:
    """Each request asked `days` ago, acknowledged five days later and answered after thirty,
    as far as its outcome goes (and as far as today)."""
    departments = ["WTR", "FIN", "PW"]
    for number, (title, description, why, who, outcome, days) in enumerate(REQUESTS):
        asked = now - timedelta(days=days)
        made: list[DataRequest] = []

        def ask(title=title, description=description, why=why, who=who, number=number, made=made):
            asker = _person(who) if who else None
            raw = {"title": title, "description": description, "why": why}
            if asker is None:
                raw["email"] = f"resident{number}@mail.example"
            made.append(requests.submit_request(raw, actor=asker, address=f"192.0.2.{number}"))

        def acknowledge(made=made):
            requests.answer_request(made[0], {"action": "acknowledge"}, actor=coordinator)

        def answer(outcome=outcome, made=made):
            if outcome == "planned":
                raw = {
                    "action": "create_draft",
                    "department": departments.pop(),
                    "note": "A dataset is planned.",
                }
            else:
                raw = {"action": "decline", "note": "Exempt from release under state privacy law."}
            requests.answer_request(made[0], raw, actor=coordinator)

        timeline.at(asked, ask)
        if outcome != "received":
            timeline.at(asked + timedelta(days=min(5, days / 2)), acknowledge)
        if outcome in ("planned", "declined"):
            timeline.at(asked + timedelta(days=min(30, days * 0.8)), answer)


def _rounds(timeline, now, coordinator) -> None:
    """A round that ran from four months ago for ten days, every stakeholder voting, and the
    round open now, with one member's votes so far."""
    opened, closes = now - timedelta(days=116), now - timedelta(days=106)
    spring: list = []

    def open_spring() -> None:
        spring.append(
            rounds.create_round(
                {
                    "title": "Spring release priorities",
                    "description": "Which datasets should the city release first this year?",
                    "opens_at": opened.isoformat(),
                    "closes_at": closes.isoformat(),
                },
                actor=coordinator,
            )
        )

    def vote(offset: int, local: str) -> None:
        everything = db.session.scalars(rounds.candidates_query()).all()
        candidates = everything[offset::5][:4]  # spread over the alphabet, not its first page
        picks = [record.identifier for record in candidates]
        waiting = rounds.open_requests()
        if waiting:
            picks.append(f"{rounds.REQUEST_PREFIX}{waiting[offset % len(waiting)].id}")
        for candidate, votes in zip(picks, (3, 2, 2, 1, 2), strict=False):  # within 10
            rounds.set_votes(spring[0], candidate, {"votes": votes}, actor=_person(local))

    timeline.at(opened, open_spring)
    for offset, local in enumerate(STAKEHOLDERS):
        timeline.at(opened + timedelta(days=1 + offset), lambda o=offset, p=local: vote(o, p))
    timeline.at(closes + timedelta(hours=1), rounds.announce_due_rounds)

    autumn: list = []

    def open_autumn() -> None:
        autumn.append(
            rounds.create_round(
                {
                    "title": "Autumn release priorities",
                    "description": "Spread your votes over what the city should publish next.",
                    "opens_at": (now - timedelta(days=3)).isoformat(),
                    "closes_at": (now + timedelta(days=11)).isoformat(),
                },
                actor=coordinator,
            )
        )

    def early_votes() -> None:
        voter = _person("stakeholder.civic")
        for record in db.session.scalars(rounds.candidates_query().offset(20).limit(3)):
            rounds.set_votes(autumn[0], record.identifier, {"votes": 2}, actor=voter)

    timeline.at(now - timedelta(days=3), open_autumn)
    timeline.at(now - timedelta(days=2), early_votes)


ATTENDEES = "Eleanor Park (chair), Marcus Bell, Sofia Novak, Kwame Asante, Dr. Lena Fischer"


def _meetings(timeline, now) -> None:
    """The committee met every quarter from the first reviews on, each meeting with its minutes;
    the next one is scheduled three weeks from now."""
    first = now - timedelta(days=640)
    held = [first + timedelta(days=91 * quarter) for quarter in range(8)]
    for moment in [m for m in held if m < now - timedelta(days=1)]:
        timeline.at(moment, lambda moment=moment: _meeting(moment.date(), minutes=True))
    timeline.at(
        now - timedelta(days=1),
        lambda: _meeting((now + timedelta(days=21)).date(), minutes=False),
    )


def _meeting(day, *, minutes: bool) -> None:
    program_url = "https://www.riverton.example/clerk/governance-committee"
    meetings.save_meeting(
        {
            "held_on": day.isoformat(),
            "attendees": ATTENDEES,
            "minutes_url": f"{program_url}/minutes-{day.isoformat()}.pdf" if minutes else None,
            "summary": "Quarterly review of the datasets before the committee.",
        },
        actor=_person("chair"),
    )


DELAY_REASONS = [
    "The vendor's export is being rebuilt to drop residents' street addresses.",
    "Waiting for the department's new records system to go live.",
    "The data dictionary is being rewritten with the city attorney's office.",
]


def _delays(coordinator) -> None:
    """Reasons on record for a few of the releases that are late."""
    late = db.session.scalars(
        select(Dataset)
        .where(Dataset.is_overdue(utcnow().date()), Dataset.classification != "restricted")
        .order_by(Dataset.release_target_date)
        .limit(len(DELAY_REASONS))
    ).all()
    for record, reason in zip(late, DELAY_REASONS, strict=False):
        meetings.record_delay(record, {"reason": reason}, actor=coordinator)


def _assessments(day: int) -> None:
    """On each of ten days, two or three members assess three records awaiting release."""
    records = db.session.scalars(
        select(Dataset)
        .where(rounds.is_candidate_record(), Dataset.status != "draft")
        .order_by(Dataset.id)
        .offset(day * 3)
        .limit(3)
    ).all()
    for number, record in enumerate(records, start=day * 3):
        for offset in range(2 + number % 2):
            member = _person(ASSESSORS[(number + offset) % len(ASSESSORS)])
            if is_recused(member, record):
                continue
            scores = [(number + offset + k) % 4 for k in range(5)]
            queue.record_assessment(record, dict(zip(CRITERIA, scores, strict=True)), actor=member)

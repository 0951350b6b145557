"""The demo city's open data program: Riverton's four strategic priorities and the records that
support them, a closed voting round with results and an open one, data requests in every state
(some past the policy's clocks), and the committee's assessments of a few dozen records.

Everything goes through the services; only the clock is moved by hand afterwards (a round that
closed months ago, requests made weeks ago), since the services stamp what they do with now.
"""

from datetime import timedelta

from sqlalchemy import select

from registry.accounts.services import find_user_by_email
from registry.datasets import services as datasets
from registry.datasets.models import CityPriority, Dataset
from registry.db import utcnow
from registry.demo.city import DOMAIN
from registry.extensions import db
from registry.priorities import program, queue, requests, rounds
from registry.priorities.models import DataRequest
from registry.priorities.scoring import CRITERIA
from registry.reviews.permissions import is_recused

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
        75,
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
        80,
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


def load_demo_program() -> None:
    """Adds the program's demo data once (nothing if the priorities are already there)."""
    if db.session.scalar(select(CityPriority.id).limit(1)) is not None:
        return
    coordinator = _person("coordinator")
    create_city_priorities()
    _link_priorities(coordinator)
    _requests(coordinator)
    _rounds(coordinator)
    _assessments()


def create_city_priorities() -> None:
    """Riverton's four strategic priorities, as its coordinator lists them."""
    for position, (name, description, _theme) in enumerate(PRIORITIES):
        program.save_city_priority(
            {"name": name, "description": description, "position": position},
            actor=_person("coordinator"),
        )


def _link_priorities(coordinator) -> None:
    """Records of a priority's themes say they support it (every third, so not all do)."""
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
            datasets.update_dataset(
                record, {"city_priorities": names, "version": record.version}, actor=coordinator
            )


def _requests(coordinator) -> None:
    departments = {"planned": ["WTR", "FIN", "PW"]}
    for number, (title, description, why, who, outcome, days) in enumerate(REQUESTS):
        asker = _person(who) if who else None
        raw = {"title": title, "description": description, "why": why}
        if asker is None:
            raw["email"] = f"resident{number}@mail.example"
        item = requests.submit_request(raw, actor=asker, address=f"192.0.2.{number}")
        if outcome != "received":
            requests.answer_request(item, {"action": "acknowledge"}, actor=coordinator)
        if outcome == "planned":
            code = departments["planned"].pop()
            requests.answer_request(
                item,
                {"action": "create_draft", "department": code, "note": "A dataset is planned."},
                actor=coordinator,
            )
        elif outcome == "declined":
            requests.answer_request(
                item,
                {"action": "decline", "note": "Exempt from release under state privacy law."},
                actor=coordinator,
            )
        _age_request(item, days)


def _age_request(item: DataRequest, days: int) -> None:
    """As if asked `days` ago; answered steps took a few days each."""
    asked = utcnow() - timedelta(days=days)
    item.created_at = asked
    if item.acknowledged_at is not None:
        item.acknowledged_at = asked + timedelta(days=min(5, days))
    if item.answered_at is not None:
        item.answered_at = asked + timedelta(days=min(30, days))


def _rounds(coordinator) -> None:
    now = utcnow()
    closed = rounds.create_round(
        {
            "title": "Spring release priorities",
            "description": "Which datasets should the city release first this year?",
            "opens_at": (now - timedelta(days=120)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
        },
        actor=coordinator,
    )
    everything = db.session.scalars(rounds.candidates_query()).all()
    candidates = everything[::3][:30]  # spread over the alphabet, not its first page
    open_requests = rounds.open_requests()
    for offset, local in enumerate(STAKEHOLDERS):
        voter = _person(local)
        picks = [c.identifier for c in candidates[offset * 3 : offset * 3 + 4]]
        picks.append(f"{rounds.REQUEST_PREFIX}{open_requests[offset % len(open_requests)].id}")
        for candidate, votes in zip(picks, (3, 2, 2, 1, 2), strict=True):  # the budget of 10
            rounds.set_votes(closed, candidate, {"votes": votes}, actor=voter)
    closed.closes_at = now - timedelta(days=106)  # the round ended months ago
    rounds.announce_due_rounds()
    current = rounds.create_round(
        {
            "title": "Autumn release priorities",
            "description": "Spread your votes over what the city should publish next.",
            "opens_at": (now - timedelta(days=3)).isoformat(),
            "closes_at": (now + timedelta(days=11)).isoformat(),
        },
        actor=coordinator,
    )
    voter = _person("stakeholder.civic")
    for candidate in candidates[20:23]:
        rounds.set_votes(current, candidate.identifier, {"votes": 2}, actor=voter)


def _assessments() -> None:
    """Two or three members' view of about thirty records awaiting release."""
    records = db.session.scalars(
        select(Dataset)
        .where(rounds.is_candidate_record(), Dataset.status != "draft")
        .order_by(Dataset.id)
        .limit(30)
    ).all()
    for number, record in enumerate(records):
        for offset in range(2 + number % 2):
            member = _person(ASSESSORS[(number + offset) % len(ASSESSORS)])
            if is_recused(member, record):
                continue
            scores = [(number + offset + k) % 4 for k in range(5)]
            queue.record_assessment(
                record,
                dict(zip(CRITERIA, scores, strict=True)),
                actor=member,
            )

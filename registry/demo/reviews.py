"""Moves part of the demo inventory through review, so every state and queue has examples."""

from datetime import datetime, timedelta

from registry.accounts.services import find_user_by_email
from registry.datasets.models import Dataset
from registry.db import utctoday
from registry.demo.city import DOMAIN
from registry.reviews import services as reviews
from registry.reviews.permissions import can_vote
from registry.reviews.rereview import edit_dataset

MEMBERS = ["committee.legal", "committee.privacy", "committee.it", "committee.health", "chair"]
RATIONALES = {
    "approve": "Fits the open data policy; no personal information is exposed.",
    "reject": "The re-identification risk is too high even when aggregated.",
    "request_changes": "Document the suppression rules in the data dictionary first.",
}


def _person(local: str):
    return find_user_by_email(f"{local}@{DOMAIN}")


def _step(dataset: Dataset, action: str, actor, **extra) -> None:
    reviews.perform_transition(dataset, {"action": action, **extra}, actor=actor)


MEDIA_TYPES = {
    "CSV": ("text/csv", "csv"),
    "GeoJSON": ("application/geo+json", "geojson"),
    "XLSX": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "JSON": ("application/json", "json"),
    "PDF": ("application/pdf", "pdf"),
    "Shapefile": ("application/zip", "zip"),
}


def _publish(dataset: Dataset, coordinator) -> None:
    """Publication, with a download for each of the record's formats."""
    base = f"https://data.riverton.example/d/{dataset.identifier}"
    distributions = [
        {
            "title": f"{dataset.title} ({name})",
            "format": name,
            "media_type": MEDIA_TYPES[name][0],
            "download_url": f"{base}/download.{MEDIA_TYPES[name][1]}",
        }
        for name in dataset.formats or ["CSV"]
        if name in MEDIA_TYPES
    ] or [{"title": dataset.title, "access_url": base}]
    _step(dataset, "publish", coordinator, landing_page=base, distributions=distributions)


def _votes(dataset: Dataset, choices: list[str], rationale: str | None = None) -> None:
    """Casts the choices in turn with members who are not recused, until one decides."""
    voters = [m for m in map(_person, MEMBERS) if not reviews.is_recused(m, dataset)]
    for member, choice in zip(voters, choices, strict=False):
        if not can_vote(member, dataset):
            return  # the decision fell
        reviews.cast_vote(
            dataset, {"vote": choice, "rationale": rationale or RATIONALES[choice]}, actor=member
        )


def _chair_approves(dataset: Dataset, target_in_days: int) -> None:
    """At a meeting, with a release target `target_in_days` from the decision; a recused chair
    leaves it to the votes of the others."""
    if reviews.is_recused(_person("chair"), dataset):
        _votes(dataset, ["approve"] * 4)
        return
    target = utctoday() + timedelta(days=target_in_days)
    _step(
        dataset,
        "decide",
        _person("chair"),
        outcome="approve",
        note="Approved at the committee's meeting.",
        minutes_reference=f"Governance Committee minutes {utctoday().isoformat()}",
        release_target_date=target.isoformat(),
    )


def _plan(dataset: Dataset, plan: int, coordinator, published: list) -> list[tuple[int, object]]:
    """A dataset's review as (hours after it starts, step); its place in its department's list
    decides how far it goes. Every plan fits in two and a half days, less than the time between
    two datasets' starts, so the history stays in order."""
    steward = dataset.steward
    submit = (0, lambda: _step(dataset, "submit", steward))
    if plan == 0:
        return []  # a draft
    if plan == 1:
        return [submit]  # awaiting triage
    if plan == 2:
        note = "Add a data dictionary link and a contact."
        return [submit, (12, lambda: _step(dataset, "request_changes", coordinator, note=note))]
    steps = [submit, (12, lambda: _step(dataset, "send_to_committee", coordinator))]
    if plan == 3 or (dataset.classification == "restricted" and plan in (4, 5, 6, 7)):
        # An open vote, or for restricted records a rejection by the members.
        choices = ["approve", "reject"] if plan == 3 else ["reject"] * 4
        return [*steps, (20, lambda: _votes(dataset, choices))]

    def publish() -> None:
        _publish(dataset, coordinator)
        published.append(dataset)

    if plan == 4:  # approved by votes; the policy's deadline runs
        choices = ["approve", "approve", "request_changes", "approve"]
        return [*steps, (20, lambda: _votes(dataset, choices))]
    if plan == 5:  # approved by votes and published on time
        return [*steps, (20, lambda: _votes(dataset, ["approve"] * 4)), (40, publish)]
    if plan == 6:  # approved at a meeting for release within a month, and never released
        return [*steps, (20, lambda: _chair_approves(dataset, 30))]
    # approved at a meeting for release the next day, and released a day late
    return [*steps, (20, lambda: _chair_approves(dataset, 1)), (60, publish)]


def advance(datasets: list[Dataset], timeline, begin: datetime, end: datetime) -> None:
    """Schedules each dataset's review, one starting every few days from `begin` to `end`;
    then, after the last, two retirements and the re-review rounds."""
    coordinator = _person("coordinator")
    span = (end - begin) / max(1, len(datasets))
    published: list[Dataset] = []
    for number, dataset in enumerate(datasets):
        base = begin + span * number
        for hours, step in _plan(dataset, number % 8, coordinator, published):
            timeline.at(base + timedelta(hours=hours), step)

    def retire_two() -> None:
        for dataset in published[:2]:
            _step(dataset, "retire", coordinator, note="The source system was decommissioned.")

    timeline.at(end + timedelta(days=1), retire_two)
    timeline.at(end + timedelta(days=2), lambda: _rereviews(published[2:], coordinator))


# A steward finds personal information in a published record and proposes to restrict it.
PRIVACY_CHANGE = {
    "classification": "sensitive",
    "access_level": "restricted public",
    "rights": "Riverton Municipal Code 2.14 (personal privacy)",
    "contains_pii": True,
    "pii_kinds": ["contact"],
}


def _rereviews(published: list[Dataset], coordinator) -> None:
    """Re-review rounds on published records: one proposal open with a vote cast, one the
    committee approved (its history shows both decisions), one periodic re-review just opened.
    """
    candidates = [d for d in published if d.steward is not None and d.classification != "sensitive"]
    for number, dataset in enumerate(candidates[:3]):
        if number == 2:
            _step(
                dataset,
                "rereview",
                coordinator,
                note="Its last classification decision is due for the yearly re-review.",
            )
            continue
        edit_dataset(dataset, {**PRIVACY_CHANGE, "version": dataset.version}, actor=dataset.steward)
        _votes(
            dataset,
            ["approve"] if number == 0 else ["approve"] * 4,
            "Restricting it matches what the steward found: street addresses of residents.",
        )

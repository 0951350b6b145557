"""What a step needs of the record, which the workflow's checks ask of it: a complete record
before the committee (Check.COMPLETE), and where the public finds the data before publication
(Check.PUBLISHABLE). Pure Python, as the workflow is."""

from collections.abc import Mapping
from typing import Any

# What the committee needs in front of it to judge a record (Check.COMPLETE).
REQUIRED_FOR_REVIEW = {
    "description": "a description",
    "keywords": "keywords",
    "themes": "a theme",
    "contact_name": "a contact name",
    "contact_email": "a contact email",
    "steward": "a steward",
    "update_frequency": "an update frequency",
}


def missing_for_review(record: Mapping[str, Any]) -> list[str]:
    """What a record (its fields, by name) lacks before it can be submitted."""
    return [label for field, label in REQUIRED_FOR_REVIEW.items() if not record.get(field)]


def publication_problems(landing_page: str | None, distributions: list) -> dict[str, str]:
    """Publication needs where the public finds the data and a way to get it (PUBLISHABLE)."""
    problems = {}
    if not landing_page:
        problems["landing_page"] = "Give the page where the public finds the data."
    if not distributions:
        problems["distributions"] = (
            "Add at least one distribution: a download URL with its media type, or an access URL."
        )
    return problems

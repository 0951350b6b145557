"""A record's governance: the fields a committee decision fixes, as stored and compared, and what
an edit to them does (apply, propose for a re-review, or wait), as the workflow decides."""

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from registry.datasets.models import Dataset
from registry.reviews.workflow import (
    GOVERNANCE_FIELDS,
    GovernanceEdit,
    Stage,
    governance_edit,
    stage_of,
)

# A record imported without a classification carries this in its `attention` until a steward
# sets a level: every rule reads it as restricted (level 4) meanwhile.
TO_CONFIRM = "classification"
# The legal basis such a record carries meanwhile (restricted records must name one).
UNCONFIRMED_RIGHTS = "To confirm: the record was imported without a classification."

FIELD_LABELS = {
    "classification": "classification",
    "access_level": "access level",
    "rights": "legal basis for restriction",
    "contains_pii": "personal information",
    "pii_kinds": "kinds of personal information",
}


def governance_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The governance fields of a record (or of loaded input), as stored and compared."""
    return {
        "classification": str(values["classification"]),
        "access_level": str(values["access_level"]),
        "rights": values.get("rights") or None,
        "contains_pii": bool(values.get("contains_pii")),
        "pii_kinds": sorted(str(kind) for kind in values.get("pii_kinds") or []),
    }


def in_force(dataset: Dataset) -> dict[str, Any]:
    return governance_of({field: getattr(dataset, field) for field in GOVERNANCE_FIELDS})


def proposal_open(dataset: Dataset) -> bool:
    return dataset.proposed_governance is not None


def stage(dataset: Dataset) -> Stage:
    """Where the record stands in the workflow (the one call every caller makes)."""
    return stage_of(dataset.status, proposal_open(dataset))


def edit_mode(dataset: Dataset) -> GovernanceEdit:
    return governance_edit(stage(dataset))


def proposal_from_edit(dataset: Dataset, merged: Mapping[str, Any]) -> dict[str, Any] | None:
    """What an edit does to the governance fields, given the record as it would stand: None when
    it may apply them (or leaves them as they are), the proposal when it opens a re-review
    round, and a ValidationError while the committee is judging."""
    current = in_force(dataset)
    wanted = governance_of(merged)
    if wanted == current:
        return None
    mode = edit_mode(dataset)
    if mode == GovernanceEdit.APPLY:
        return None
    if mode == GovernanceEdit.REFUSE:
        changed = [
            FIELD_LABELS[field] for field in GOVERNANCE_FIELDS if wanted[field] != current[field]
        ]
        what = (
            f"a proposed change is before it in review round {dataset.review_round}"
            if proposal_open(dataset)
            else "it is judging the record as its members see it"
        )
        raise ValidationError(
            {
                "_schema": [
                    f"The {', '.join(changed)} cannot change now: {what}. Wait for its decision"
                    + (", or withdraw the proposed change." if proposal_open(dataset) else ".")
                ]
            }
        )
    return wanted


def question(dataset: Dataset) -> dict[str, Any] | None:
    """An open round's question: the governance in force and the change proposed to it."""
    if not proposal_open(dataset):
        return None
    return {"in_force": in_force(dataset), "proposed": dataset.proposed_governance}

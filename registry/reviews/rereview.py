"""Re-review rounds: a change to the governance of a decided record becomes a question for the
committee, and the decision in force stays in force until the committee answers it.

The workflow table says when an edit proposes instead of applying (governance_edit) and which
steps close a round; this module keeps the proposal, says who may read it, and turns the
committee's answer into changes to the record.
"""

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.permissions import can_read_unpublished, can_read_version
from registry.datasets.vocab import CLASSIFICATION_LEVELS, Classification
from registry.reviews.models import Decision
from registry.reviews.workflow import (
    GOVERNANCE_FIELDS,
    GovernanceEdit,
    State,
    governance_edit,
)

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


def is_open(dataset: Dataset) -> bool:
    return dataset.proposed_governance is not None


def edit_mode(dataset: Dataset) -> GovernanceEdit:
    """What an edit to the governance fields of this record does now (the workflow's rule)."""
    return governance_edit(State(dataset.status), is_open(dataset))


def proposal_from_edit(dataset: Dataset, merged: Mapping[str, Any]) -> dict[str, Any] | None:
    """What an edit does to the governance fields of the record, given the record as it would
    stand (`merged`): None when it may apply them (or leaves them as they are), the proposal
    when it opens a re-review round, and a ValidationError while the committee is judging."""
    current = in_force(dataset)
    wanted = governance_of(merged)
    if wanted == current:
        return None
    decision = edit_mode(dataset)
    if decision == GovernanceEdit.APPLY:
        return None
    changed = [
        FIELD_LABELS[field] for field in GOVERNANCE_FIELDS if wanted[field] != current[field]
    ]
    if decision == GovernanceEdit.REFUSE:
        what = (
            f"a proposed change is before it in review round {dataset.review_round}"
            if is_open(dataset)
            else "it is judging the record as its members see it"
        )
        raise ValidationError(
            {
                "_schema": [
                    f"The {', '.join(changed)} cannot change now: {what}. Wait for its decision"
                    + (", or withdraw the proposed change." if is_open(dataset) else ".")
                ]
            }
        )
    return wanted


def question(dataset: Dataset) -> dict[str, Any] | None:
    """An open round's question: the governance in force and the change proposed to it."""
    if not is_open(dataset):
        return None
    return {"in_force": in_force(dataset), "proposed": dataset.proposed_governance}


def open_round(dataset: Dataset, proposal: dict[str, Any]) -> None:
    """Puts the proposal before the committee in a new round; the record itself is unchanged."""
    dataset.proposed_governance = proposal
    dataset.review_round += 1


def announce_round(
    dataset: Dataset, *, actor, note: str | None, via: str, notify: bool = True
) -> None:
    """The round's audit event, its recusals, and (unless the step gave it already) word to the
    committee and coordinators. Called after the flush that opened it, in its transaction."""
    from registry.reviews.committee import record_recusals
    from registry.reviews.notify import notify_next

    record_event(
        Tag.REVIEW_REREVIEW_OPEN,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        before=in_force(dataset),
        after=dataset.proposed_governance,
        details={"review_round": dataset.review_round, "via": via, "note": note},
    )
    record_recusals(dataset, actor)
    if notify:
        notify_next(dataset, note, notice="opened")


def strictest(*classifications: str | None) -> str:
    return max(
        (str(level) for level in classifications if level),
        key=lambda level: CLASSIFICATION_LEVELS[Classification(level)],
    )


def proposal_readable_by(user, dataset: Dataset) -> bool:
    """An open proposal is deliberation, not publication: shown to those who could read the
    record unpublished at the proposed level, never to the public."""
    if not is_open(dataset):
        return False
    return can_read_unpublished(user, dataset, dataset.proposed_governance["classification"])


def decision_readable_by(user, dataset: Dataset, decision: Decision) -> bool:
    """A decision is read at the strictest level it names, its proposal included: a rejected
    proposal to restrict a public record says what the record was thought to hold."""
    proposed = (decision.proposal or {}).get("proposed") or {}
    level = strictest(decision.classification, proposed.get("classification"))
    return can_read_version(user, dataset, level)

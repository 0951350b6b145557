"""Re-review rounds, from the review side: an edit of a record that announces the round it
opened, announcing a round to the committee (whether an edit opened it or a `rereview` step),
and what a reader may see of rounds, proposals and decisions.

The workflow table says when an edit proposes instead of applying and which steps close a
round; datasets.governance keeps the proposal on the record.
"""

from typing import Any

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.governance import in_force, proposal_open
from registry.datasets.merge import Edit
from registry.datasets.models import Dataset
from registry.datasets.services import update_dataset
from registry.datasets.visibility import can_read_level, proposal_readable, sees_everything_about
from registry.reviews.committee import record_recusals
from registry.reviews.models import Decision
from registry.reviews.notify import notify_next


def announce_round(
    dataset: Dataset, *, actor, note: str | None, via: str, notify: bool = True
) -> None:
    """The round's audit event, its recusals, and (unless the step gave it already) word to the
    committee and coordinators. Called after the flush that opened it, in its transaction."""
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


def edit_dataset(dataset: Dataset, raw: dict[str, Any], *, actor, **options: Any) -> Edit:
    """An edit of a record (datasets.services.update_dataset, which takes the same options); on
    a decided record whose governance it changed, the new review round it opened is announced
    in the same transaction. Every writer that edits records calls this."""
    outcome = update_dataset(dataset, raw, actor=actor, **options)
    if outcome.proposal_opened:
        announce_round(dataset, actor=actor, note=None, via="edit")
    return outcome


def readable_proposal(reader, dataset: Dataset) -> dict[str, Any] | None:
    """The open proposal, if this reader may read it."""
    if proposal_open(dataset) and proposal_readable(reader, dataset, dataset.proposed_governance):
        return dataset.proposed_governance
    return None


def shows_rounds(reader, dataset: Dataset) -> bool:
    """Review round numbers count rounds the reader may not see; only those who see everything
    about the record are shown them."""
    return sees_everything_about(reader, dataset)


def decision_readable_by(reader, dataset: Dataset, decision: Decision) -> bool:
    """A decision is read at the strictest level of everything it shows: what it approved, and
    for a re-review round both the governance in force then and the change proposed."""
    question = decision.proposal or {}
    return can_read_level(
        reader,
        dataset,
        decision.classification,
        (question.get("in_force") or {}).get("classification"),
        (question.get("proposed") or {}).get("classification"),
    )

"""The review workflow's states. Pure Python: no Flask, no database.

The transition table and transition() join this module with the committee issue; until then a
dataset is created as a draft and keeps its state.
"""

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_COMMITTEE = "in_committee"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    RETIRED = "retired"


STATE_LABELS = {
    State.DRAFT: "Draft",
    State.SUBMITTED: "Submitted",
    State.IN_COMMITTEE: "In committee",
    State.CHANGES_REQUESTED: "Changes requested",
    State.APPROVED: "Approved",
    State.REJECTED: "Rejected",
    State.PUBLISHED: "Published",
    State.RETIRED: "Retired",
}

INITIAL_STATE = State.DRAFT

"""The review workflow as data: states, actions, and who may move a dataset from one to another.

Pure Python: no Flask, no database. It is the only place that decides whether a transition may
happen; services, pages and the API ask it, and governance staff can read the table below.
"""

from dataclasses import dataclass
from enum import StrEnum

from registry.errors import InvalidTransition, PermissionDenied


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


class Action(StrEnum):
    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    REQUEST_CHANGES = "request_changes"
    SEND_TO_COMMITTEE = "send_to_committee"
    DECIDE = "decide"
    PUBLISH = "publish"
    RETIRE = "retire"
    REOPEN = "reopen"
    REREVIEW = "rereview"
    WITHDRAW = "withdraw"


ACTION_LABELS = {
    Action.SUBMIT: "Submit for review",
    Action.RESUBMIT: "Resubmit",
    Action.REQUEST_CHANGES: "Request changes",
    Action.SEND_TO_COMMITTEE: "Send to committee",
    Action.DECIDE: "Record the committee's decision",
    Action.PUBLISH: "Record publication",
    Action.RETIRE: "Retire",
    Action.REOPEN: "Reopen as a draft",
    Action.REREVIEW: "Start a classification re-review",
    Action.WITHDRAW: "Withdraw the proposed change",
}


class Outcome(StrEnum):
    """What the committee decides, and what each member votes for."""

    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


OUTCOME_STATES = {
    Outcome.APPROVE: State.APPROVED,
    Outcome.REJECT: State.REJECTED,
    Outcome.REQUEST_CHANGES: State.CHANGES_REQUESTED,
}

STEWARD, COORDINATOR, COMMITTEE = "steward", "coordinator", "committee"


@dataclass(frozen=True)
class Rule:
    target: State | None  # None: the decision's outcome says where it goes
    roles: frozenset[str]
    rationale: bool  # a judgement, which must say why


def _rule(target, *roles, rationale=False) -> Rule:
    return Rule(target, frozenset(roles), rationale)


TRANSITIONS: dict[tuple[State, Action], Rule] = {
    (State.DRAFT, Action.SUBMIT): _rule(State.SUBMITTED, STEWARD, COORDINATOR),
    (State.CHANGES_REQUESTED, Action.RESUBMIT): _rule(State.SUBMITTED, STEWARD, COORDINATOR),
    (State.SUBMITTED, Action.REQUEST_CHANGES): _rule(
        State.CHANGES_REQUESTED, COORDINATOR, rationale=True
    ),
    (State.SUBMITTED, Action.SEND_TO_COMMITTEE): _rule(State.IN_COMMITTEE, COORDINATOR),
    # Recorded by a chair from a meeting; votes reaching quorum decide without this action.
    (State.IN_COMMITTEE, Action.DECIDE): _rule(None, COMMITTEE, rationale=True),
    (State.APPROVED, Action.PUBLISH): _rule(State.PUBLISHED, COORDINATOR),
    (State.PUBLISHED, Action.RETIRE): _rule(State.RETIRED, COORDINATOR, rationale=True),
    (State.APPROVED, Action.RETIRE): _rule(State.RETIRED, COORDINATOR, rationale=True),
    (State.REJECTED, Action.RETIRE): _rule(State.RETIRED, COORDINATOR, rationale=True),
    (State.DRAFT, Action.RETIRE): _rule(State.RETIRED, COORDINATOR, rationale=True),
    (State.REJECTED, Action.REOPEN): _rule(State.DRAFT, COORDINATOR, rationale=True),
    (State.RETIRED, Action.REOPEN): _rule(State.DRAFT, COORDINATOR, rationale=True),
    # The committee looks again at how a released or releasable record is classified.
    (State.APPROVED, Action.REREVIEW): _rule(State.APPROVED, STEWARD, COORDINATOR),
    (State.PUBLISHED, Action.REREVIEW): _rule(State.PUBLISHED, STEWARD, COORDINATOR),
}

# The fields a committee decision fixes. Changing one of them on a record in a decided state
# does not change the record: it opens a re-review round with the change as its proposal.
GOVERNANCE_FIELDS = ("classification", "access_level", "rights", "contains_pii", "pii_kinds")
DECIDED_STATES = frozenset({State.APPROVED, State.PUBLISHED})

# While a re-review round is open the decision in force stays in force: the record keeps its
# state, may still be published or retired, and the committee's decision on the proposal (by
# votes or by the chair) leaves the state where it is. This table replaces the one above then.
REREVIEW_TRANSITIONS: dict[tuple[State, Action], Rule] = {
    (State.APPROVED, Action.DECIDE): _rule(State.APPROVED, COMMITTEE, rationale=True),
    (State.PUBLISHED, Action.DECIDE): _rule(State.PUBLISHED, COMMITTEE, rationale=True),
    (State.APPROVED, Action.WITHDRAW): _rule(State.APPROVED, STEWARD, COORDINATOR, rationale=True),
    (State.PUBLISHED, Action.WITHDRAW): _rule(
        State.PUBLISHED, STEWARD, COORDINATOR, rationale=True
    ),
    (State.APPROVED, Action.PUBLISH): TRANSITIONS[(State.APPROVED, Action.PUBLISH)],
    (State.APPROVED, Action.RETIRE): TRANSITIONS[(State.APPROVED, Action.RETIRE)],
    (State.PUBLISHED, Action.RETIRE): TRANSITIONS[(State.PUBLISHED, Action.RETIRE)],
}
# Steps that end an open re-review round: a decision, a withdrawal, or retiring the record.
CLOSES_REREVIEW = frozenset({Action.DECIDE, Action.WITHDRAW, Action.RETIRE})


def _table(rereview: bool) -> dict[tuple[State, Action], Rule]:
    return REREVIEW_TRANSITIONS if rereview else TRANSITIONS


def before_committee(state: State, rereview: bool = False) -> bool:
    """Members vote wherever the committee may decide."""
    return (state, Action.DECIDE) in _table(rereview)


class GovernanceEdit(StrEnum):
    APPLY = "apply"
    PROPOSE = "propose"  # opens a re-review round; the decision in force stays in force
    REFUSE = "refuse"  # the committee is judging the record as its members see it


def governance_edit(state: State, rereview: bool = False) -> GovernanceEdit:
    """What an edit to GOVERNANCE_FIELDS does in this state."""
    if before_committee(state, rereview):
        return GovernanceEdit.REFUSE
    if state in DECIDED_STATES:
        return GovernanceEdit.PROPOSE
    return GovernanceEdit.APPLY


def allowed_actions(state: State, roles, rereview: bool = False) -> list[Action]:
    """The actions these roles may take from this state, in the table's order."""
    roles = {str(role) for role in roles}
    return [
        action
        for (from_state, action), rule in _table(rereview).items()
        if from_state == state and rule.roles & roles
    ]


def transition(
    state: State,
    action: Action,
    roles,
    *,
    note: str | None = None,
    outcome: Outcome | None = None,
    rereview: bool = False,
) -> State:
    """The state after `action`, or why not: an action that does not apply to this state is
    InvalidTransition (naming those that do); one these roles may not take is PermissionDenied;
    a judgement without a rationale, or a decision without an outcome, is a ValueError.
    `rereview` says a re-review round is open on the record."""
    table = _table(rereview)
    rule = table.get((state, action))
    if rule is None:
        possible = [a for (s, a) in table if s == state]
        during = " while a re-review is open" if rereview else ""
        raise InvalidTransition(
            f"A {STATE_LABELS[state].lower()} dataset cannot be sent to '{action}'{during}.",
            allowed_actions=[str(a) for a in possible],
        )
    if not rule.roles & {str(role) for role in roles}:
        raise PermissionDenied(f"Your role may not {ACTION_LABELS[action].lower()}.")
    if rule.rationale and not (note or "").strip():
        raise ValueError("note")
    if action == Action.DECIDE and outcome is None:
        raise ValueError("outcome")
    return rule.target if rule.target is not None else OUTCOME_STATES[outcome]

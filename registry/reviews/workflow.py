"""The review workflow as data: where a record stands, what may happen next, who may do it, what
it needs, and what it does. The only authority on whether a step may happen.

Pure Python: no Flask, no database. Services gather the facts about a record and a person
(Facts) and ask transition(); pages and the API ask allowed_actions(); governance staff can read
the table below.
"""

from dataclasses import dataclass
from enum import StrEnum

from registry.errors import InvalidTransition, PermissionDenied
from registry.labels import Labelled, name_terms
from registry.permissions import Permission, Role, permissions_for


class State(Labelled):
    """The status a record stores."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_COMMITTEE = "in_committee", "In committee"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


name_terms(State, "status")

INITIAL_STATE = State.DRAFT


class Stage(StrEnum):
    """Where a record stands in the workflow: its state, and for a decided record whether a
    re-review round is open (the decision in force stays in force meanwhile)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_COMMITTEE = "in_committee"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    RETIRED = "retired"
    APPROVED_IN_REREVIEW = "approved+rereview"
    PUBLISHED_IN_REREVIEW = "published+rereview"


IN_REREVIEW = {
    State.APPROVED: Stage.APPROVED_IN_REREVIEW,
    State.PUBLISHED: Stage.PUBLISHED_IN_REREVIEW,
}


def stage_of(status: str, proposal_open: bool) -> Stage:
    """The one place that turns a record's status and open proposal into its stage."""
    state = State(status)
    if proposal_open and state in IN_REREVIEW:
        return IN_REREVIEW[state]
    return Stage(state.value)


class Action(Labelled):
    SUBMIT = "submit", "Submit for review"
    RESUBMIT = "resubmit", "Resubmit"
    REQUEST_CHANGES = "request_changes", "Request changes"
    SEND_TO_COMMITTEE = "send_to_committee", "Send to committee"
    DECIDE = "decide", "Record the committee's decision"
    PUBLISH = "publish", "Record publication"
    RETIRE = "retire", "Retire"
    REOPEN = "reopen", "Reopen as a draft"
    REREVIEW = "rereview", "Start a classification re-review"
    WITHDRAW = "withdraw", "Withdraw the proposed change"
    RECORD_PRIOR_RELEASE = "record_prior_release", "Record a release made before the registry"


name_terms(Action, "action")


class Outcome(Labelled):
    """What the committee decides, and what each member votes for."""

    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


name_terms(Outcome, "outcome", "vote")


OUTCOME_STATES = {
    Outcome.APPROVE: State.APPROVED,
    Outcome.REJECT: State.REJECTED,
    Outcome.REQUEST_CHANGES: State.CHANGES_REQUESTED,
}


class Check(StrEnum):
    """Rules beyond the role that depend on the record and the person (see Facts)."""

    OWN_DEPARTMENT = "own_department"  # the record's department, or a coordinator
    CHAIR = "chair"  # a chair records the committee's decision
    NOT_RECUSED = "not_recused"  # members of the record's department or its steward sit out
    COMPLETE = "complete"  # complete enough for the committee to judge
    PUBLISHABLE = "publishable"  # a landing page and at least one distribution
    # Only an import that read the release from its source (a portal's catalog, an inventory's
    # status column) records a release made before the registry: no page offers it.
    RELEASED_BEFORE = "released_before"


class Effect(StrEnum):
    """What a step does besides moving the record; the services hold one function per effect."""

    NEW_ROUND = "new_round"  # the committee takes it up in a new review round
    OPEN_REREVIEW = "open_rereview"  # a re-review round on the governance in force
    RECORD_DECISION = "record_decision"  # the committee's decision, written once
    CLOSE_REREVIEW = "close_rereview"  # the proposal is withdrawn; the decision in force stands
    PUBLICATION = "publication"  # landing page, distributions, publication date
    PRIOR_RELEASE = "prior_release"  # published before the registry: its own date, no committee


# Who may take a step, as the permissions that allow it (any one of them): the record's
# editors (a steward of its department, checked by OWN_DEPARTMENT, or anyone who edits every
# department's), the coordinator's management of the workflow, and the committee's decision.
EDITORS = (Permission.DATASET_EDIT_DEPARTMENT, Permission.DATASET_EDIT_ANY)
MANAGE = Permission.WORKFLOW_MANAGE
DECIDERS = Permission.REVIEW_DECIDE


@dataclass(frozen=True)
class Rule:
    target: State | None  # None: the decision's outcome says where it goes
    allowed_by: frozenset[Permission]
    rationale: bool = False  # a judgement, which must say why
    checks: tuple[Check, ...] = ()
    effects: tuple[Effect, ...] = ()


def _rule(target, *allowed_by, rationale=False, checks=(), effects=()) -> Rule:
    return Rule(target, frozenset(allowed_by), rationale, tuple(checks), tuple(effects))


_DEPARTMENT = (Check.OWN_DEPARTMENT,)
_CHAIR = (Check.CHAIR, Check.NOT_RECUSED)
_DECIDE = (Effect.RECORD_DECISION,)

TRANSITIONS: dict[tuple[Stage, Action], Rule] = {
    (Stage.DRAFT, Action.SUBMIT): _rule(
        State.SUBMITTED, *EDITORS, checks=(*_DEPARTMENT, Check.COMPLETE)
    ),
    (Stage.CHANGES_REQUESTED, Action.RESUBMIT): _rule(
        State.SUBMITTED, *EDITORS, checks=(*_DEPARTMENT, Check.COMPLETE)
    ),
    (Stage.SUBMITTED, Action.REQUEST_CHANGES): _rule(
        State.CHANGES_REQUESTED, MANAGE, rationale=True
    ),
    (Stage.SUBMITTED, Action.SEND_TO_COMMITTEE): _rule(
        State.IN_COMMITTEE, MANAGE, effects=(Effect.NEW_ROUND,)
    ),
    # A chair records a meeting's decision; votes reaching quorum decide without this action.
    (Stage.IN_COMMITTEE, Action.DECIDE): _rule(
        None, DECIDERS, rationale=True, checks=_CHAIR, effects=_DECIDE
    ),
    (Stage.APPROVED, Action.PUBLISH): _rule(
        State.PUBLISHED, MANAGE, checks=(Check.PUBLISHABLE,), effects=(Effect.PUBLICATION,)
    ),
    (Stage.PUBLISHED, Action.RETIRE): _rule(State.RETIRED, MANAGE, rationale=True),
    (Stage.APPROVED, Action.RETIRE): _rule(State.RETIRED, MANAGE, rationale=True),
    (Stage.REJECTED, Action.RETIRE): _rule(State.RETIRED, MANAGE, rationale=True),
    (Stage.DRAFT, Action.RETIRE): _rule(State.RETIRED, MANAGE, rationale=True),
    # What a city had released before it adopted the registry stays released: it does not go
    # back through the committee (its level must allow release; the importer checks).
    (Stage.DRAFT, Action.RECORD_PRIOR_RELEASE): _rule(
        State.PUBLISHED,
        MANAGE,
        checks=(Check.RELEASED_BEFORE,),
        effects=(Effect.PRIOR_RELEASE,),
    ),
    (Stage.REJECTED, Action.REOPEN): _rule(State.DRAFT, MANAGE, rationale=True),
    (Stage.RETIRED, Action.REOPEN): _rule(State.DRAFT, MANAGE, rationale=True),
    # The committee looks again at how a released or releasable record is classified.
    (Stage.APPROVED, Action.REREVIEW): _rule(
        State.APPROVED, *EDITORS, checks=_DEPARTMENT, effects=(Effect.OPEN_REREVIEW,)
    ),
    (Stage.PUBLISHED, Action.REREVIEW): _rule(
        State.PUBLISHED, *EDITORS, checks=_DEPARTMENT, effects=(Effect.OPEN_REREVIEW,)
    ),
    # During a re-review round the decision in force stays in force: the record keeps its state,
    # may still be published or retired, and the committee's decision on the proposal (by votes
    # or by a chair) leaves the state where it is.
    (Stage.APPROVED_IN_REREVIEW, Action.DECIDE): _rule(
        State.APPROVED, DECIDERS, rationale=True, checks=_CHAIR, effects=_DECIDE
    ),
    (Stage.PUBLISHED_IN_REREVIEW, Action.DECIDE): _rule(
        State.PUBLISHED, DECIDERS, rationale=True, checks=_CHAIR, effects=_DECIDE
    ),
    (Stage.APPROVED_IN_REREVIEW, Action.WITHDRAW): _rule(
        State.APPROVED,
        *EDITORS,
        rationale=True,
        checks=_DEPARTMENT,
        effects=(Effect.CLOSE_REREVIEW,),
    ),
    (Stage.PUBLISHED_IN_REREVIEW, Action.WITHDRAW): _rule(
        State.PUBLISHED,
        *EDITORS,
        rationale=True,
        checks=_DEPARTMENT,
        effects=(Effect.CLOSE_REREVIEW,),
    ),
    (Stage.APPROVED_IN_REREVIEW, Action.PUBLISH): _rule(
        State.PUBLISHED, MANAGE, checks=(Check.PUBLISHABLE,), effects=(Effect.PUBLICATION,)
    ),
    (Stage.APPROVED_IN_REREVIEW, Action.RETIRE): _rule(
        State.RETIRED, MANAGE, rationale=True, effects=(Effect.CLOSE_REREVIEW,)
    ),
    (Stage.PUBLISHED_IN_REREVIEW, Action.RETIRE): _rule(
        State.RETIRED, MANAGE, rationale=True, effects=(Effect.CLOSE_REREVIEW,)
    ),
}

# The fields a committee decision fixes. Changing one of them on a decided record does not
# change the record: it opens a re-review round with the change as its proposal.
GOVERNANCE_FIELDS = ("classification", "access_level", "rights", "contains_pii", "pii_kinds")
# Where the committee's approval leaves a record: releasable, or released.
DECIDED_STATES = (str(State.APPROVED), str(State.PUBLISHED))
DECIDED_STAGES = frozenset(Stage(state) for state in DECIDED_STATES)


@dataclass(frozen=True)
class Facts:
    """What the checks need to know, gathered by the services before a step."""

    in_department: bool = False  # the person belongs to the record's department
    is_chair: bool = False
    recused: bool = False
    missing: tuple[str, ...] = ()  # missing_for_review() of the record
    unpublishable: tuple[tuple[str, str], ...] = ()  # publication_problems() of the step
    released_before: bool = False  # an import read the release from the record's source


# The committee as a body, when votes reaching quorum decide: no chair records it, nobody sits
# out (recused members' votes are never counted).
THE_COMMITTEE = Facts(is_chair=True)


class MissingInput(ValueError):
    """The step is allowed but lacks what it needs; `problems` maps a field to what to give."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


# Checks about who may act (they hide an action), and about what the step needs (they do not:
# the person is told what is missing instead).
WHO_CHECKS = frozenset(
    {Check.OWN_DEPARTMENT, Check.CHAIR, Check.NOT_RECUSED, Check.RELEASED_BEFORE}
)


def _granted(roles) -> frozenset[Permission]:
    return permissions_for(Role(role) for role in roles)


def _refusal(check: Check, action: Action, granted: frozenset, facts: Facts) -> str | None:
    """Why a who-check refuses this person, or None."""
    every_department = Permission.DATASET_EDIT_ANY in granted
    if check == Check.OWN_DEPARTMENT and not every_department and not facts.in_department:
        return f"“{action.label}” is for the dataset's own department or a coordinator."
    if check == Check.CHAIR and not facts.is_chair:
        return "Only a chair records the committee's decision."
    if check == Check.NOT_RECUSED and facts.recused:
        return "You are recused: you steward this dataset or belong to its department."
    if check == Check.RELEASED_BEFORE and not facts.released_before:
        return "Only an import records a release made before the registry."
    return None


def allowed_actions(stage: Stage, roles, facts: Facts | None = None) -> list[Action]:
    """The actions these roles (and, given facts, this person) may take now, in table order."""
    granted = _granted(roles)
    allowed = []
    for (from_stage, action), rule in TRANSITIONS.items():
        if from_stage != stage or not rule.allowed_by & granted:
            continue
        if facts is not None and any(
            _refusal(check, action, granted, facts) for check in rule.checks if check in WHO_CHECKS
        ):
            continue
        allowed.append(action)
    return allowed


def needs_rationale(stage: Stage, action: Action) -> bool:
    """Whether the step is a judgement, which must say why (its form asks for a rationale)."""
    rule = TRANSITIONS.get((stage, action))
    return rule is not None and rule.rationale


def before_committee(stage: Stage) -> bool:
    """Members vote wherever the committee may decide."""
    return (stage, Action.DECIDE) in TRANSITIONS


def may_vote(stage: Stage, roles, facts: Facts) -> bool:
    """Committee members vote while the committee may decide, unless recused."""
    return (
        Permission.REVIEW_VOTE in _granted(roles) and before_committee(stage) and not facts.recused
    )


class GovernanceEdit(StrEnum):
    APPLY = "apply"
    PROPOSE = "propose"  # opens a re-review round; the decision in force stays in force
    REFUSE = "refuse"  # the committee is judging the record as its members see it


def governance_edit(stage: Stage) -> GovernanceEdit:
    """What an edit to GOVERNANCE_FIELDS does at this stage."""
    if before_committee(stage):
        return GovernanceEdit.REFUSE
    if stage in DECIDED_STAGES:
        return GovernanceEdit.PROPOSE
    return GovernanceEdit.APPLY


@dataclass(frozen=True)
class Step:
    target: State
    effects: tuple[Effect, ...]


def transition(
    stage: Stage,
    action: Action,
    roles,
    *,
    facts: Facts | None = None,
    note: str | None = None,
    outcome: Outcome | None = None,
) -> Step:
    """Where `action` takes a record at this stage and what it does, or why not: an action that
    does not apply is InvalidTransition (naming those that do); one this person may not take is
    PermissionDenied; a step lacking what it needs is MissingInput."""
    rule = TRANSITIONS.get((stage, action))
    if rule is None:
        possible = [  # what a person may ask for here (an import's own step is not offered)
            a
            for (s, a), r in TRANSITIONS.items()
            if s == stage and Check.RELEASED_BEFORE not in r.checks
        ]
        raise InvalidTransition(
            f"A dataset that is {describe(stage)} cannot be sent to '{action}'.",
            allowed_actions=[str(a) for a in possible],
        )
    granted = _granted(roles)
    facts = facts or Facts()
    if not rule.allowed_by & granted:
        raise PermissionDenied(f"Your role may not {action.label.lower()}.")
    for check in rule.checks:
        refusal = _refusal(check, action, granted, facts)
        if refusal:
            raise PermissionDenied(refusal)
    problems = _missing_input(rule, facts, note, outcome)
    if problems:
        raise MissingInput(problems)
    target = rule.target if rule.target is not None else OUTCOME_STATES[outcome]
    return Step(target, rule.effects)


def _missing_input(rule: Rule, facts: Facts, note: str | None, outcome) -> dict[str, str]:
    """What the step lacks, by field: a judgement's reason, the decision, a complete record,
    where the public finds the data."""
    problems: dict[str, str] = {}
    if rule.rationale and not (note or "").strip():
        problems["note"] = "Say why: this is a judgement, and the record keeps the reason."
    if Effect.RECORD_DECISION in rule.effects and outcome is None:
        problems["outcome"] = "Choose the committee's decision."
    if Check.COMPLETE in rule.checks and facts.missing:
        problems["_schema"] = (
            "Complete the record before submitting it: add " + ", ".join(facts.missing) + "."
        )
    if Check.PUBLISHABLE in rule.checks:
        problems.update(dict(facts.unpublishable))
    return problems


def describe(stage: Stage) -> str:
    """A stage in words: "approved, with a re-review open"."""
    for state, in_rereview in IN_REREVIEW.items():
        if stage == in_rereview:
            return f"{state.label.lower()}, with a re-review open"
    return State(stage.value).label.lower()

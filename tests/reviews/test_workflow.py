"""Every cell of the transition table, for every role: allowed, 403 or 409."""

import pytest

from registry.errors import InvalidTransition, PermissionDenied
from registry.reviews.workflow import (
    REREVIEW_TRANSITIONS,
    TRANSITIONS,
    Action,
    Outcome,
    State,
    allowed_actions,
    transition,
)

ROLES = ["steward", "coordinator", "committee", "stakeholder", "auditor"]
CELLS = [(state, action, role) for state in State for action in Action for role in ROLES]
TABLES = {False: TRANSITIONS, True: REREVIEW_TRANSITIONS}


@pytest.mark.parametrize("rereview", [False, True], ids=["", "during a re-review"])
@pytest.mark.parametrize(("state", "action", "role"), CELLS)
def test_every_cell_of_the_table(state, action, role, rereview):
    rule = TABLES[rereview].get((state, action))
    kwargs = {"note": "Because.", "outcome": Outcome.APPROVE, "rereview": rereview}
    if rule is None:
        with pytest.raises(InvalidTransition):
            transition(state, action, [role], **kwargs)
    elif role not in rule.roles:
        with pytest.raises(PermissionDenied):
            transition(state, action, [role], **kwargs)
    else:
        expected = rule.target or State.APPROVED
        assert transition(state, action, [role], **kwargs) == expected


def test_an_invalid_action_names_the_ones_that_apply():
    with pytest.raises(InvalidTransition) as caught:
        transition(State.DRAFT, Action.PUBLISH, ["coordinator"])
    assert caught.value.details["allowed_actions"] == ["submit", "retire"]


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for (s, a), rule in TRANSITIONS.items() if rule.rationale]
)
def test_a_judgement_needs_a_rationale(state, action):
    roles = sorted(TRANSITIONS[(state, action)].roles)
    with pytest.raises(ValueError, match="note"):
        transition(state, action, roles, note="  ", outcome=Outcome.REJECT)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_a_decision_goes_where_its_outcome_says(outcome):
    state = transition(
        State.IN_COMMITTEE, Action.DECIDE, ["committee"], note="Minutes 12", outcome=outcome
    )
    assert (
        state
        == {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}[
            outcome
        ]
    )


def test_allowed_actions_for_a_coordinator_on_a_submission():
    assert allowed_actions(State.SUBMITTED, ["coordinator"]) == [
        Action.REQUEST_CHANGES,
        Action.SEND_TO_COMMITTEE,
    ]


def test_the_workflow_module_imports_no_framework():
    import ast
    import inspect

    from registry.reviews import workflow

    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(inspect.getsource(workflow)))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name and name.split(".")[0] in {"flask", "sqlalchemy"}}

"""Every cell of the workflow, for every role, against expectations written out by hand from the
README's workflow section (not read from the table under test), and each check beside it."""

import pytest

from registry.errors import InvalidTransition, PermissionDenied
from registry.reviews.workflow import (
    Action,
    Check,
    Effect,
    Facts,
    MissingInput,
    Outcome,
    Stage,
    State,
    allowed_actions,
    governance_edit,
    stage_of,
    transition,
)

# Who may take each step, and where it leads, as the README describes the workflow. "chair"
# means a committee member who chairs; every step not listed is not possible at that stage.
EXPECTED = """
draft               submit             steward coordinator   submitted
draft               retire             coordinator           retired
draft               record_prior_release  coordinator        published
changes_requested   resubmit           steward coordinator   submitted
submitted           request_changes    coordinator           changes_requested
submitted           send_to_committee  coordinator           in_committee
in_committee        decide             chair                 (outcome)
approved            publish            coordinator           published
approved            retire             coordinator           retired
approved            rereview           steward coordinator   approved
published           retire             coordinator           retired
published           rereview           steward coordinator   published
rejected            retire             coordinator           retired
rejected            reopen             coordinator           draft
retired             reopen             coordinator           draft
approved+rereview   decide             chair                 approved
approved+rereview   withdraw           steward coordinator   approved
approved+rereview   publish            coordinator           published
approved+rereview   retire             coordinator           retired
published+rereview  decide             chair                 published
published+rereview  withdraw           steward coordinator   published
published+rereview  retire             coordinator           retired
"""
ROLES = ["steward", "coordinator", "committee", "stakeholder", "auditor"]


def _expectations() -> dict[tuple[str, str], tuple[set[str], str]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        stage, action, *who, target = line.split()
        roles = {"committee" if person == "chair" else person for person in who}
        table[(stage, action)] = (roles, target)
    return table


TABLE = _expectations()
# Facts under which every check passes: the person is in the department, chairs, is not
# recused; the record is complete and publishable.
EVERYTHING_IN_ORDER = Facts(in_department=True, is_chair=True, released_before=True)
CELLS = [(stage, action, role) for stage in Stage for action in Action for role in ROLES]


@pytest.mark.parametrize(("stage", "action", "role"), CELLS)
def test_every_cell_of_the_workflow(stage, action, role):
    expected = TABLE.get((str(stage), str(action)))
    kwargs = {"facts": EVERYTHING_IN_ORDER, "note": "Because.", "outcome": Outcome.REJECT}
    if expected is None:
        with pytest.raises(InvalidTransition):
            transition(stage, action, [role], **kwargs)
    elif role not in expected[0]:
        with pytest.raises(PermissionDenied):
            transition(stage, action, [role], **kwargs)
    else:
        target = expected[1] if expected[1] != "(outcome)" else "rejected"
        assert transition(stage, action, [role], **kwargs).target == target


def test_the_expectations_cover_exactly_the_steps_the_table_allows():
    allowed = {
        (str(stage), str(action))
        for stage in Stage
        for action in allowed_actions(stage, ROLES, EVERYTHING_IN_ORDER)
    }
    assert allowed == set(TABLE)


@pytest.mark.parametrize(
    ("status", "proposal_open", "stage"),
    [
        ("approved", True, Stage.APPROVED_IN_REREVIEW),
        ("published", True, Stage.PUBLISHED_IN_REREVIEW),
        ("approved", False, Stage.APPROVED),
        ("draft", True, Stage.DRAFT),
    ],
)
def test_a_re_review_round_is_a_stage_of_a_decided_record(status, proposal_open, stage):
    assert stage_of(status, proposal_open) == stage


def test_only_a_chair_records_the_committees_decision():
    with pytest.raises(PermissionDenied, match="chair"):
        transition(
            Stage.IN_COMMITTEE,
            Action.DECIDE,
            ["committee"],
            facts=Facts(is_chair=False),
            note="Minutes",
            outcome=Outcome.APPROVE,
        )


def test_a_recused_chair_may_not_record_the_decision():
    with pytest.raises(PermissionDenied, match="recused"):
        transition(
            Stage.IN_COMMITTEE,
            Action.DECIDE,
            ["committee"],
            facts=Facts(is_chair=True, recused=True),
            note="Minutes",
            outcome=Outcome.APPROVE,
        )


def test_a_steward_of_another_department_may_not_submit():
    with pytest.raises(PermissionDenied, match="own department"):
        transition(Stage.DRAFT, Action.SUBMIT, ["steward"], facts=Facts(in_department=False))


def test_a_coordinator_may_submit_for_any_department():
    step = transition(Stage.DRAFT, Action.SUBMIT, ["coordinator"], facts=Facts())
    assert step.target == State.SUBMITTED


def test_an_incomplete_record_cannot_be_submitted_and_says_what_it_lacks():
    with pytest.raises(MissingInput) as caught:
        transition(
            Stage.DRAFT,
            Action.SUBMIT,
            ["steward"],
            facts=Facts(in_department=True, missing=("a description", "keywords")),
        )
    assert "a description, keywords" in caught.value.problems["_schema"]


def test_publication_needs_a_landing_page_and_a_distribution():
    with pytest.raises(MissingInput) as caught:
        transition(
            Stage.APPROVED,
            Action.PUBLISH,
            ["coordinator"],
            facts=Facts(unpublishable=(("distributions", "Add one."),)),
        )
    assert caught.value.problems == {"distributions": "Add one."}


@pytest.mark.parametrize(
    ("stage", "action"), [(s, a) for (s, a) in TABLE if TABLE[(s, a)][1] != "submitted"]
)
def test_a_judgement_needs_a_rationale(stage, action):
    judgements = {"request_changes", "decide", "retire", "reopen", "withdraw"}
    roles, _ = TABLE[(stage, action)]
    call = {"facts": EVERYTHING_IN_ORDER, "note": " ", "outcome": Outcome.REJECT}
    if action in judgements:
        with pytest.raises(MissingInput):
            transition(Stage(stage), Action(action), roles, **call)
    else:
        transition(Stage(stage), Action(action), roles, **call)


def test_hidden_actions_are_only_those_the_person_may_not_take():
    """A steward of another department is not offered submit; an incomplete record's own
    steward is (and is told what is missing)."""
    stranger = allowed_actions(Stage.DRAFT, ["steward"], Facts(in_department=False))
    own = allowed_actions(Stage.DRAFT, ["steward"], Facts(in_department=True, missing=("x",)))
    assert (stranger, own) == ([], [Action.SUBMIT])


@pytest.mark.parametrize(
    ("stage", "mode"),
    [
        (Stage.DRAFT, "apply"),
        (Stage.IN_COMMITTEE, "refuse"),
        (Stage.APPROVED, "propose"),
        (Stage.PUBLISHED, "propose"),
        (Stage.PUBLISHED_IN_REREVIEW, "refuse"),
        (Stage.RETIRED, "apply"),
    ],
)
def test_what_a_governance_edit_does_at_each_stage(stage, mode):
    assert governance_edit(stage) == mode


def test_a_decision_goes_where_its_outcome_says():
    targets = {
        outcome: transition(
            Stage.IN_COMMITTEE,
            Action.DECIDE,
            ["committee"],
            facts=EVERYTHING_IN_ORDER,
            note="Minutes 12",
            outcome=outcome,
        ).target
        for outcome in Outcome
    }
    assert targets == {
        Outcome.APPROVE: "approved",
        Outcome.REJECT: "rejected",
        Outcome.REQUEST_CHANGES: "changes_requested",
    }


def test_each_step_says_what_it_does():
    step = transition(Stage.SUBMITTED, Action.SEND_TO_COMMITTEE, ["coordinator"])
    withdrawn = transition(
        Stage.PUBLISHED_IN_REREVIEW,
        Action.WITHDRAW,
        ["steward"],
        facts=Facts(in_department=True),
        note="No longer needed.",
    )
    assert (step.effects, withdrawn.effects) == ((Effect.NEW_ROUND,), (Effect.CLOSE_REREVIEW,))


def test_an_invalid_action_names_the_ones_that_apply():
    with pytest.raises(InvalidTransition) as caught:
        transition(Stage.DRAFT, Action.PUBLISH, ["coordinator"])
    assert caught.value.details["allowed_actions"] == ["submit", "retire"]


def test_checks_are_named_for_what_they_guard():
    assert {check.value for check in Check} == {
        "own_department",
        "chair",
        "not_recused",
        "complete",
        "publishable",
        "released_before",
    }


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


def test_no_page_offers_to_record_a_prior_release():
    """Only the importer, which read the release from the record's source, may record one."""
    offered = allowed_actions(Stage.DRAFT, ["coordinator"], Facts(in_department=True))
    assert Action.RECORD_PRIOR_RELEASE not in offered

"""Who must act after each workflow step, and what they are told. Nobody is told about a
record (or a proposal) they may not read, checked as the notice is written."""

from registry.accounts.models import User
from registry.accounts.services import active_users_with_role
from registry.datasets.models import Dataset
from registry.datasets.visibility import in_department, may_be_told
from registry.notifications.services import notify
from registry.permissions import Role
from registry.reviews.permissions import is_recused
from registry.reviews.workflow import State


def stewards_of(dataset: Dataset) -> list[User]:
    """The dataset's steward while they belong to its department, or else every steward of
    the department."""
    department_stewards = [
        user
        for user in active_users_with_role(Role.STEWARD)
        if in_department(user, dataset.department_id)
    ]
    if dataset.steward is not None and dataset.steward in department_stewards:
        return [dataset.steward]
    return department_stewards


def _committee(dataset: Dataset) -> list[User]:
    return [
        user for user in active_users_with_role(Role.COMMITTEE) if not is_recused(user, dataset)
    ]


# The next state decides who must act and what each is told: (kind, [(audience, text), ...]).
# The kind files it in the inbox. Only those who can act are told "awaits your vote".
NEXT_ACTORS = {
    State.SUBMITTED: (
        "Submitted",
        [("coordinators", "{title} was submitted for review and awaits triage.")],
    ),
    State.IN_COMMITTEE: (
        "Before the committee",
        [("committee", "{title} is before the committee and awaits your vote.")],
    ),
    State.APPROVED: (
        "Approved",
        [
            (
                "coordinators",
                "{title} was approved for release by {target}. It awaits publication.",
            ),
            ("stewards", "{title} was approved for release by {target}; it awaits publication."),
        ],
    ),
    State.CHANGES_REQUESTED: (
        "Changes requested",
        [("stewards", "Changes were requested to {title}: {note}")],
    ),
    State.REJECTED: (
        "Not approved",
        [("stewards", "{title} was not approved for release: {note}")],
    ),
    State.PUBLISHED: ("Published", [("stewards", "{title} is published.")]),
    State.RETIRED: ("Retired", [("stewards", "{title} was retired: {note}")]),
    State.DRAFT: ("Reopened", [("stewards", "{title} was reopened as a draft: {note}")]),
}


# What a step did, as the person who took it reads it, by the state it left the record in.
DONE = {
    State.SUBMITTED: "submitted for review",
    State.IN_COMMITTEE: "sent to the committee",
    State.APPROVED: "approved for release",
    State.CHANGES_REQUESTED: "sent back for changes",
    State.REJECTED: "not approved for release",
    State.PUBLISHED: "published: it is in the public catalog now",
    State.RETIRED: "retired",
    State.DRAFT: "reopened as a draft",
}
AUDIENCE_WORDS = {
    "coordinators": "the open data coordinators",
    "committee": "the committee's members",
    "stewards": "the department's steward",
}


# A step that leaves the state alone acts on a re-review's proposal: what it did, and who is told.
ON_A_PROPOSAL = {
    "decide": "The committee's decision on the proposed change to {title} is recorded. The open "
    "data coordinators and the department's steward are told.",
    "rereview": "A re-review of how {title} is classified and released is before the committee. "
    "The committee's members are told.",
    "withdraw": "The proposed change to {title} is withdrawn; the decision in force stands.",
}


def step_message(dataset: Dataset, action: str, state_before: str) -> str:
    """What a workflow step did and who is told next, for the person who took it:
    "Street Trees is submitted for review. The open data coordinators are told."."""
    if dataset.status == state_before:
        return ON_A_PROPOSAL.get(action, "{title}: done.").format(title=dataset.title)
    state = State(dataset.status)
    told = [AUDIENCE_WORDS[audience] for audience, _ in NEXT_ACTORS.get(state, ("", []))[1]]
    done = f"{dataset.title} is {DONE.get(state, state.label.lower())}."
    if not told:
        return done
    who = " and ".join(told)
    verb = "is" if told == [AUDIENCE_WORDS["stewards"]] else "are"
    return f"{done} {who[0].upper()}{who[1:]} {verb} told."


# A re-review round leaves the state alone, so its steps say what happened to the proposal.
REREVIEW_NOTICES = {
    "opened": [
        (
            "committee",
            "A change to how {title} is classified or released is before the committee (review "
            "round {round}) and awaits your vote. The decision in force stays in force meanwhile.",
        ),
        (
            "coordinators",
            "A change to how {title} is classified or released is before the committee (review "
            "round {round}). The decision in force stays in force meanwhile.",
        ),
    ],
    "approve": [
        (
            "coordinators+stewards",
            "The committee approved the proposed change to {title}; it now stands as decided.",
        )
    ],
    "reject": [
        (
            "coordinators+stewards",
            "The committee did not approve the proposed change to {title}; the earlier decision "
            "stays in force: {note}",
        )
    ],
    "request_changes": [
        (
            "stewards",
            "The committee asked for changes to the proposed change to {title}; the earlier "
            "decision stays in force, and you may propose again: {note}",
        )
    ],
    "withdrawn": [
        ("committee+coordinators", "The proposed change to {title} was withdrawn: {note}")
    ],
}
# Notices that speak of an open proposal: only those who may read it are told.
PROPOSAL_NOTICES = frozenset({"opened", "withdrawn"})

REREVIEW_SUBJECTS = {
    "opened": "re-review opened",
    "approve": "proposed change approved",
    "reject": "proposed change not approved",
    "request_changes": "changes requested to the proposal",
    "withdrawn": "proposed change withdrawn",
}


def _audience(dataset: Dataset, who: str) -> list[User]:
    people: list[User] = []
    if "coordinators" in who:
        people += active_users_with_role(Role.COORDINATOR)
    if "stewards" in who:
        people += stewards_of(dataset)
    if "committee" in who:
        people += _committee(dataset)
    return people


def notify_next(
    dataset: Dataset, note: str | None, notice: str | None = None, proposal: dict | None = None
) -> int:
    """Tells whoever must act after a step: by the state it reached, or by the re-review
    notice it gives (see REREVIEW_NOTICES). A person in two audiences hears once, in the
    first that names them. A notice about a proposal (`proposal`, or the one open) reaches only
    those who may read it."""
    if notice is not None:
        kind, messages = "Re-review", REREVIEW_NOTICES[notice]
        subject = f"{dataset.title}: {REREVIEW_SUBJECTS[notice]}"
    else:
        kind, messages = NEXT_ACTORS[State(dataset.status)]
        subject = f"{dataset.title}: {State(dataset.status).label.lower()}"
    told: set[int] = set()
    if notice in PROPOSAL_NOTICES:
        proposal = proposal or dataset.proposed_governance
    for who, template in messages:
        people = [
            person
            for person in _audience(dataset, who)
            if person.id not in told and may_be_told(person, dataset, proposal=proposal)
        ]
        told.update(person.id for person in people)
        body = template.format(
            title=dataset.title,
            note=note or "see the record for the reason.",
            target=dataset.release_target_date or "the policy deadline",
            round=dataset.review_round,
        )
        notify(people, subject, body, link=f"/datasets/{dataset.identifier}", kind=kind)
    return len(told)

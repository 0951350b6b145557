"""Review endpoints of the JSON API: transitions, votes, and the state of a review."""

from flask import Blueprint, jsonify
from flask_login import current_user

from registry.api.operations import operation
from registry.datasets.api import IDENTIFIER, dataset_body
from registry.datasets.governance import question
from registry.datasets.services import get_readable
from registry.db import utctoday
from registry.extensions import db
from registry.permissions import Permission
from registry.reviews import rereview, services
from registry.reviews.permissions import available_actions
from registry.reviews.schemas import (
    DecisionListOut,
    DecisionOut,
    ReviewOut,
    TransitionIn,
    TransitionResultOut,
    VoteIn,
)
from registry.web.access import require_permission, require_signed_in
from registry.web.requests import json_body


def review_state(dataset) -> dict:
    state = services.round_state(dataset)
    return ReviewOut().dump(
        {
            "status": dataset.status,
            "review_round": dataset.review_round,
            "quorum": state.quorum,
            "eligible_members": state.eligible,
            "tally": services.tally(state.counted),
            "votes": state.votes,
            "decision": services.latest_decision(dataset),
            "proposal": question(dataset),
            "release_target_date": dataset.release_target_date,
            "published_on": dataset.published_on,
            "overdue": dataset.is_overdue(utctoday()),
            "published_late": dataset.published_late,
            "published_on_time": dataset.published_on_time,
            "due_for_rereview": services.due_for_rereview(dataset),
        }
    )


@operation(
    "Move a dataset through review: submit, send_to_committee, decide, publish, retire, "
    "reopen, rereview, withdraw...",
    ok=(200, "The record after the step", TransitionResultOut),
    errors=(403, 404, 422, (409, "Not possible in this state; `allowed_actions` says what is")),
    body=TransitionIn,
    signed_in=True,
)
@require_signed_in
def post_transition(identifier: str):
    dataset = get_readable(identifier, current_user)
    services.perform_transition(dataset, json_body(), actor=current_user)
    db.session.commit()
    body = dataset_body(dataset)
    body["allowed_actions"] = [str(action) for action in available_actions(current_user, dataset)]
    return jsonify(body)


@operation(
    "Cast or change a committee member's vote, with a rationale",
    ok=(200, "The review after the vote", ReviewOut),
    errors=(403, 404, 422, (409, "The dataset is not before the committee")),
    body=VoteIn,
    signed_in=True,
)
@require_signed_in
def post_vote(identifier: str):
    dataset = get_readable(identifier, current_user)
    services.check_can_vote(dataset, current_user)
    services.cast_vote(dataset, json_body(), actor=current_user)
    db.session.commit()
    return jsonify(review_state(dataset))


@operation(
    "The current round: quorum, tally, votes and rationales",
    ok=(200, "The review", ReviewOut),
    errors=(403, 404),
    signed_in=True,
)
@require_permission(Permission.REVIEW_READ)
def get_review(identifier: str):
    dataset = get_readable(identifier, current_user)
    return jsonify(review_state(dataset))


@operation(
    "Every decision the committee recorded, newest first",
    ok=(200, "Decisions", DecisionListOut),
    errors=(404,),
    signed_in=True,
)
@require_signed_in
def get_decisions(identifier: str):
    dataset = get_readable(identifier, current_user)
    readable = [
        decision
        for decision in services.decisions(dataset)
        if services.decision_readable(current_user, dataset, decision)
    ]
    items = DecisionOut(many=True).dump(readable)
    if not rereview.shows_rounds(current_user, dataset):
        for item in items:  # round numbers would count rounds this reader may not see
            item["review_round"] = None
    return jsonify(items=items)


def register(api: Blueprint) -> None:
    for rule, view, method in (
        ("/datasets/<identifier>/transitions", post_transition, "POST"),
        ("/datasets/<identifier>/votes", post_vote, "POST"),
        ("/datasets/<identifier>/review", get_review, "GET"),
        ("/datasets/<identifier>/decisions", get_decisions, "GET"),
    ):
        api.add_url_rule(rule, view_func=view, methods=[method], parameters=IDENTIFIER)

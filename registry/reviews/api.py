"""Review endpoints of the JSON API: transitions, votes, and the state of a review."""

from flask import Blueprint, jsonify
from flask_login import current_user

from registry.datasets.api import dataset_body
from registry.datasets.governance import question
from registry.datasets.services import get_readable
from registry.db import utctoday
from registry.extensions import db
from registry.permissions import Permission
from registry.reviews import rereview, services
from registry.reviews.permissions import available_actions
from registry.reviews.schemas import DecisionOut, ReviewOut
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


@require_signed_in
def post_transition(identifier: str):
    dataset = get_readable(identifier, current_user)
    services.perform_transition(dataset, json_body(), actor=current_user)
    db.session.commit()
    body = dataset_body(dataset)
    body["allowed_actions"] = [str(action) for action in available_actions(current_user, dataset)]
    return jsonify(body)


@require_signed_in
def post_vote(identifier: str):
    dataset = get_readable(identifier, current_user)
    services.check_can_vote(dataset, current_user)
    services.cast_vote(dataset, json_body(), actor=current_user)
    db.session.commit()
    return jsonify(review_state(dataset))


@require_permission(Permission.REVIEW_READ)
def get_review(identifier: str):
    dataset = get_readable(identifier, current_user)
    return jsonify(review_state(dataset))


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
    api.add_url_rule(
        "/datasets/<identifier>/transitions", view_func=post_transition, methods=["POST"]
    )
    api.add_url_rule("/datasets/<identifier>/votes", view_func=post_vote, methods=["POST"])
    api.add_url_rule("/datasets/<identifier>/review", view_func=get_review, methods=["GET"])
    api.add_url_rule("/datasets/<identifier>/decisions", view_func=get_decisions, methods=["GET"])

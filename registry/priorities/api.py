"""Program endpoints of the JSON API: voting rounds and votes, data requests, the release queue."""

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user

from registry.api.operations import operation
from registry.db import utcnow
from registry.extensions import db
from registry.permissions import Permission
from registry.priorities import queue, requests, rounds
from registry.priorities.schemas import (
    PriorityListOut,
    PriorityOut,
    PriorityQuery,
    RequestAnswerIn,
    RequestIn,
    RequestListOut,
    RequestOut,
    RoundIn,
    RoundListOut,
    RoundOut,
    VotesIn,
)
from registry.priorities.scoring import PART_LABELS
from registry.web.access import require_permission
from registry.web.paging import PAGE_PARAMETERS, page_body, paginate
from registry.web.requests import client_address, json_body


def round_body(voting_round) -> dict:
    """A round as the caller may see it: their own votes, and the tallies only once closed."""
    mine, remaining = rounds.my_votes(voting_round, current_user)
    signed_in = current_user.is_authenticated
    return RoundOut().dump(
        {
            **{name: getattr(voting_round, name) for name in RoundOut.ROUND_FIELDS},
            "closes_at": voting_round.closes(),
            "state": rounds.state_of(voting_round, utcnow()),
            "my_votes": mine if signed_in else None,
            "remaining": remaining if signed_in else None,
            "tallies": rounds.tallies(voting_round),
        }
    )


@operation(
    "Voting rounds, newest first, a page at a time (tallies only once closed)",
    ok=(200, "Rounds", RoundListOut),
    errors=(422,),
    parameters=PAGE_PARAMETERS,
)
def list_rounds():
    found = paginate(rounds.rounds_query())
    return jsonify(page_body(found, [round_body(item) for item in found]))


@operation(
    "Open a voting round (coordinators)",
    ok=(201, "Created", RoundOut),
    errors=(403, 422),
    body=RoundIn,
    signed_in=True,
)
@require_permission(Permission.PROGRAM_MANAGE)
def create_round():
    voting_round = rounds.create_round(json_body(), actor=current_user)
    db.session.commit()
    response = jsonify(round_body(voting_round))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_round", round_id=voting_round.id)
    return response


@operation(
    "One round, with the caller's own votes, and its tallies once closed",
    ok=(200, "The round", RoundOut),
    errors=(404,),
)
def get_round(round_id: int):
    return jsonify(round_body(rounds.get_round(round_id)))


@operation(
    "Close a round before its closing time (coordinators)",
    ok=(200, "The closed round", RoundOut),
    errors=(403, 404, (409, "Already closed")),
    signed_in=True,
)
@require_permission(Permission.PROGRAM_MANAGE)
def close_round(round_id: int):
    voting_round = rounds.close_round(rounds.get_round(round_id), actor=current_user)
    db.session.commit()
    return jsonify(round_body(voting_round))


@operation(
    "Give a candidate n votes in an open round (0 takes them back)",
    ok=(200, "The round with the caller's votes", RoundOut),
    errors=(403, 404, 422, (409, "The round is not open, or that is not a candidate")),
    body=VotesIn,
    signed_in=True,
)
@require_permission(Permission.ROUND_VOTE)
def put_votes(round_id: int, candidate: str):
    voting_round = rounds.get_round(round_id)
    rounds.set_votes(voting_round, candidate, json_body(), actor=current_user)
    db.session.commit()
    return jsonify(round_body(voting_round))


def request_body(item, settings=None) -> dict:
    """A request as the public sees it (never who asked), with its clocks and the record planned
    for it where the caller may read that record."""
    body = RequestOut().dump({**vars(item), **requests.clocks(item, settings=settings)})
    body["status_label"] = requests.STATUS_LABELS[item.status]
    visible = requests.linked_record_visible(item, current_user)
    body["dataset"] = item.dataset.identifier if visible else None
    return body


@operation(
    "Data requests, newest first, a page at a time, with their clocks",
    ok=(200, "Requests", RequestListOut),
    errors=(422,),
    parameters=[
        {
            "in": "query",
            "name": "status",
            "schema": {"type": "string", "enum": list(requests.STATUS_LABELS)},
        },
        *PAGE_PARAMETERS,
    ],
)
def list_requests():
    status = request.args.get("status")
    if status is not None and status not in requests.STATUS_LABELS:
        allowed = ", ".join(requests.STATUS_LABELS)
        return jsonify(
            error="validation_failed",
            message="The input has errors; see `errors`.",
            errors={"status": [f"Give one of: {allowed}."]},
        ), 422
    found = paginate(requests.requests_query(status))
    settings = requests.program_settings()
    items = [request_body(item, settings) for item in found]
    return jsonify(page_body(found, items))


@operation(
    "Ask for data (signed in, or with an email address where allowed)",
    ok=(201, "Received", RequestOut),
    errors=(403, 422, (429, "Too many from this address")),
    body=RequestIn,
)
def create_request():
    item = requests.submit_request(json_body(), actor=current_user, address=client_address())
    db.session.commit()
    response = jsonify(request_body(item))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_request", request_id=item.id)
    return response


@operation("One data request (never who asked)", ok=(200, "The request", RequestOut), errors=(404,))
def get_request(request_id: int):
    return jsonify(request_body(requests.get_request(request_id)))


@operation(
    "Acknowledge, plan a record for, or decline a request (coordinators)",
    ok=(200, "The request", RequestOut),
    errors=(403, 404, 422, (409, "Already answered")),
    body=RequestAnswerIn,
    signed_in=True,
)
@require_permission(Permission.PROGRAM_MANAGE)
def answer_request(request_id: int):
    item = requests.answer_request(
        requests.get_request(request_id), json_body(), actor=current_user
    )
    db.session.commit()
    return jsonify(request_body(item))


def place_body(place) -> dict:
    """A record's place in the release queue and why it stands there."""
    override = place.override
    return PriorityOut().dump(
        {
            "rank": place.rank,
            "identifier": place.dataset.identifier,
            "title": place.dataset.title,
            "department": place.dataset.department.code,
            "status": place.dataset.status,
            "release_target_date": place.dataset.release_target_date,
            "score": place.score,
            "formula_score": place.formula.total,
            "override_reason": override.reason if override else None,
            "parts": [
                {
                    "name": part.name,
                    "label": PART_LABELS[part.name],
                    "value": round(part.value, 4),
                    "weight": part.weight,
                    "points": part.points,
                    "explanation": part.explanation,
                }
                for part in place.formula.parts
            ],
        }
    )


@operation(
    "The release queue in score order, with why each stands there, a page at a time",
    ok=(200, "A page", PriorityListOut),
    errors=(422,),
    query=PriorityQuery,
)
def list_priorities():
    """A page of the queue (25 unless asked, 100 at most), after the previous page's cursor."""
    criteria = PriorityQuery().load(request.args.to_dict())
    ranking = queue.release_queue(criteria["department"], criteria["status"])
    places, following = ranking.page_after(criteria["after"], criteria["per_page"])
    return jsonify(
        items=[place_body(place) for place in places],
        total=len(ranking),
        per_page=criteria["per_page"],
        next=following,
    )


def register(api: Blueprint) -> None:
    api.add_url_rule("/rounds", view_func=list_rounds, methods=["GET"])
    api.add_url_rule("/rounds", view_func=create_round, methods=["POST"])
    api.add_url_rule("/rounds/<int:round_id>", view_func=get_round, methods=["GET"])
    api.add_url_rule("/rounds/<int:round_id>/close", view_func=close_round, methods=["POST"])
    api.add_url_rule(
        "/rounds/<int:round_id>/votes/<candidate>",
        view_func=put_votes,
        methods=["PUT"],
        parameters=[
            {
                "in": "path",
                "name": "candidate",
                "description": "A dataset identifier, or request-<id> for an open data request.",
            }
        ],
    )
    api.add_url_rule("/requests", view_func=list_requests, methods=["GET"])
    api.add_url_rule("/requests", view_func=create_request, methods=["POST"])
    api.add_url_rule("/requests/<int:request_id>", view_func=get_request, methods=["GET"])
    api.add_url_rule(
        "/requests/<int:request_id>/answer", view_func=answer_request, methods=["POST"]
    )
    api.add_url_rule("/priorities", view_func=list_priorities, methods=["GET"])

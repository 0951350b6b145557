"""The program's pages: voting rounds, the data requests board, the release queue, the
committee's assessments, and the coordinator's settings and city priorities."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from registry.accounts.services import list_departments
from registry.datasets import search
from registry.datasets.services import get_readable
from registry.datasets.themes import city_themes
from registry.datasets.visibility import can_read
from registry.db import utcnow
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.priorities import program, queue, requests, rounds
from registry.priorities.scoring import CRITERIA, CRITERIA_LABELS, PART_LABELS, PART_RULES, WEIGHTS
from registry.validation import form_to_dict
from registry.web.access import require_permission, require_signed_in
from registry.web.caching import cacheable
from registry.web.forms import refused_as, refused_back_to
from registry.web.links import safe_next
from registry.web.paging import paginate, paginate_list
from registry.web.requests import client_address

priorities_pages = Blueprint("priorities", __name__)


@priorities_pages.app_template_global("release_standing")
def release_standing(dataset) -> dict | None:
    """For a record's review panel: its priority score, and whether this reader may assess it."""
    place = queue.standing(dataset)
    if place is None:
        return None
    may_assess = queue.may_assess(current_user, dataset)
    return {
        "place": place,
        "may_assess": may_assess,
        "assessed": may_assess and queue.my_assessment(dataset, current_user) is not None,
        "part_labels": PART_LABELS,
    }


# Voting rounds ------------------------------------------------------------------------------


@priorities_pages.get("/rounds")
@cacheable
def round_list():
    now = utcnow()
    listed = [(r, rounds.state_of(r, now)) for r in rounds.list_rounds()]
    return render_template(
        "priorities/rounds.html",
        rounds=listed,
        state_names=rounds.STATE_NAMES,
        can_manage=has_permission(current_user, Permission.PROGRAM_MANAGE),
    )


@priorities_pages.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    voting_round = rounds.get_round(round_id)
    now = utcnow()
    state = rounds.state_of(voting_round, now)
    criteria = {
        "department": (request.args.get("department") or "").upper() or None,
        "theme": request.args.get("theme") or None,
    }
    can_vote = state == "open" and has_permission(current_user, Permission.ROUND_VOTE)
    mine, remaining = rounds.my_votes(voting_round, current_user)
    context = {
        "round": voting_round,
        "state": state,
        "state_names": rounds.STATE_NAMES,
        "can_vote": can_vote,
        "mine": mine,
        "remaining": remaining,
        "tallies": rounds.tallies(voting_round),
        "criteria": criteria,
        "departments": list_departments(),
        "themes": city_themes(),
        "can_manage": has_permission(current_user, Permission.PROGRAM_MANAGE),
    }
    if can_vote:
        context["page"] = paginate(rounds.candidates_query(**criteria))
        context["open_requests"] = rounds.open_requests()
    return render_template("priorities/round.html", **context)


@priorities_pages.post("/rounds/<int:round_id>/votes")
@require_permission(Permission.ROUND_VOTE)
def vote(round_id: int):
    """One candidate's votes, from the page's plus and minus buttons (or its number field)."""
    voting_round = rounds.get_round(round_id)
    candidate = request.form.get("candidate", "")
    back = request.form.get("back") or ""
    with refused_back_to(url_for("priorities.round_page", round_id=round_id) + _safe_query(back)):
        rounds.set_votes(
            voting_round, candidate, {"votes": request.form.get("votes")}, actor=current_user
        )
    db.session.commit()
    _, remaining = rounds.my_votes(voting_round, current_user)
    flash(f"Saved. You have {remaining} vote{'' if remaining == 1 else 's'} left.", "success")
    return redirect(
        url_for("priorities.round_page", round_id=round_id) + _safe_query(back) + f"#c-{candidate}"
    )


def _safe_query(back: str) -> str:
    """Only our own filter arguments go back into the address."""
    if not back.startswith("?") or any(char in back for char in "#\\\n\r"):
        return ""
    return back


@priorities_pages.route("/admin/rounds/new", methods=["GET", "POST"])
@require_permission(Permission.PROGRAM_MANAGE)
def new_round():
    if request.method == "GET":
        now = utcnow().replace(second=0, microsecond=0)
        start = {
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
            "budget": 10,
            "max_per_item": 3,
        }
        return render_template("priorities/round_form.html", form=start)
    form = form_to_dict(request.form)
    raw = {**form}
    for key in ("opens_at", "closes_at"):  # the form's local times are UTC, as it says
        if raw.get(key) and "+" not in raw[key] and not raw[key].endswith("Z"):
            raw[key] = raw[key] + ":00+00:00" if len(raw[key]) == 16 else raw[key] + "+00:00"
    with refused_as("priorities/round_form.html", form=form):
        voting_round = rounds.create_round(raw, actor=current_user)
    db.session.commit()
    flash(f"Voting round “{voting_round.title}” created.", "success")
    return redirect(url_for("priorities.round_page", round_id=voting_round.id))


@priorities_pages.post("/rounds/<int:round_id>/close")
@require_permission(Permission.PROGRAM_MANAGE)
def close(round_id: int):
    voting_round = rounds.close_round(rounds.get_round(round_id), actor=current_user)
    db.session.commit()
    flash("The round is closed; its results are public.", "success")
    return redirect(url_for("priorities.round_page", round_id=voting_round.id))


# Data requests ------------------------------------------------------------------------------


@priorities_pages.get("/requests")
@cacheable
def request_list():
    status = (
        request.args.get("status") if request.args.get("status") in requests.STATUS_LABELS else None
    )
    page = paginate(requests.requests_query(status))
    now, settings = utcnow(), requests.program_settings()
    return render_template(
        "priorities/requests.html",
        page=page,
        status=status,
        labels=requests.STATUS_LABELS,
        clocks={item.id: requests.clocks(item, now, settings) for item in page.items},
        settings=settings,
        may_request=requests.may_request(current_user),
    )


@priorities_pages.route("/requests/new", methods=["GET", "POST"])
def new_request():
    if not requests.may_request(current_user):
        flash("Sign in to ask for data.", "info")
        return redirect(url_for("auth.sign_in", next=url_for("priorities.new_request")))
    if request.method == "GET":
        return render_template("priorities/request_form.html", form={})
    form = form_to_dict(request.form)
    with refused_as("priorities/request_form.html", form=form):
        made = requests.submit_request(form, actor=current_user, address=client_address())
    db.session.commit()
    flash(
        "Thank you: your request is received. The city acknowledges requests within "
        f"{requests.program_settings().acknowledge_days} days.",
        "success",
    )
    return redirect(url_for("priorities.request_page", request_id=made.id))


def _request_page(item, form: dict, errors: dict | None = None) -> str:
    can_answer = has_permission(current_user, Permission.PROGRAM_MANAGE)
    find = (request.args.get("find") or form.get("find") or "").strip()[:200]
    found = []
    if can_answer and find:  # the datasets the coordinator may read whose words match
        criteria = {"q": find, "page": 1, "per_page": PICKER_SIZE}
        found = search.find_datasets(current_user, criteria, facets=()).items
    return render_template(
        "priorities/request.html",
        item=item,
        labels=requests.STATUS_LABELS,
        clocks=requests.clocks(item),
        linked_visible=requests.linked_record_visible(item, current_user),
        can_answer=can_answer,
        departments=list_departments(),
        form=form,
        errors=errors,
        find=find,
        found=found,
    )


PICKER_SIZE = 10  # the datasets a search for a request's answer offers


@priorities_pages.get("/requests/<int:request_id>")
def request_page(request_id: int):
    return _request_page(requests.get_request(request_id), {})


@priorities_pages.post("/requests/<int:request_id>/answer")
@require_permission(Permission.PROGRAM_MANAGE)
def answer(request_id: int):
    item = requests.get_request(request_id)
    form = form_to_dict(request.form)
    answer_given = {key: value for key, value in form.items() if key != "find"}
    with refused_as(lambda errors: _request_page(item, form, errors)):
        requests.answer_request(item, answer_given, actor=current_user)
    db.session.commit()
    flash(
        f"The request is now {requests.STATUS_LABELS[item.status].lower()}; the requester is told.",
        "success",
    )
    return redirect(url_for("priorities.request_page", request_id=item.id))


# The release queue ----------------------------------------------------------------------------


@priorities_pages.get("/queue")
@cacheable
def queue_page():
    department = (request.args.get("department") or "").upper() or None
    page = paginate_list(queue.release_queue(department))
    return render_template(
        "priorities/queue.html",
        page=page,
        department=department,
        departments=list_departments(),
        weights=WEIGHTS,
        part_labels=PART_LABELS,
        part_rules=PART_RULES,
        readable={place.dataset.id: readable(place.dataset) for place in page.items},
        can_override=has_permission(current_user, Permission.PROGRAM_MANAGE),
    )


def readable(dataset) -> bool:
    return can_read(
        current_user,
        classification=dataset.classification,
        status=dataset.status,
        department_id=dataset.department_id,
    )


@priorities_pages.route("/queue/<identifier>/override", methods=["GET", "POST"])
@require_permission(Permission.PROGRAM_MANAGE)
def override(identifier: str):
    dataset = get_readable(identifier, current_user)
    if request.method == "GET":
        return render_template("priorities/override.html", dataset=dataset, form={})
    form = form_to_dict(request.form)
    with refused_as("priorities/override.html", dataset=dataset, form=form):
        queue.override_score(dataset, form, actor=current_user)
    db.session.commit()
    flash("The score is set, with your reason shown on the queue.", "success")
    return redirect(url_for("priorities.queue_page", _anchor=f"q-{identifier}"))


@priorities_pages.route("/datasets/<identifier>/assessment", methods=["GET", "POST"])
@require_signed_in
def assessment(identifier: str):
    dataset = get_readable(identifier, current_user)
    queue.check_can_assess(dataset, current_user)
    labels = {name: CRITERIA_LABELS[name] for name in CRITERIA}
    if request.method == "GET":
        mine = queue.my_assessment(dataset, current_user)
        form = {name: getattr(mine, name) for name in (*CRITERIA, "note")} if mine else {}
        return render_template(
            "priorities/assessment.html", dataset=dataset, form=form, labels=labels
        )
    form = form_to_dict(request.form)
    with refused_as("priorities/assessment.html", dataset=dataset, form=form, labels=labels):
        queue.record_assessment(dataset, form, actor=current_user)
    db.session.commit()
    flash("Your assessment is recorded; the release queue counts it.", "success")
    return redirect(url_for("datasets.show", identifier=identifier, _anchor="review"))


# The coordinator's settings -----------------------------------------------------------------


@priorities_pages.route("/admin/program", methods=["GET", "POST"])
@require_permission(Permission.PROGRAM_MANAGE)
def settings():
    current = requests.program_settings()
    priorities = program.city_priorities()
    if request.method == "GET":
        form = {
            "acknowledge_days": current.acknowledge_days,
            "answer_days": current.answer_days,
            "public_requests": current.public_requests,
        }
        return render_template("priorities/settings.html", form=form, priorities=priorities)
    form = form_to_dict(request.form, flags=("public_requests",))
    with refused_as("priorities/settings.html", form=form, priorities=priorities):
        program.update_program_settings(form, actor=current_user)
    db.session.commit()
    flash("Program settings saved.", "success")
    return redirect(url_for("priorities.settings"))


@priorities_pages.route("/admin/priorities/new", methods=["GET", "POST"])
@priorities_pages.route("/admin/priorities/<int:priority_id>", methods=["GET", "POST"])
@require_permission(Permission.PROGRAM_MANAGE)
def city_priority(priority_id: int | None = None):
    found = program.get_city_priority(priority_id) if priority_id else None
    if request.method == "GET":
        form = (
            {"name": found.name, "description": found.description, "position": found.position}
            if found
            else {}
        )
        return render_template("priorities/city_priority.html", form=form, priority=found)
    form = form_to_dict(request.form)
    with refused_as("priorities/city_priority.html", form=form, priority=found):
        program.save_city_priority(form, actor=current_user, priority=found)
    db.session.commit()
    flash("City priority saved.", "success")
    return redirect(url_for("priorities.settings"))


@priorities_pages.post("/work/requests/acknowledge")
@require_permission(Permission.PROGRAM_MANAGE)
def acknowledge_requests():
    """The requests chosen on My work, acknowledged together; back to the list they were on."""
    back = safe_next(request.form.get("next")) or url_for("reviews.my_work")
    ids = [int(value) for value in request.form.getlist("request") if value.isdigit()]
    with refused_back_to(back):
        count = requests.acknowledge_requests(ids, actor=current_user)
    db.session.commit()
    flash(
        f"{count} request{' is' if count == 1 else 's are'} acknowledged; "
        f"{'its requester is' if count == 1 else 'each requester is'} told."
        if count
        else "The chosen requests were acknowledged already: nothing changed.",
        "success" if count else "info",
    )
    return redirect(back)

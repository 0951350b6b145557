"""Review pages: take a workflow step, vote, read a decision, set the committee's rules."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from registry.accounts.services import active_users_with_role, list_departments
from registry.datasets.forms import distributions_from_form, with_distribution_rows
from registry.datasets.governance import FIELD_LABELS, in_force, stage
from registry.datasets.permissions import can_create_dataset, can_edit_department_records
from registry.datasets.services import get_readable
from registry.datasets.snapshots import snapshot
from registry.datasets.vocab import AccessLevel, Classification
from registry.db import utctoday
from registry.extensions import db
from registry.permissions import Permission, Role, has_permission
from registry.priorities.requests import STATUS_LABELS as REQUEST_STATUS_LABELS
from registry.priorities.work import program_work, request_list
from registry.reviews import bulk, rereview, services, work
from registry.reviews.committee import default_quorum
from registry.reviews.meetings import list_meetings
from registry.reviews.notify import step_message
from registry.reviews.permissions import available_actions, can_vote
from registry.reviews.requirements import missing_for_review
from registry.reviews.workflow import Action, Outcome, needs_rationale
from registry.validation import form_to_dict
from registry.web.access import require_permission, require_signed_in
from registry.web.forms import refused_as, refused_back_to
from registry.web.links import safe_next

reviews = Blueprint("reviews", __name__)
MEETINGS_OFFERED = 24  # the recorded meetings a decision may cite from a list, the newest first
MAX_WORK_PAGE = 1000


@reviews.app_context_processor
def _governance_labels() -> dict:
    return {
        "governance_labels": FIELD_LABELS,
    }


@reviews.app_template_global("review_summary")
def _review_summary(dataset, user):
    """The review panel of a dataset's page, which the inventory's pages show without knowing
    the review side."""
    return services.review_summary(dataset, user)


def _action_page(dataset, action: Action, form: dict, errors=None, status: int = 200):
    return render_template(
        "reviews/action.html",
        dataset=dataset,
        action=action,
        action_label=action.label,
        form=form,
        errors=errors,
        outcomes=list(Outcome),
        classifications=list(Classification),
        access_levels=list(AccessLevel),
        missing=missing_for_review(snapshot(dataset)),
        judgement=needs_rationale(stage(dataset), action),
        # What the committee judges: a re-review's proposal, or the record as it stands.
        proposal=dataset.proposed_governance,
        in_force=in_force(dataset),
        review=services.review_summary(dataset, current_user) if action == Action.DECIDE else {},
        meetings=list_meetings()[:MEETINGS_OFFERED] if action == Action.DECIDE else [],
    ), status


@reviews.route("/datasets/<identifier>/actions/<action>", methods=["GET", "POST"])
@require_signed_in
def take_action(identifier: str, action: str):
    dataset = get_readable(identifier, current_user)
    try:
        step = Action(action)
    except ValueError:
        abort(404)
    if request.method == "GET":
        if step not in available_actions(current_user, dataset):
            flash(f"“{step.label}” is not possible for you now.", "warning")
            return redirect(url_for("datasets.show", identifier=identifier))
        start = {}
        if step == Action.PUBLISH:  # from what the record already says
            start = with_distribution_rows(
                {"landing_page": dataset.landing_page, "distributions": dataset.distributions}
            )
        return _action_page(dataset, step, start)
    form = form_to_dict(request.form)
    form["action"] = step.value
    if step == Action.PUBLISH:
        form = {key: value for key, value in form.items() if not key.startswith("distributions-")}
        form["distributions"] = distributions_from_form(request.form)
    shown = with_distribution_rows(form) if step == Action.PUBLISH else form
    before = dataset.status
    with refused_as(lambda errors: _action_page(dataset, step, shown, errors, 422)):
        services.perform_transition(dataset, form, actor=current_user)
    db.session.commit()
    flash(step_message(dataset, step.value, before), "success")
    return redirect(url_for("datasets.show", identifier=identifier))


@reviews.route("/datasets/<identifier>/vote", methods=["GET", "POST"])
@require_signed_in
def vote(identifier: str):
    dataset = get_readable(identifier, current_user)
    if request.method == "GET":
        if not can_vote(current_user, dataset):
            flash("You cannot vote on this dataset now.", "warning")
            return redirect(url_for("datasets.show", identifier=identifier))
        summary = services.review_summary(dataset, current_user)
        mine = summary.get("my_vote")
        form = (
            {"vote": mine.vote, "rationale": mine.rationale, "conditions": mine.conditions}
            if mine
            else {}
        )
        return _vote_page(dataset, form)
    form = form_to_dict(request.form)
    with refused_as(lambda errors: _vote_page(dataset, form, errors, 422)):
        decision = services.cast_vote(dataset, form, actor=current_user)
    db.session.commit()
    if decision is not None:
        flash(
            "Your vote decided it: the committee's decision is "
            f"“{Outcome(decision.outcome).label}”.",
            "success",
        )
    else:
        flash("Your vote is recorded. You can change it until the decision falls.", "success")
    return redirect(url_for("datasets.show", identifier=identifier, _anchor="review"))


def _vote_page(dataset, form, errors=None, status=200):
    return render_template(
        "reviews/vote.html",
        dataset=dataset,
        form=form,
        errors=errors,
        outcomes=list(Outcome),
        summary=services.review_summary(dataset, current_user),
    ), status


QUEUE_TITLES = {
    "to_confirm": (
        "To look at first",
        "Imported records whose classification is to confirm (read as Restricted until you "
        "choose a level) or whose inventory held values the registry could not read.",
    ),
    "changes_requested": ("Changes requested", "The committee or coordinator asked for changes."),
    "drafts": ("Your department's drafts", "Complete them and submit them for review."),
    "to_triage": ("Submissions to triage", "Send them to the committee or ask for changes."),
    "overdue": ("Overdue releases", "Approved, and past their release target date."),
    "to_publish": ("Approved, awaiting publication", "Publish them by their target date."),
    "due_for_rereview": (
        "Due for classification re-review",
        "Their last approval is older than the re-review interval (the longest ago first): "
        "start a re-review.",
    ),
    "in_rereview": (
        "Re-reviews before the committee",
        "A change to a decided record's governance; the decision in force stays meanwhile.",
    ),
    "late_on_portal": (
        "Late on the portal",
        "Released, but the city's portal shows no change for longer than their update "
        "frequency allows: refresh them there, or correct the frequency here.",
    ),
    "awaiting_vote": (
        "Awaiting your vote",
        "Before the committee, new or in a re-review round, and you have not voted.",
    ),
}


# The inventory's own list of a queue, where one filter gives it: the whole of it, paged.
QUEUE_LISTS = {
    "drafts": {"status": "draft"},
    "changes_requested": {"status": "changes_requested"},
    "to_triage": {"status": "submitted"},
}


# Every list My work may hold, in the order of their urgency: what others wait on or is late
# first (a committee member's votes before anything), what can wait last.
SECTIONS = (
    "awaiting_vote",
    "overdue",
    "overdue_requests",
    "to_confirm",
    "changes_requested",
    "to_triage",
    "to_publish",
    "late_on_portal",
    "requests_to_answer",
    "in_rereview",
    "due_for_rereview",
    "drafts",
    "to_assess",
    "rounds",
    "my_requests",
)
REQUEST_TITLES = {
    "overdue_requests": (
        "Data requests past their deadline",
        "The policy's clocks have run out: acknowledge or answer them now.",
    ),
    "requests_to_answer": (
        "Data requests to answer",
        "Acknowledge each, then plan a dataset for it or decline it with a reason.",
    ),
}


@reviews.get("/work")
@require_permission(Permission.ACCOUNT_OWN)
def my_work():
    """Everything that waits for this person, the most urgent list first, each list's first
    few; or one list (`kind`) a page at a time. Either narrowed to one department's records."""
    department, errors = _department_asked()
    department_id = department.id if department else None
    kind = request.args.get("kind") or None
    context = {
        "titles": {**QUEUE_TITLES, **REQUEST_TITLES},
        "departments": list_departments(),
        "department": department,
        "errors": errors,
        "today": utctoday(),
        "request_labels": REQUEST_STATUS_LABELS,
        "can_create": can_create_dataset(current_user),
    }
    if kind is not None:
        # Lists are paged only as far as they are counted (work.COUNT_LIMIT): past it, none.
        page = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_WORK_PAGE)
        items = work.work_list(current_user, kind, page, department_id=department_id)
        if items is None:
            items = request_list(current_user, kind, page)
        if items is None:
            abort(404)
        context.update(kind=kind, items=items, stewards=_stewards_offered(kind, department))
        return render_template("reviews/work_list.html", **context), (422 if errors else 200)
    queues = work.work_queues(current_user, department_id=department_id)
    program = program_work(current_user)
    lists = dict(queues)
    if has_permission(current_user, Permission.PROGRAM_MANAGE):
        lists.update(
            overdue_requests=program.overdue_requests,
            requests_to_answer=program.requests_to_answer,
        )
    return render_template(
        "reviews/work.html",
        sections=[key for key in SECTIONS if key in lists or getattr(program, key, None)],
        lists=lists,
        records_listed=bool(queues),
        program=program,
        more=QUEUE_LISTS,
        **context,
    ), (422 if errors else 200)


@reviews.post("/work/steward")
@require_signed_in
def assign_steward():
    """The steward chosen on a work list, made the steward of the records chosen there."""
    back = safe_next(request.form.get("next")) or url_for("reviews.my_work")
    with refused_back_to(back):
        count = bulk.assign_steward(
            request.form.getlist("record"), request.form.get("steward", ""), actor=current_user
        )
    db.session.commit()
    flash(
        f"{count} record{' has' if count == 1 else 's have'} a new steward, who is told in "
        "their inbox."
        if count
        else "The chosen records had that steward already: nothing changed.",
        "success" if count else "info",
    )
    return redirect(back)


def _stewards_offered(kind: str, department) -> list:
    """On a list of records narrowed to one department this person edits: the department's
    stewards, to make one of them the steward of records chosen on the list."""
    if department is None or kind not in work.URGENCY:
        return []
    if not can_edit_department_records(current_user, department.id):
        return []
    stewards = active_users_with_role(Role.STEWARD)
    return [user for user in stewards if department.code in user.department_codes]


def _department_asked():
    """The department the lists are narrowed to, by its code; an unknown code is said so."""
    code = (request.args.get("department") or "").strip().upper()
    if not code:
        return None, {}
    found = next((d for d in list_departments() if d.code == code), None)
    if found is None:
        return None, {"department": [f"No department has the code “{code}”. Choose one."]}
    return found, {}


@reviews.get("/datasets/<identifier>/decisions/<int:review_round>")
def decision(identifier: str, review_round: int):
    """Printable: the attachment to the meeting's minutes."""
    dataset = get_readable(identifier, current_user)
    record = services.decision_for_round(dataset, review_round)
    if record is None or not services.decision_readable(current_user, dataset, record):
        abort(404)
    return render_template(
        "reviews/decision.html",
        dataset=dataset,
        decision=record,
        show_round=rereview.shows_rounds(current_user, dataset),
    )


@reviews.route("/admin/committee", methods=["GET", "POST"])
@require_permission(Permission.REVIEW_SETTINGS)
def settings():
    current = services.get_settings()
    members = services.committee_members()
    if request.method == "GET":
        form = {
            "quorum": current.quorum,
            "release_deadline_days": current.release_deadline_days,
            "rereview_days": current.rereview_days,
        }
        return render_template(
            "reviews/settings.html",
            form=form,
            members=members,
            default_quorum=default_quorum(members),
        )
    form = form_to_dict(request.form)
    with refused_as(
        "reviews/settings.html", form=form, members=members, default_quorum=default_quorum(members)
    ):
        services.update_settings(form, actor=current_user)
    db.session.commit()
    flash("Committee settings saved.", "success")
    return redirect(url_for("reviews.settings"))

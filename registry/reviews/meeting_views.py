"""The committee's meetings (public: their dates, attendees, minutes and agendas) and the form
on which a department or the coordinator explains a late release."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from registry.datasets.permissions import can_edit_dataset
from registry.datasets.services import get_readable
from registry.db import utctoday
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.reviews import meetings as service
from registry.validation import form_to_dict
from registry.web.access import require_signed_in
from registry.web.forms import refused_as

meetings = Blueprint("meetings", __name__)


@meetings.get("/committee/meetings")
def meeting_list():
    return render_template(
        "reviews/meetings.html",
        meetings=service.list_meetings(),
        agenda=service.readable_agenda(service.agenda_now(), current_user),
        can_record=service.can_record_meeting(current_user),
        today=utctoday(),
    )


@meetings.get("/committee/meetings/<int:meeting_id>")
def meeting_page(meeting_id: int):
    meeting = service.get_meeting(meeting_id)
    upcoming = meeting.held_on > utctoday()
    items = service.agenda_now() if upcoming else meeting.agenda
    return render_template(
        "reviews/meeting.html",
        meeting=meeting,
        upcoming=upcoming,
        agenda=service.readable_agenda(items, current_user),
        decisions=service.decisions_at(meeting, current_user),
        can_record=service.can_record_meeting(current_user),
    )


def _meeting_form(meeting=None):
    if not service.can_record_meeting(current_user):
        raise PermissionDenied("The committee's chair or the coordinator records its meetings.")
    if request.method == "GET":
        form = {}
        if meeting is not None:
            form = {
                "held_on": meeting.held_on.isoformat(),
                "attendees": meeting.attendees,
                "minutes_url": meeting.minutes_url,
                "summary": meeting.summary,
            }
        return render_template("reviews/meeting_form.html", form=form, meeting=meeting)
    form = form_to_dict(request.form)
    with refused_as("reviews/meeting_form.html", form=form, meeting=meeting):
        saved = service.save_meeting(form, actor=current_user, meeting=meeting)
    db.session.commit()
    flash(f"The meeting of {saved.held_on.isoformat()} is recorded.", "success")
    return redirect(url_for("meetings.meeting_page", meeting_id=saved.id))


@meetings.route("/committee/meetings/new", methods=["GET", "POST"])
@require_signed_in
def new_meeting():
    return _meeting_form()


@meetings.route("/committee/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@require_signed_in
def edit_meeting(meeting_id: int):
    return _meeting_form(service.get_meeting(meeting_id))


@meetings.route("/datasets/<identifier>/delay", methods=["GET", "POST"])
@require_signed_in
def delay(identifier: str):
    dataset = get_readable(identifier, current_user)
    if not can_edit_dataset(current_user, dataset):
        raise PermissionDenied("The dataset's department or the coordinator explains a delay.")
    if request.method == "GET":
        return render_template("reviews/delay.html", dataset=dataset, form={})
    form = form_to_dict(request.form)
    with refused_as("reviews/delay.html", dataset=dataset, form=form):
        service.record_delay(dataset, form, actor=current_user)
    db.session.commit()
    flash("The reason is on record; the release plan shows it.", "success")
    return redirect(url_for("datasets.show", identifier=identifier, _anchor="review"))

"""The inventory's pages: find, register, read, edit and trace the history of datasets."""

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from registry.accounts.services import active_users_with_role, list_departments
from registry.audit.tags import Tag
from registry.datasets import search, services
from registry.datasets.forms import dataset_form_to_raw, record_to_form
from registry.datasets.governance import FIELD_LABELS, edit_mode
from registry.datasets.history import history as readable_history
from registry.datasets.permissions import (
    can_create_dataset,
    can_edit_dataset,
    creatable_department_ids,
)
from registry.datasets.schemas import SORTS, DatasetOut, DatasetQuery
from registry.datasets.visibility import redact
from registry.datasets.vocab import (
    CLASSIFICATION_LABELS,
    PII_KINDS,
    THEMES,
    UPDATE_FREQUENCIES,
    AccessLevel,
    Classification,
    Priority,
)
from registry.errors import Conflict
from registry.extensions import db
from registry.labels import ACCESS_LEVEL_LABELS, PRIORITY_LABELS, TERMS, term
from registry.permissions import Role
from registry.reviews.workflow import (
    ACTION_LABELS,
    GOVERNANCE_FIELDS,
    REQUIRED_FOR_REVIEW,
    STATE_LABELS,
    State,
)
from registry.web import record_read, require_signed_in

datasets = Blueprint("datasets", __name__, url_prefix="/datasets")


@datasets.app_template_filter("field_value")
def field_value(value, field: str | None = None) -> str:
    """A recorded value as a person reads it in a history or a conflict: words for codes."""
    if value is None or value == [] or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in TERMS and isinstance(value, str | list):
        return term(value, field)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    if isinstance(value, dict) and set(value) == set(GOVERNANCE_FIELDS):
        # A proposed governance change, as the record's fields would read.
        return "; ".join(
            f"{FIELD_LABELS[name]}: {field_value(value[name], name)}" for name in GOVERNANCE_FIELDS
        )
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _vocabularies() -> dict:
    return {
        "classification_labels": CLASSIFICATION_LABELS,
        "classifications": list(Classification),
        "access_levels": list(AccessLevel),
        "priorities": list(Priority),
        "frequencies": UPDATE_FREQUENCIES,
        "pii_kinds": PII_KINDS,
        "themes": THEMES,
        "states": list(State),
        "state_labels": STATE_LABELS,
        "city_priority_names": services.city_priority_names(),
    }


@datasets.get("")
def index():
    errors = {}
    try:
        criteria = DatasetQuery().load(request.args.to_dict())
    except ValidationError as exc:
        errors, criteria = exc.messages, DatasetQuery().load({})
    result = search.find_datasets(current_user, criteria)
    departments = {department.code: department.name for department in list_departments()}
    return render_template(
        "datasets/index.html",
        result=result,
        criteria=criteria,
        errors=errors,
        sorts=SORTS,
        departments=departments,
        can_create=can_create_dataset(current_user),
        **_vocabularies(),
    ), (422 if errors else 200)


def _form_context(dataset=None) -> dict:
    allowed = creatable_department_ids(current_user)
    departments = [d for d in list_departments() if allowed is None or d.id in allowed]
    stewards = active_users_with_role(Role.STEWARD)
    options = {
        "department": [(d.code, d.name) for d in departments],
        "steward": [(u.email, f"{u.name} ({', '.join(u.department_codes)})") for u in stewards],
        "access_level": list(ACCESS_LEVEL_LABELS.items()),
        "release_priority": list(PRIORITY_LABELS.items()),
        "update_frequency": list(UPDATE_FREQUENCIES.items()),
    }
    governance_note = None
    if dataset is not None:
        governance_note = str(edit_mode(dataset))
    return {
        "dataset": dataset,
        "departments": departments,
        "options": options,
        "governance_note": governance_note,
        "needed": set(REQUIRED_FOR_REVIEW),
        **_vocabularies(),
    }


@datasets.route("/new", methods=["GET", "POST"])
@require_signed_in
def new():
    services.check_can_create(current_user)
    if request.method == "GET":
        context = _form_context()
        start = {"release_priority": "medium", "classification": "internal"}
        if len(context["departments"]) == 1:
            start["department"] = context["departments"][0].code
        if Role.STEWARD in current_user.role_set:
            start["steward"] = current_user.email
        return render_template("datasets/form.html", form=record_to_form(start), **context)
    raw = dataset_form_to_raw(request.form)
    try:
        dataset = services.create_dataset(raw, actor=current_user)
    except ValidationError as exc:
        return render_template(
            "datasets/form.html", form=record_to_form(raw), errors=exc.messages, **_form_context()
        ), 422
    db.session.commit()
    flash(f"“{dataset.title}” is registered as {dataset.identifier}, a draft.", "success")
    return redirect(url_for("datasets.show", identifier=dataset.identifier))


def audit_restricted_read(dataset, via: str) -> None:
    """Reading a restricted record is itself on the record."""
    if dataset.classification == Classification.RESTRICTED:
        record_read(
            Tag.DATASET_READ_RESTRICTED,
            subject_type="dataset",
            subject_id=dataset.identifier,
            details={"via": via},
        )


@datasets.get("/<identifier>")
def show(identifier: str):
    dataset = services.get_readable(identifier, current_user)
    audit_restricted_read(dataset, "page")
    return render_template(
        "datasets/show.html",
        dataset=dataset,
        record=redact(DatasetOut().dump(dataset), dataset, current_user),
        can_edit=can_edit_dataset(current_user, dataset),
        action_labels=ACTION_LABELS,
        **_vocabularies(),
    )


@datasets.route("/<identifier>/edit", methods=["GET", "POST"])
@require_signed_in
def edit(identifier: str):
    dataset = services.get_readable(identifier, current_user)
    services.check_can_edit(dataset, current_user)
    if request.method == "GET":
        form = record_to_form(DatasetOut().dump(dataset))
        return render_template("datasets/form.html", form=form, **_form_context(dataset))
    raw = dataset_form_to_raw(request.form)
    round_before = dataset.review_round
    try:
        services.update_dataset(dataset, raw, actor=current_user)
    except ValidationError as exc:
        form = record_to_form(raw)
        return render_template(
            "datasets/form.html", form=form, errors=exc.messages, **_form_context(dataset)
        ), 422
    except Conflict:
        return _conflict(dataset, raw)
    db.session.commit()
    if dataset.review_round != round_before:
        flash(
            "Saved. Your change to the governance fields is before the committee in review "
            f"round {dataset.review_round}; the decision in force stays in force until it "
            "decides.",
            "success",
        )
    else:
        flash("Saved. The previous version is kept in the history.", "success")
    return redirect(url_for("datasets.show", identifier=dataset.identifier))


def _conflict(dataset, raw):
    """Shows what others changed since the version this person started from, keeps their
    values in the form, and bases the form on the current version so that saving again is a
    deliberate choice, never a silent overwrite."""
    db.session.rollback()
    dataset = services.get_readable(dataset.identifier, current_user)
    base = int(raw.get("version") or 0)
    versions, _ = readable_history(dataset, current_user)
    theirs = [version for version in versions if version.version > base]
    form = record_to_form({**raw, "version": dataset.version})
    return render_template(
        "datasets/form.html",
        form=form,
        conflict=theirs,
        **_form_context(dataset),
    ), 409


@datasets.get("/<identifier>/history")
def history(identifier: str):
    dataset = services.get_readable(identifier, current_user)
    audit_restricted_read(dataset, "history page")
    versions, hidden = readable_history(dataset, current_user)
    return render_template(
        "datasets/history.html",
        dataset=dataset,
        versions=versions,
        hidden=hidden,
        action_labels={"create": "Registered", "edit": "Edited", **ACTION_LABELS},
    )

"""The inventory's pages: find, register, read, edit and trace the history of datasets."""

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from registry.accounts.services import active_users_with_role, list_departments
from registry.audit.tags import Tag
from registry.datasets import search, services
from registry.datasets.forms import dataset_form_to_raw, record_to_form
from registry.datasets.governance import FIELD_LABELS, TO_CONFIRM, edit_mode
from registry.datasets.history import history as readable_history
from registry.datasets.listing_schemas import LISTING_QUERY, SORTS
from registry.datasets.permissions import (
    can_create_dataset,
    can_edit_dataset,
    creatable_department_ids,
)
from registry.datasets.schemas import DatasetOut
from registry.datasets.themes import city_themes
from registry.datasets.visibility import redact
from registry.datasets.vocab import (
    CLASSIFICATION_LABELS,
    LICENSES,
    OTHER_LICENSE,
    PII_KINDS,
    SAME_FREQUENCY,
    UPDATE_FREQUENCIES,
    AccessLevel,
    Classification,
    Priority,
)
from registry.errors import Conflict
from registry.extensions import db
from registry.labels import TERMS, field_label, term
from registry.permissions import Role
from registry.portal.drift import on_portal
from registry.reviews.requirements import REQUIRED_FOR_REVIEW
from registry.reviews.rereview import edit_dataset
from registry.reviews.workflow import GOVERNANCE_FIELDS, State
from registry.web.access import record_read, require_signed_in
from registry.web.forms import refused_as
from registry.web.paging import page_arguments, paginate_list

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
        "themes": city_themes(),
        "states": list(State),
        "city_priority_names": services.city_priority_names(),
    }


# What a visitor's search of the staff's list keeps on its way to the catalog.
CATALOG_ARGUMENTS = ("q", "department", "theme", "city_priority", "sort")


@datasets.get("")
def index():
    if not current_user.is_authenticated:  # the staff's list; a visitor's is the catalog
        kept = {name: request.args[name] for name in CATALOG_ARGUMENTS if request.args.get(name)}
        return redirect(url_for("public.catalog", **kept))
    errors = {}
    try:
        criteria = LISTING_QUERY.load(request.args.to_dict())
    except ValidationError as exc:
        errors, criteria = exc.messages, LISTING_QUERY.load({})
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
    stewards = _stewards_offered(dataset, departments)
    options = {
        "department": [(d.code, d.name) for d in departments],
        "steward": [(u.email, f"{u.name} ({', '.join(u.department_codes)})") for u in stewards],
        "access_level": [(level, level.label) for level in AccessLevel],
        "release_priority": [(priority, priority.label) for priority in Priority],
        "update_frequency": _frequencies_offered(dataset),
        "license_choice": [*LICENSES.items(), (OTHER_LICENSE, "Another license (give its URL)")],
    }
    governance_note = None
    if dataset is not None:
        governance_note = str(edit_mode(dataset))
    return {
        "dataset": dataset,
        "departments": departments,
        "options": options,
        "governance_note": governance_note,
        "to_confirm": dataset is not None and TO_CONFIRM in dataset.attention,
        "needed": set(REQUIRED_FOR_REVIEW),
        **_vocabularies(),
    }


def _stewards_offered(dataset, departments) -> list:
    """The stewards of the record's department (of those the person may register records in,
    for a new one), and the record's own steward whatever the case."""
    if dataset is None:
        codes, current = {department.code for department in departments}, None
    else:
        codes, current = {dataset.department.code}, dataset.steward
    return [
        user
        for user in active_users_with_role(Role.STEWARD)
        if codes & set(user.department_codes) or user == current
    ]


def _frequencies_offered(dataset) -> list[tuple[str, str]]:
    """Each frequency once (a code DCAT-US lists twice only to a record that holds it)."""
    held = dataset.update_frequency if dataset is not None else None
    return [
        (code, words)
        for code, words in UPDATE_FREQUENCIES.items()
        if code not in SAME_FREQUENCY or code == held
    ]


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
    with refused_as(
        lambda errors: render_template(
            "datasets/form.html", form=record_to_form(raw), errors=errors, **_form_context()
        )
    ):
        dataset = services.create_dataset(raw, actor=current_user)
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
        portal=on_portal(dataset),
        **_vocabularies(),
    )


@datasets.route("/<identifier>/edit", methods=["GET", "POST"])
@require_signed_in
def edit(identifier: str):
    dataset = services.get_readable(identifier, current_user)
    services.check_can_edit(dataset, current_user)
    if request.method == "GET":
        form = record_to_form(DatasetOut().dump(dataset))
        if TO_CONFIRM in dataset.attention:
            form["classification"] = None  # the steward chooses it; none is shown as chosen
        return render_template("datasets/form.html", form=form, **_form_context(dataset))
    raw = dataset_form_to_raw(request.form)
    unchosen = _apply_choices(raw, request.form)
    if unchosen:
        current = DatasetOut().dump(dataset)
        clashes = {name: {"yours": raw.get(name), "theirs": current.get(name)} for name in unchosen}
        return _edit_again(dataset, raw, errors=unchosen, clashes=clashes), 422
    try:
        with refused_as(lambda errors: _edit_again(dataset, raw, errors=errors)):
            outcome = edit_dataset(dataset, raw, actor=current_user)
    except Conflict as exc:
        return _conflict(dataset, raw, exc)
    db.session.commit()
    if outcome.proposal_opened:
        flash(
            "Saved. Your change to the governance fields is before the committee in review "
            f"round {dataset.review_round}; the decision in force stays in force until it "
            "decides.",
            "success",
        )
    elif outcome.kept_theirs:
        named = ", ".join(field_label(name).lower() for name in outcome.kept_theirs)
        flash(
            f"Saved your changes. Someone else changed {named} while you were editing; "
            "their change is kept. The history shows both.",
            "success",
        )
    else:
        flash("Saved. The previous version is kept in the history.", "success")
    return redirect(url_for("datasets.show", identifier=dataset.identifier))


@datasets.post("/<identifier>/notes-seen")
@require_signed_in
def notes_seen(identifier: str):
    """The steward has looked at what an import noted (values it could not read)."""
    dataset = services.get_readable(identifier, current_user)
    if services.mark_notes_seen(dataset, actor=current_user):
        db.session.commit()
        flash("The notes are marked as looked at. The history keeps them.", "success")
    return redirect(url_for("datasets.show", identifier=dataset.identifier))


CHOICE = "choose-"


def _apply_choices(raw: dict, form) -> dict[str, list[str]]:
    """After a clash the person chooses, field by field, between their value and the one saved
    meanwhile; "theirs" leaves the field out of the edit. A field left unchosen is an error:
    nothing is saved until every clash is decided."""
    clashing = [name for name in (form.get("conflict_fields") or "").split(",") if name]
    raw.pop("conflict_fields", None)
    unchosen = {}
    for name in clashing:
        choice = form.get(CHOICE + name)
        raw.pop(CHOICE + name, None)
        if choice == "theirs":
            raw.pop(name, None)
        elif choice != "mine":
            unchosen[name] = [f"Choose which {field_label(name).lower()} to keep."]
    return unchosen


def _edit_again(dataset, raw, *, errors=None, clashes=None, yours=None):
    """The form again. After a clash it stands on the record as it is now, holding only the
    fields this person changed (`yours`); otherwise it holds what they sent, on the version they
    started from."""
    if yours is None:
        form = record_to_form(raw)
    else:
        values = {**DatasetOut().dump(dataset), **{k: raw[k] for k in yours if k in raw}}
        form = record_to_form({**values, "version": dataset.version})
    return render_template(
        "datasets/form.html",
        form=form,
        errors=errors,
        clashes=clashes,
        **_form_context(dataset),
    )


def _conflict(dataset, raw, exc: Conflict):
    """Both this person and a colleague changed the same fields since the version the form was
    opened at: the form comes back on the current version with this person's changes in it, and
    for each clashing field both values side by side and a choice between them. Nothing was
    saved."""
    db.session.rollback()
    dataset = services.get_readable(dataset.identifier, current_user)
    clashes = exc.details.get("fields") or {}
    yours = exc.details.get("your_changes") or list(clashes)
    return _edit_again(dataset, raw, clashes=clashes, yours=yours), 409


@datasets.get("/<identifier>/history")
def history(identifier: str):
    page_arguments()  # a page that is not one is refused before the read is audited
    dataset = services.get_readable(identifier, current_user)
    audit_restricted_read(dataset, "history page")
    versions, hidden = readable_history(dataset, current_user)
    return render_template(
        "datasets/history.html",
        dataset=dataset,
        versions=paginate_list(versions),
        hidden=hidden,
        action_labels={"create": "Registered", "edit": "Edited", **TERMS["action"]},
    )

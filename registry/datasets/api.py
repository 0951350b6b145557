"""Dataset endpoints of the JSON API: search, create, read, edit, history."""

import re

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from registry.api.operations import TOKEN_OPTIONAL, operation
from registry.audit.tags import Tag
from registry.datasets import search, services
from registry.datasets.dumps import dumped_briefs
from registry.datasets.history import history as readable_history
from registry.datasets.listing_schemas import LISTING_QUERY, DatasetPageOut, DatasetQuery
from registry.datasets.schemas import (
    DatasetDetailOut,
    DatasetIn,
    DatasetOut,
    DatasetPatch,
    HistoryOut,
)
from registry.datasets.views import audit_restricted_read
from registry.datasets.visibility import Reading, redact
from registry.datasets.vocab import Classification
from registry.extensions import db
from registry.reviews.rereview import edit_dataset
from registry.web.access import record_read, require_signed_in
from registry.web.paging import PAGE_PARAMETERS, page_arguments, page_body, paginate_list
from registry.web.requests import json_body


@operation(
    "Search and filter the datasets the caller may read",
    ok=(200, "One page", DatasetPageOut),
    errors=(422,),
    query=DatasetQuery,
    security=TOKEN_OPTIONAL,
)
def list_datasets():
    """Facet counts only when asked for (`?facets=department,status`): they cost a query."""
    criteria = LISTING_QUERY.load(request.args.to_dict())
    reader = current_user._get_current_object()
    result = search.find_datasets(reader, criteria, facets=criteria.pop("facets"), brief=True)
    body = _PAGE.dump(result)
    reading = Reading(reader)
    body["items"] = [
        reading.redact(item, record)
        for item, record in dumped_briefs(result.items)
        if reading.may_read(record)
    ]
    # Restricted records listed whole are read as surely as one opened alone: audited alike.
    restricted = [
        item["identifier"]
        for item in body["items"]
        if item.get("classification") == Classification.RESTRICTED
    ]
    if restricted:
        record_read(
            Tag.DATASET_READ_RESTRICTED,
            subject_type="dataset",
            subject_id=restricted[0] if len(restricted) == 1 else None,
            details={"via": "api listing", "identifiers": restricted},
        )
    return jsonify(body)


# The page around its items, which are dumped (and kept) one record at a time.
_PAGE = DatasetPageOut(exclude=("items",))


@operation(
    "Register a dataset (as a draft)",
    ok=(201, "Created", DatasetOut),
    errors=(403, 422),
    body=DatasetIn,
    signed_in=True,
)
@require_signed_in
def create_dataset():
    services.check_can_create(current_user)
    dataset = services.create_dataset(json_body(), actor=current_user)
    db.session.commit()
    response = jsonify(DatasetOut().dump(dataset))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_dataset", identifier=dataset.identifier)
    response.set_etag(str(dataset.version))
    return response


def dataset_body(dataset) -> dict:
    """The record as this reader may see it (datasets.visibility.redact)."""
    return redact(DatasetDetailOut().dump(dataset), dataset, current_user)


def _with_etag(response, body: dict):
    """The version is the ETag for those who see it; for others a digest of what they read."""
    if body.get("version") is not None:
        response.set_etag(str(body["version"]))
    else:
        response.add_etag()
    return response


@operation(
    "One dataset; the ETag is its version",
    ok=(200, "The record", DatasetDetailOut),
    errors=(404,),
    security=TOKEN_OPTIONAL,
)
def get_dataset(identifier: str):
    dataset = services.get_readable(identifier, current_user)
    audit_restricted_read(dataset, "api")
    body = dataset_body(dataset)
    response = _with_etag(jsonify(body), body)
    return response


# ASCII digits only: str.isdigit() also accepts "¹" and "٣", which int() then refuses.
VERSION_TAG = re.compile(r"[0-9]{1,9}")


def _if_match_version() -> int | None:
    """If-Match: "3" (or W/"3") names the version the edit is based on; `*` or no header leaves
    it to the body's `version`. Anything else is a 422 that says what to send."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not VERSION_TAG.fullmatch(tag):
        raise ValidationError(
            {"If-Match": ['Name the version the edit is based on, for example "3".']}
        )
    return int(tag)


@operation(
    "Edit a dataset, based on a version (body `version` or If-Match)",
    description="On an approved or published dataset, a change to classification, "
    "access_level, rights, contains_pii or pii_kinds is not applied: it opens a re-review "
    "round with the change as `proposed_governance`, and the decision in force stays in force "
    "until the committee decides. While the committee is judging a record, such a change "
    "answers 422.",
    ok=(200, "The edited record", DatasetDetailOut),
    errors=(403, 404, 422, (409, "Stale version: someone else changed it first")),
    body=DatasetPatch,
    signed_in=True,
    parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}],
)
@require_signed_in
def patch_dataset(identifier: str):
    dataset = services.get_readable(identifier, current_user)
    services.check_can_edit(dataset, current_user)
    edit_dataset(dataset, json_body(), actor=current_user, expected_version=_if_match_version())
    db.session.commit()
    response = jsonify(dataset_body(dataset))
    response.set_etag(str(dataset.version))
    return response


@operation(
    "Every version, newest first, a page at a time, with field-by-field changes",
    ok=(200, "Versions", HistoryOut),
    errors=(404, 422),
    security=TOKEN_OPTIONAL,
    parameters=PAGE_PARAMETERS,
)
def dataset_history(identifier: str):
    page_arguments()  # a page that is not one is refused before the read is audited
    dataset = services.get_readable(identifier, current_user)
    audit_restricted_read(dataset, "history api")
    versions, hidden = readable_history(dataset, current_user)
    found = paginate_list(versions)
    body = HistoryOut().dump(
        page_body(found, list(found), identifier=dataset.identifier, hidden_versions=hidden)
    )
    if not current_user.is_authenticated:
        for item in body["items"]:
            item["changed_by"] = None
    return jsonify(body)


IDENTIFIER = [
    {
        "in": "path",
        "name": "identifier",
        "description": "The dataset's stable identifier, e.g. pw-4f7k2m.",
    }
]


def register(api: Blueprint) -> None:
    one, history = "/datasets/<identifier>", "/datasets/<identifier>/history"
    api.add_url_rule("/datasets", view_func=list_datasets, methods=["GET"])
    api.add_url_rule("/datasets", view_func=create_dataset, methods=["POST"])
    api.add_url_rule(one, view_func=get_dataset, methods=["GET"], parameters=IDENTIFIER)
    api.add_url_rule(one, view_func=patch_dataset, methods=["PATCH"], parameters=IDENTIFIER)
    api.add_url_rule(history, view_func=dataset_history, methods=["GET"], parameters=IDENTIFIER)

"""The OpenAPI 3 document of the JSON API, built from the same marshmallow schemas it uses."""

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from registry.accounts.schemas import DepartmentOut, MeOut
from registry.api.program_paths import add_export_paths, add_program_paths, add_stats_paths
from registry.audit.schemas import AuditEventOut, EventFilterIn
from registry.datasets.schemas import (
    DatasetDetailOut,
    DatasetIn,
    DatasetOut,
    DatasetPageOut,
    DatasetPatch,
    DatasetQuery,
    HistoryOut,
)
from registry.reviews.schemas import DecisionOut, ReviewOut, TransitionIn, VoteIn


class ErrorOut(Schema):
    error = fields.String(metadata={"description": "A stable code, e.g. not_found, conflict."})
    message = fields.String(metadata={"description": "What went wrong, for people."})
    errors = fields.Dict(metadata={"description": "Validation errors keyed by field."})
    current_version = fields.Integer(metadata={"description": "With a 409 edit conflict."})


class DepartmentListOut(Schema):
    items = fields.List(fields.Nested(DepartmentOut))


class DecisionListOut(Schema):
    items = fields.List(fields.Nested(DecisionOut))


class TransitionResultOut(DatasetDetailOut):
    allowed_actions = fields.List(fields.String())


class AuditHeadOut(Schema):
    seq = fields.Integer(metadata={"description": "The newest event's sequence number."})
    hash = fields.String(metadata={"description": "Its SHA-256 hash, covering every event before."})
    at = fields.String(metadata={"description": "When this was read (UTC, ISO 8601)."})


class AuditPageOut(Schema):
    items = fields.List(fields.Nested(AuditEventOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": {"description": "Not signed in and no valid token.", **_json("Error")},
    "403": {"description": "The user's roles do not allow this.", **_json("Error")},
    "404": {
        "description": "No such record, or one the user may not read (the two look the same).",
        **_json("Error"),
    },
    "422": {"description": "Invalid input; `errors` is keyed by field.", **_json("Error")},
}

IDENTIFIER = {
    "in": "path",
    "name": "identifier",
    "required": True,
    "schema": {"type": "string"},
    "description": "The dataset's stable identifier, e.g. pw-4f7k2m.",
}


def _errors(*codes: str) -> dict:
    return {code: ERRORS[code] for code in codes}


# Answers any operation may give, whatever it does (added to the built document, so the schema
# is referenced directly).
ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
EVERY_OPERATION = {
    "400": {
        "description": "The request cannot be read: not JSON, a NUL character, a bad CSRF token.",
        **ERROR_REF,
    },
    "429": {
        "description": "Over the rate limit, per address or per token; see Retry-After.",
        **ERROR_REF,
    },
    "503": {
        "description": "Busy: a write could not get its lock in time; nothing was saved. See "
        "Retry-After.",
        **ERROR_REF,
    },
}
WITH_A_BODY = {"413": {"description": "The body is over the size limit.", **ERROR_REF}}


def _with_common_answers(document: dict) -> dict:
    for item in document["paths"].values():
        for operation in item.values():
            extra = EVERY_OPERATION | (WITH_A_BODY if "requestBody" in operation else {})
            operation["responses"] = extra | operation["responses"]
    return document


@cache
def build_spec() -> dict:
    """Built once per process: the document depends only on code."""
    spec = APISpec(
        title="City Data Registry API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "The registry's JSON API. Authenticate with a personal token from your "
                "account page: `Authorization: Bearer <token>`. Every answer respects the "
                "caller's role exactly as the pages do."
            )
        },
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in {
        "Error": ErrorOut,
        "Dataset": DatasetOut,
        "DatasetDetail": DatasetDetailOut,
        "DatasetIn": DatasetIn,
        "DatasetPatch": DatasetPatch,
        "DatasetPage": DatasetPageOut,
        "History": HistoryOut,
        "User": MeOut,
        "DepartmentList": DepartmentListOut,
        "AuditPage": AuditPageOut,
        "AuditHead": AuditHeadOut,
        "TransitionIn": TransitionIn,
        "TransitionResult": TransitionResultOut,
        "VoteIn": VoteIn,
        "Review": ReviewOut,
        "DecisionList": DecisionListOut,
    }.items():
        spec.components.schema(name, schema=schema)
    secured = [{"bearer": []}]
    spec.path(
        path="/datasets",
        operations={
            "get": {
                "summary": "Search and filter the datasets the caller may read",
                "parameters": [{"in": "query", "schema": DatasetQuery}],
                "responses": {"200": {"description": "One page", **_json("DatasetPage")}}
                | _errors("422"),
            },
            "post": {
                "summary": "Register a dataset (as a draft)",
                "security": secured,
                "requestBody": {"required": True, **_json("DatasetIn")},
                "responses": {"201": {"description": "Created", **_json("Dataset")}}
                | _errors("401", "403", "422"),
            },
        },
    )
    spec.path(
        path="/datasets/{identifier}",
        operations={
            "get": {
                "summary": "One dataset; the ETag is its version",
                "parameters": [IDENTIFIER],
                "responses": {"200": {"description": "The record", **_json("DatasetDetail")}}
                | _errors("404"),
            },
            "patch": {
                "summary": "Edit a dataset, based on a version (body `version` or If-Match)",
                "description": "On an approved or published dataset, a change to classification, "
                "access_level, rights, contains_pii or pii_kinds is not applied: it opens a "
                "re-review round with the change as `proposed_governance`, and the decision in "
                "force stays in force until the committee decides. While the committee is "
                "judging a record, such a change answers 422.",
                "security": secured,
                "parameters": [
                    IDENTIFIER,
                    {"in": "header", "name": "If-Match", "schema": {"type": "string"}},
                ],
                "requestBody": {"required": True, **_json("DatasetPatch")},
                "responses": {
                    "200": {"description": "The edited record", **_json("DatasetDetail")},
                    "409": {
                        "description": "Stale version: someone else changed it first",
                        **_json("Error"),
                    },
                }
                | _errors("401", "403", "404", "422"),
            },
        },
    )
    spec.path(
        path="/datasets/{identifier}/history",
        operations={
            "get": {
                "summary": "Every version, newest first, with field-by-field changes",
                "parameters": [IDENTIFIER],
                "responses": {"200": {"description": "Versions", **_json("History")}}
                | _errors("404"),
            }
        },
    )
    spec.path(
        path="/datasets/{identifier}/transitions",
        operations={
            "post": {
                "summary": "Move a dataset through review: submit, send_to_committee, decide, "
                "publish, retire, reopen, rereview, withdraw...",
                "security": secured,
                "parameters": [IDENTIFIER],
                "requestBody": {"required": True, **_json("TransitionIn")},
                "responses": {
                    "200": {
                        "description": "The record after the step",
                        **_json("TransitionResult"),
                    },
                    "409": {
                        "description": "Not possible in this state; `allowed_actions` says what is",
                        **_json("Error"),
                    },
                }
                | _errors("401", "403", "404", "422"),
            }
        },
    )
    spec.path(
        path="/datasets/{identifier}/votes",
        operations={
            "post": {
                "summary": "Cast or change a committee member's vote, with a rationale",
                "security": secured,
                "parameters": [IDENTIFIER],
                "requestBody": {"required": True, **_json("VoteIn")},
                "responses": {
                    "200": {"description": "The review after the vote", **_json("Review")},
                    "409": {
                        "description": "The dataset is not before the committee",
                        **_json("Error"),
                    },
                }
                | _errors("401", "403", "404", "422"),
            }
        },
    )
    spec.path(
        path="/datasets/{identifier}/review",
        operations={
            "get": {
                "summary": "The current round: quorum, tally, votes and rationales",
                "security": secured,
                "parameters": [IDENTIFIER],
                "responses": {"200": {"description": "The review", **_json("Review")}}
                | _errors("401", "403", "404"),
            }
        },
    )
    spec.path(
        path="/datasets/{identifier}/decisions",
        operations={
            "get": {
                "summary": "Every decision the committee recorded, newest first",
                "security": secured,
                "parameters": [IDENTIFIER],
                "responses": {"200": {"description": "Decisions", **_json("DecisionList")}}
                | _errors("401", "404"),
            }
        },
    )
    spec.path(
        path="/audit",
        operations={
            "get": {
                "summary": "The audit log, newest first (auditors and coordinators)",
                "security": secured,
                "parameters": [{"in": "query", "schema": EventFilterIn}],
                "responses": {"200": {"description": "One page", **_json("AuditPage")}}
                | _errors("401", "403", "422"),
            }
        },
    )
    spec.path(
        path="/audit/head",
        operations={
            "get": {
                "summary": "The audit log's newest event number and hash, for anyone to keep",
                "responses": {"200": {"description": "The head", **_json("AuditHead")}},
            }
        },
    )
    spec.path(
        path="/me",
        operations={
            "get": {
                "summary": "The signed-in user, with roles and permissions",
                "security": secured,
                "responses": {"200": {"description": "The user", **_json("User")}} | _errors("401"),
            }
        },
    )
    spec.path(
        path="/departments",
        operations={
            "get": {
                "summary": "The city's departments",
                "responses": {"200": {"description": "All", **_json("DepartmentList")}},
            }
        },
    )
    add_program_paths(spec, _json, _errors)
    add_stats_paths(spec, _json, _errors)
    add_export_paths(spec, _json, _errors)
    spec.path(
        path="/openapi.json",
        operations={
            "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI"}}}
        },
    )
    return _with_common_answers(spec.to_dict())

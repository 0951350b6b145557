"""What a route of the JSON API says of itself in the OpenAPI document: `operation` states it
beside the view, with the marshmallow schemas it reads and answers, and flask-smorest builds the
document from the routes (registry.api.openapi). A route without it is not in the document, and
a test says so."""

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, fields

SECURED = [{"bearer": []}]
# A token is optional: without one, the answer is what a visitor may read.
TOKEN_OPTIONAL = [{"bearer": []}, {}]


class ErrorOut(Schema):
    error = fields.String(metadata={"description": "A stable code, e.g. not_found, conflict."})
    message = fields.String(metadata={"description": "What went wrong, for people."})
    errors = fields.Dict(metadata={"description": "Validation errors keyed by field."})
    current_version = fields.Integer(metadata={"description": "With a 409 edit conflict."})
    allowed_actions = fields.List(
        fields.String(), metadata={"description": "With a 409 workflow step: what is possible."}
    )


ERRORS = {
    401: "Not signed in and no valid token.",
    403: "The user's roles do not allow this.",
    404: "No such record, or one the user may not read (the two look the same).",
    409: "Not possible in the record's present state.",
    422: "Invalid input; `errors` is keyed by field.",
}


def json_of(schema: Any) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def answer(description: str, schema: Any = None, **more: Any) -> dict:
    """An answer of the document: a description, a JSON schema if any, and more (headers,
    other content)."""
    return {"description": description, **(json_of(schema) if schema is not None else {}), **more}


def operation(
    summary: str,
    *,
    ok: tuple[int, str, Any],
    errors: Iterable[int | tuple[int, str]] = (),
    query: Any = None,
    body: Any = None,
    signed_in: bool = False,
    **more: Any,
):
    """Documents the view it decorates: its summary; its answer when it succeeds (status,
    description, and a schema or a whole answer); the errors it may give (a status, or a
    status with what it means here); the schema of its query string and of its JSON body;
    whether it needs a signed-in caller (a token, and 401 otherwise). `more` is any other
    OpenAPI field of the operation (description, parameters, security...)."""
    status, description, schema = ok
    answers = {status: schema if isinstance(schema, dict) else answer(description, schema)}
    for error in (*errors, *((401,) if signed_in else ())):
        code, meaning = error if isinstance(error, tuple) else (error, ERRORS[error])
        answers[code] = answer(meaning, ErrorOut)
    doc: dict[str, Any] = {"summary": summary, "responses": answers}
    if signed_in:
        doc["security"] = SECURED
    parameters = [*more.pop("parameters", ())]
    if query is not None:
        parameters.append({"in": "query", "schema": query})
    if parameters:
        doc["parameters"] = parameters
    if body is not None:
        doc["requestBody"] = {"required": True, **json_of(body)}

    def documented(view):
        view._apidoc = {"manual_doc": doc | more}
        return view

    return documented

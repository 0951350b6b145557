"""What a request brings: record ids in paths, uploads, JSON bodies, the caller's address,
and whether it writes (SQLite's write lock is taken at its start)."""

import json

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from registry.db import WRITE_INTENT
from registry.errors import DomainError
from registry.web.errors import error_response


class RowId(IntegerConverter):
    """`<int:...>` in every route: a number that fits a row id (an INTEGER key, 32 bits signed
    on PostgreSQL), so that a larger one is simply not found instead of overflowing the
    database."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def init_converters(app: Flask) -> None:
    """Before any route is added."""
    app.url_map.converters["int"] = RowId


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def accepts_upload(view):
    """Marks an endpoint that takes an inventory upload (IMPORT_MAX_BYTES, not
    MAX_CONTENT_LENGTH)."""
    view.accepts_upload = True
    return view


def writes_on_read(view):
    """Marks a GET endpoint that writes (an audited read, say), so that its transaction takes the
    write lock before its first query instead of failing to upgrade a read later."""
    view.writes_on_read = True
    return view


def init_write_intent(app: Flask) -> None:
    """Declares, before a request's first query, whether its transaction will write (see
    registry.db.WRITE_INTENT). Registered before every other before_request function."""

    @app.before_request
    def allow_uploads():
        """An endpoint that takes an inventory upload accepts the upload limit (the form's own
        fields besides), not the smaller one every other request has: set before anything
        (the NUL check, CSRF) reads the form."""
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "accepts_upload", False):
            request.max_content_length = app.config["IMPORT_MAX_BYTES"] + 64 * 1024

    @app.before_request
    def refuse_nul_characters():
        """No database stores a NUL character; one in the address or a form is a 400 here,
        before anything tries to look it up."""
        values = [request.path, *request.args.values()]
        if request.method not in SAFE_METHODS and request.mimetype in FORM_TYPES:
            values += [value for value in request.form.values() if isinstance(value, str)]
        if any("\x00" in value for value in values):
            return error_response(
                400, "The address or form contains a NUL character, which is not allowed."
            )
        return None

    @app.before_request
    def declare_write_intent():
        view = app.view_functions.get(request.endpoint or "")
        WRITE_INTENT.set(
            request.method not in SAFE_METHODS or getattr(view, "writes_on_read", False)
        )

    @app.teardown_request
    def forget_write_intent(_exc):
        WRITE_INTENT.set(True)


def client_address() -> str:
    """The caller's address as the WSGI server saw it; behind a proxy, run ProxyFix in front."""
    return request.remote_addr or "unknown"


def json_body() -> dict:
    """The request's JSON object; anything else (not JSON, not an object, nested too deep to
    read) is a 400 that says what was expected."""
    expected = "Send a JSON object with Content-Type: application/json."
    if not request.is_json:
        raise DomainError(expected)
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise DomainError(expected + " This body is not JSON the registry can read.") from None
    if not isinstance(body, dict):
        raise DomainError(expected)
    return body

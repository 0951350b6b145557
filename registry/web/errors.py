"""Error answers: a page for a person, JSON for the API, and the handlers that roll back
whatever a refused request flushed."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from registry.db import WRITE_INTENT, is_lock_timeout
from registry.errors import DomainError
from registry.extensions import db

ERROR_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Busy: please try again",
}


ERROR_HELP = {
    403: "Your account does not have permission to do that. If you think it should, ask the "
    "open data coordinator.",
    404: "There is nothing at this address, or you do not have access to it.",
    500: "The registry hit an unexpected problem and nothing was saved. Please try again; if it "
    "keeps happening, tell the open data coordinator what you were doing.",
    503: "The registry is busy saving other people's changes and could not save yours in time. "
    "Nothing was saved: wait a moment and try again.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, *, code: str | None = None, **extra):
    title = ERROR_TITLES.get(status, "Error")
    if wants_json():
        body = {"error": code or title.lower().replace(" ", "_"), "message": message or title}
        body.update(extra)
        return jsonify(body), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message or ERROR_HELP.get(status, ""),
        ),
        status,
    )


def init_error_handlers(app: Flask) -> None:
    """Every refusal first rolls back whatever the request flushed: nothing is half-saved, and
    the error page (whose header reads the session) never meets a failed transaction."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        response = make_response(
            error_response(exc.status, exc.message or None, code=exc.code, **exc.details)
        )
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:  # a 429 says when to come back
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError):
        db.session.rollback()
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return error_response(
            422, "The input has errors; see `errors`.", code="validation_failed", errors=messages
        )

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(
            400,
            "The form expired or did not come from this site. Go back, reload the page and try "
            "again.",
            code="csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        return error_response(status, ERROR_HELP.get(status) or exc.description)

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        if not is_lock_timeout(exc):
            return unexpected_error(exc)
        db.session.rollback()
        WRITE_INTENT.set(False)  # the error page only reads: it must not wait for the lock too
        app.logger.warning("Lock wait timed out on %s %s: %s", request.method, request.path, exc)
        response = make_response(error_response(503, ERROR_HELP[503], code="busy"))
        response.headers["Retry-After"] = str(app.config["RETRY_AFTER_SECONDS"])
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500)

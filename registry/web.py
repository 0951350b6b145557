"""Web plumbing shared by every blueprint: permission checks, safe redirects, error responses."""

import json
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from registry.audit.services import record_event
from registry.db import WRITE_INTENT, is_lock_timeout
from registry.errors import DomainError, PermissionDenied
from registry.extensions import db, login_manager
from registry.labels import error_lines, field_label, period, term, when
from registry.navigation import may_see_link, url_with_args, visible_navigation
from registry.permissions import Permission, has_permission

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


def record_read(tag, **event) -> None:
    """Audits a read that matters (a restricted record, the audit log, an export) in a short
    transaction of its own: what the request read is committed first, so on SQLite the event's
    write waits its turn for the lock instead of failing to upgrade the read."""
    db.session.commit()
    record_event(tag, actor=current_user, address=client_address(), **event)
    db.session.commit()


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


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link from the configured BASE_URL (required in production), never from the
    request's Host header; the request's own address only where none is set (development)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def base_url() -> str:
    """The registry's address with a trailing slash, as absolute_url() makes links."""
    return (current_app.config.get("BASE_URL") or request.host_url).rstrip("/") + "/"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def client_address() -> str:
    """The caller's address as the WSGI server saw it; behind a proxy, run ProxyFix in front."""
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def cacheable(view):
    """A page a visitor's browser or a proxy may keep: an ETag of what it says, a 304 when it
    has not changed, and a short public lifetime. Signed-in pages stay no-store, and so does a
    page that shows a visitor a message of their own (signed out, request received)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        personal = bool(session.get("_flashes"))  # a message for this visitor alone
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not current_user.is_authenticated and not personal:
            response.add_etag()
            response.headers["Cache-Control"] = "public, max-age=300"
            response.make_conditional(request)
        return response

    return wrapped


def require_signed_in(view):
    """For endpoints whose finer rules live in the service: only the sign-in is checked here."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _ask_to_sign_in()
        return view(*args, **kwargs)

    return wrapped


def _ask_to_sign_in():
    """401 for the API; the sign-in page (coming back here afterwards) for a browser."""
    if wants_json():
        return error_response(401, "Sign in or send an API token.")
    return login_manager.unauthorized()


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


def require_permission(permission: Permission):
    """Signed-out visitors go to sign-in (401 for the API); signed-in users without it get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _ask_to_sign_in()
            if not has_permission(current_user, permission):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapped

    return decorator


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


def init_template_globals(app: Flask) -> None:
    app.jinja_env.filters.update(
        term=term, field_label=field_label, error_lines=error_lines, period=period, when=when
    )
    app.jinja_env.globals.update(
        field_label=field_label,
        has_permission=has_permission,
        absolute_url=absolute_url,
        may_see_link=may_see_link,
        visible_navigation=visible_navigation,
        url_with_args=url_with_args,
        Permission=Permission,
    )


# Scripts and styles come only from the registry itself: no inline script can run, and no page
# can be framed by another site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if str(app.config.get("ENV", "")).lower() == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # What a signed-in person sees (a new token or temporary password included) is theirs
        # alone: never kept by the browser's or a proxy's cache. Asked of what the request
        # already knows, so that answering never loads the user (which may be what failed).
        user = g.get("_login_user")
        signed_in = (user is not None and user.is_authenticated) or "_user_id" in session
        if signed_in and request.endpoint not in STATIC_ENDPOINTS:
            headers["Cache-Control"] = "no-store"
        return response


STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


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

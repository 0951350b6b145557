"""The JSON API blueprint: wiring only; each domain's api module adds its routes
(registry.api.routes), each stating its operation in the OpenAPI document beside itself
(registry.api.operations)."""

import flask_smorest
from flask import current_app, g, request
from flask_login import current_user

from registry.extensions import csrf


class ApiBlueprint(flask_smorest.Blueprint):
    # Views' docstrings are written for engineers: the document says only what `operation` says.
    DOCSTRING_INFO_DELIMITER = ""


api = ApiBlueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)


@api.before_request
def protect_cookie_writes():
    """A request signed in by a valid token carries no ambient credentials, so needs no CSRF
    token; a write signed in by the session cookie still does (in an X-CSRFToken header), even
    if it also sends an Authorization header."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method in {"GET", "HEAD", "OPTIONS"} or not current_user.is_authenticated:
        return  # reads are safe; anonymous writes are refused with 401 by the endpoint
    if g.get("signed_in_by_token"):
        return
    csrf.protect()

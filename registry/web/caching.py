"""Pages a visitor's browser or a proxy may keep."""

from functools import wraps

from flask import make_response, request, session
from flask_login import current_user


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

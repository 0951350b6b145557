"""The headers every answer carries: the Content-Security-Policy and its companions."""

from flask import Flask, g, request, session

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

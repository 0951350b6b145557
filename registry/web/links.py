"""Links the registry makes: absolute ones from its configured address, and safe redirects."""

from urllib.parse import urlsplit

from flask import current_app, request, url_for


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

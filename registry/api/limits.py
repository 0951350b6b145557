"""Rate limits on the JSON API (Flask-Limiter): per client address and per token, counted in a
shared store (REGISTRY_RATELIMIT_STORAGE_URI, e.g. redis://127.0.0.1:6379) so that they hold
across workers and hosts; the default store is the worker's memory.

Each app gets its own limiter, so that limits and store follow that app's settings.
"""

import hashlib

from flask import Blueprint, Flask, current_app, request
from flask_limiter import Limiter

from registry.web.requests import client_address


def _address() -> str:
    return client_address()


def _token() -> str:
    """The bearer token's digest (never the token itself) names its bucket."""
    secret = request.headers.get("Authorization", "").partition(" ")[2].strip()
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()


def _no_token() -> bool:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() != "bearer" or not secret.strip()


def init_rate_limits(app: Flask, api: Blueprint) -> Limiter:
    limiter = Limiter(
        _address,
        app=app,
        headers_enabled=True,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
        key_prefix="registry",
    )
    message = "Too many requests: slow down and try again after the time in Retry-After."
    limiter.limit(
        lambda: current_app.config["API_RATE_LIMIT_PER_ADDRESS"],
        scope="api-address",
        error_message=message,
    )(api)
    limiter.limit(
        lambda: current_app.config["API_RATE_LIMIT_PER_TOKEN"],
        key_func=_token,
        exempt_when=_no_token,
        scope="api-token",
        error_message=message,
    )(api)
    app.extensions["registry_limiter"] = limiter
    return limiter

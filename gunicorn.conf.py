"""gunicorn's settings for the registry, read from the checkout's root (gunicorn looks for
./gunicorn.conf.py): `gunicorn 'registry:create_app()'` from there uses them.

Command-line options still win (`--workers 8 --bind 0.0.0.0:8000`).
"""

import multiprocessing
import os

import gunicorn.http.wsgi

bind = os.environ.get("REGISTRY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("REGISTRY_WORKERS", multiprocessing.cpu_count()))
# A request that takes longer than this is stuck, not working: large exports run as jobs.
timeout = 60
# The registry answers behind a load balancer that keeps connections open.
keepalive = 5


def _without_server_banner(default_headers):
    """gunicorn names itself and its version in a Server header on every response; telling an
    attacker which server and version answers helps nobody else, so the line is left out."""

    def headers(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    return headers


gunicorn.http.wsgi.Response.default_headers = _without_server_banner(
    gunicorn.http.wsgi.Response.default_headers
)

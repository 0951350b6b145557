"""API rate limits: per token and per address, answered with 429 and Retry-After, and shared
by every worker when counted in Redis."""

import socket
import uuid

import pytest

from tests import factories

pytestmark = pytest.mark.own_database


def test_a_token_over_its_limit_gets_429_with_retry_after(scratch_app):
    app = scratch_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT_PER_TOKEN="3 per minute")
    with app.app_context():
        token = factories.token(factories.user("auditor"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token.secret}"}
    statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(4)]
    last = client.get("/api/v1/me", headers=headers)
    assert statuses == [200, 200, 200, 429] and "Retry-After" in last.headers
    assert last.get_json()["error"] == "too_many_requests"


def test_an_address_over_its_limit_gets_429_whatever_token_it_sends(scratch_app):
    app = scratch_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT_PER_ADDRESS="3 per minute")
    client = app.test_client()
    statuses = [
        client.get(
            "/api/v1/departments", headers={"Authorization": f"Bearer cdr_{number}"}
        ).status_code
        for number in range(4)
    ]
    assert statuses[-1] == 429


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_workers_sharing_redis_share_the_limit(scratch_app):
    """Two apps stand for two workers (or hosts); one limit holds across both."""
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "API_RATE_LIMIT_PER_ADDRESS": "4 per minute",
    }
    first, second = scratch_app(**settings), scratch_app(**settings)
    address = {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.0.{uuid.uuid4().int % 250}"}
    statuses = [
        (first if number % 2 else second)
        .test_client()
        .get("/api/v1/departments", environ_base=address)
        .status_code
        for number in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

"""schemathesis against the OpenAPI document: every operation, anonymously and with a token of
each role, never answers 5xx, an undocumented status, or a body its documented schema does not
describe. Examples are bounded and derandomized (REGISTRY_SCHEMATHESIS_EXAMPLES, default 15),
so the suite stays deterministic and quick."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from registry import create_app
from registry.api.openapi import build_spec
from registry.extensions import db

EXAMPLES = int(os.environ.get("REGISTRY_SCHEMATHESIS_EXAMPLES", "15"))
ROLES = ("steward", "coordinator", "committee", "stakeholder", "auditor")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def tokens(make):
    """A token for each role; a department, and a record in committee, for them to find."""
    make.department(code="PW")
    make.in_committee("PW")
    make.dataset(department="PW", classification="restricted")
    make.voting_round()
    make.data_request()
    found = {None: {}}
    for role in ROLES:
        token = make.token(make.user(role, departments=["PW"] if role == "steward" else ()))
        found[role] = {"Authorization": f"Bearer {token.secret}"}
    db.session.commit()
    return found


# The document depends on code alone, so it is built at collection time, from an app of its own,
# and served by the app under test in each call.
DOCUMENTED = create_app({"TESTING": True, "HOUSEKEEPING_THREAD": False, "JOBS_RUNNER": "inline"})
schema = schemathesis.openapi.from_dict(build_spec(DOCUMENTED))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented_for_every_role(app, case, tokens):
    for headers in tokens.values():
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        db.session.rollback()

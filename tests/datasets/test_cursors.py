"""Keyset pagination: following `next` from the first page visits every record once, in the
same order as numbered pages, for every order that pages this way; a cursor that is not one
is a 422 that says so, and nothing else."""

import pytest

from registry.datasets.cursors import KEYSETS
from tests import factories


@pytest.fixture
def inventory(make):
    department = make.department(code="PW", name="Public Works")
    for number in range(23):
        make.dataset(
            department="PW",
            title=f"Record {number % 7}",  # equal titles: the id breaks the tie
            release_priority=("high", "medium", "low")[number % 3],
        )
    return department


def walk(client, sort: str) -> list[str]:
    seen, after = [], None
    while True:
        query = f"/api/v1/datasets?sort={sort}&per_page=5" + (f"&after={after}" if after else "")
        body = client.get(query).get_json()
        seen += [item["identifier"] for item in body["items"]]
        after = body["next"]
        if not after:
            return seen


def numbered(client, sort: str) -> list[str]:
    seen = []
    for page in range(1, 6):
        body = client.get(f"/api/v1/datasets?sort={sort}&per_page=5&page={page}").get_json()
        seen += [item["identifier"] for item in body["items"]]
    return seen


@pytest.mark.parametrize("sort", sorted(KEYSETS))
def test_following_next_visits_every_record_once_in_order(client, inventory, sort):
    token = factories.token(factories.user("coordinator")).secret
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    walked = walk(client, sort)
    assert len(walked) == len(set(walked)) == 23
    assert walked == numbered(client, sort)


@pytest.mark.parametrize(
    "cursor", ["nonsense", "W10", "WyJ0aXRsZSIsMV0", "WyItdXBkYXRlZCIsIm5vdCBhIGRhdGUiLDFd", "=="]
)
def test_a_cursor_that_is_not_one_is_a_422(client, inventory, cursor):
    response = client.get(f"/api/v1/datasets?sort=title&after={cursor}")
    assert response.status_code == 422
    assert "after" in response.get_json()["message"] or "after" in str(response.get_json())


def test_a_relevance_search_pages_by_number(client, inventory):
    response = client.get("/api/v1/datasets?q=record&after=WyJ0aXRsZSIsIngiLDFd")
    assert response.status_code == 422
    assert client.get("/api/v1/datasets?q=record").get_json()["next"] is None

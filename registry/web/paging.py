"""Pages of a list: the `page` and `per_page` arguments read alike everywhere, over a select,
a list already in memory, or rows read a page at a time."""

from collections.abc import Callable

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from marshmallow import ValidationError

from registry.extensions import db
from registry.validation import MAX_PAGE

MAX_PER_PAGE = 100

# The two arguments as the OpenAPI document states them, for an operation that pages.
PAGE_PARAMETERS = [
    {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "in": "query",
        "name": "per_page",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 25},
    },
]


def page_arguments() -> tuple[int, int]:
    """The `page` and `per_page` arguments (at most 100 a page); a page number that is not one
    is a 422 that says so."""
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int)
    errors = {}
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = [f"Give a page number from 1 to {MAX_PAGE:,}."]
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = [f"Give from 1 to {MAX_PER_PAGE} a page."]
    if errors:
        raise ValidationError(errors)
    return page, per_page


def paginate(query, total: Callable[[], int] | None = None):
    """One page of a select, from the `page` and `per_page` arguments; `total` counts what
    the select matches when the caller keeps the count (registry.memo), else the page does. A
    page past the end is an empty page that still says how many there are, never a 404."""
    page, per_page = page_arguments()
    pages = {"page": page, "per_page": per_page, "max_per_page": MAX_PER_PAGE, "error_out": False}
    if total is None:
        return db.paginate(query, **pages)
    found = db.paginate(query, **pages, count=False)
    found.total = total()
    return found


class ListPagination(Pagination):
    """One page of a list computed in Python, or of rows a function reads a page at a time
    (`fetch(offset, limit)`) with their `total` counted apart."""

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        if "fetch" in self._query_args:
            return self._query_args["fetch"](start, self.per_page)
        return self._query_args["items"][start : start + self.per_page]

    def _query_count(self) -> int:
        if "fetch" in self._query_args:
            return self._query_args["total"]
        return len(self._query_args["items"])


def paginate_list(items: list):
    """Like paginate(), for a list already in memory."""
    page, per_page = page_arguments()
    return ListPagination(page=page, per_page=per_page, error_out=False, items=items)


def paginate_fetched(fetch: Callable[[int, int], list], total: int):
    """Like paginate(), for rows `fetch(offset, limit)` reads, `total` in all."""
    page, per_page = page_arguments()
    return ListPagination(page=page, per_page=per_page, error_out=False, fetch=fetch, total=total)


def page_body(found, items: list, **more) -> dict:
    """A page's items in an API answer, with how many there are in all and which page this is."""
    pages = {"total": found.total, "page": found.page, "per_page": found.per_page}
    return {"items": items, **pages, **more}

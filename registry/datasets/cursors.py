"""Keyset pagination for the dataset listing: the page after a cursor is read straight off the
sort's index, as fast however deep, where OFFSET would walk past every earlier row.

A cursor names the last record of a page by its sort values (an opaque, URL-safe text); every
order ends on the id, so a cursor names one place exactly. A search's relevance order is a
computed rank and pages by number instead.
"""

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import case, literal_column, tuple_

from registry.datasets.models import Dataset
from registry.datasets.vocab import PriorityRank

# Written with literal values, not bound parameters, so that the index on the same expression
# (vocab.PRIORITY_ORDER, in the models' indexes) serves the order.
PRIORITY = case(
    *(
        (Dataset.release_priority == literal_column(f"'{rank.name}'"), literal_column(f"{rank:d}"))
        for rank in PriorityRank
    )
)


# Each order that pages by cursor: its columns, whether it runs downwards, and each column's
# value on a record (as a cursor keeps it: moments as ISO text).
KEYSETS = {
    "-updated": ((Dataset.updated_at, Dataset.id), True),
    "updated": ((Dataset.updated_at, Dataset.id), False),
    "title": ((Dataset.title, Dataset.id), False),
    "-title": ((Dataset.title, Dataset.id), True),
    "-created": ((Dataset.id,), True),
    "priority": ((PRIORITY, Dataset.title, Dataset.id), False),
}
WRONG = "This is not a cursor from the listing's `next`, or it is for another order."


def _values(record: Dataset, sort: str) -> list[Any]:
    by_name = {
        "updated_at": lambda: record.updated_at.isoformat(),
        "title": lambda: record.title,
        "id": lambda: record.id,
        "priority": lambda: PriorityRank[record.release_priority].value,
    }
    names = {"priority": ["priority", "title", "id"], "-created": ["id"]}
    columns = names.get(sort) or [("updated_at" if "updated" in sort else "title"), "id"]
    return [by_name[name]() for name in columns]


def next_cursor(record: Dataset, sort: str) -> str:
    text = json.dumps([sort, *_values(record, sort)], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def after(cursor: str, sort: str):
    """The condition for the records after a cursor, in the sort's order; a cursor that is
    not one is a 422 that says so."""
    if sort not in KEYSETS:
        raise ValidationError(
            {"after": ["This order (a search's relevance, or the newest release) pages by number."]}
        )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValidationError({"after": [WRONG]}) from exc
    columns, downwards = KEYSETS[sort]
    if not isinstance(decoded, list) or decoded[:1] != [sort] or len(decoded) != len(columns) + 1:
        raise ValidationError({"after": [WRONG]})
    values = decoded[1:]
    try:
        if "updated" in sort:
            values[0] = datetime.fromisoformat(values[0])
        if not isinstance(values[-1], int) or (
            sort == "priority" and not isinstance(values[0], int)
        ):
            raise TypeError
        if sort in ("title", "-title", "priority") and not isinstance(values[-2], str):
            raise TypeError
    except (TypeError, ValueError) as exc:
        raise ValidationError({"after": [WRONG]}) from exc
    key = tuple_(*columns)
    return key < tuple(values) if downwards else key > tuple(values)

"""What a list of records is asked (filters, order, page, facets to count) and answers: the
staff list, the catalog and the API's listing share them."""

from marshmallow import Schema, fields, validate

from registry.datasets.schemas import DatasetOut, StringList
from registry.datasets.vocab import Classification, Priority
from registry.reviews.workflow import State
from registry.validation import MAX_PAGE, InputSchema, UpperString

# The facets a list can count (a staff list counts the first five: datasets.search.FACETS).
FACET_NAMES = (
    "department",
    "status",
    "classification",
    "release_priority",
    "theme",
    "format",
    "keyword",
    "license",
)


SORTS = {
    "relevance": "Best match",
    "-updated": "Recently updated",
    "updated": "Least recently updated",
    "title": "Title A to Z",
    "-title": "Title Z to A",
    "priority": "Priority, high first",
    "-created": "Newest",
    "-released": "Newest release",
}


class DatasetQuery(InputSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    department = UpperString(load_default=None)
    status = fields.Enum(State, by_value=True, load_default=None)
    classification = fields.Enum(Classification, by_value=True, load_default=None)
    release_priority = fields.Enum(Priority, by_value=True, load_default=None)
    theme = fields.String(load_default=None, validate=validate.Length(max=100))
    city_priority = fields.String(load_default=None, validate=validate.Length(max=120))
    format = fields.String(
        load_default=None,
        validate=validate.Length(max=40),
        metadata={"description": "Records offered in this format (CSV, JSON…), in any case."},
    )
    keyword = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "Records with this keyword, in any case."},
    )
    license = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "Records under this license, by its URL."},
    )
    external_id = fields.String(
        load_default=None,
        validate=validate.Length(max=300),
        metadata={
            "description": "An identifier the record has elsewhere, in any case: its portal's "
            "(a data.json identifier, a Socrata ID) or, for people signed in, one its own "
            "inventory gave it (an inventory ID, a dataset ID), as its additional fields keep it."
        },
    )
    sort = fields.String(load_default=None, validate=validate.OneOf(list(SORTS)))
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=MAX_PAGE), strict=False
    )
    facets = StringList(
        load_default=list,
        max_items=len(FACET_NAMES),
        vocabulary=list(FACET_NAMES),
        metadata={
            "description": "Facet counts to include, comma-separated: "
            + ", ".join(FACET_NAMES)
            + ". None unless asked for."
        },
    )
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    after = fields.String(
        load_default=None,
        validate=validate.Length(max=400),
        metadata={
            "description": "The previous page's `next`: the page after it, read off the "
            "index, as fast however deep (page is then ignored). Every order but a search's "
            "relevance pages this way."
        },
    )


# Made once and read with on every listing (a schema holds nothing of what it loads): making one
# per request was a tenth of a millisecond of a listing's few.
LISTING_QUERY = DatasetQuery()


class DatasetPageOut(Schema):
    items = fields.List(fields.Nested(DatasetOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    facets = fields.Dict(keys=fields.String(), values=fields.Dict())
    restricted_not_shown = fields.Integer()
    next = fields.String(
        allow_none=True,
        metadata={"description": "Give it as `after` for the next page; null on the last."},
    )
    suggestion = fields.String(
        allow_none=True,
        metadata={"description": "When a search finds nothing: a search that finds something."},
    )

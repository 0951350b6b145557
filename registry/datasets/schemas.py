"""Input and output shapes of the dataset record and its history (its list: listing_schemas).

Field names follow POD v1.1 in snake_case. Rules that span fields or need stored data (rights
when not public, personal information kinds, the steward's department) live in the services,
which check the record as it would be after the change.
"""

import re

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from registry.datasets.vocab import (
    PII_KINDS,
    UPDATE_FREQUENCIES,
    AccessLevel,
    Classification,
    Priority,
)
from registry.validation import InputSchema, LowerEmail, UpperString

_DATE = r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?"
_DURATION = r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
# An ISO 8601 interval; "start/.." (ISO 8601-2's open end) is a period that is still going on.
TEMPORAL = re.compile(rf"^(?:{_DATE}/(?:{_DATE}|\.\.)|{_DATE}/{_DURATION}|{_DURATION}/{_DATE})$")
ONGOING = "/.."
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-\d{3})?$")
MEDIA_TYPE = re.compile(r"^[-\w.+]+/[-\w.+]+$")

_url = fields.Url(load_default=None, schemes={"http", "https"}, validate=validate.Length(max=500))


class StringList(fields.List):
    """A list of at most `max_items` short strings; a form may send one comma-separated string
    instead. Blanks are dropped and repeats removed, keeping the first spelling. With a
    `vocabulary`, each must be one of its words (in any case), spelled as the vocabulary does.
    """

    def __init__(
        self,
        max_length: int = 100,
        max_items: int = 50,
        vocabulary: list[str] | None = None,
        **kwargs,
    ):
        super().__init__(fields.String(validate=validate.Length(max=max_length)), **kwargs)
        self.max_items = max_items
        self.vocabulary = {word.lower(): word for word in vocabulary} if vocabulary else None

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list) and len(value) > self.max_items:
            raise ValidationError(f"Give at most {self.max_items}.")
        items = super()._deserialize(value, attr, data, **kwargs)
        seen: dict[str, str] = {}
        for item in (item.strip() for item in items):
            if item and item.lower() not in seen:
                seen[item.lower()] = item
        if self.vocabulary is None:
            return list(seen.values())
        unknown = [item for key, item in seen.items() if key not in self.vocabulary]
        if unknown:
            raise ValidationError(
                f"Not in the list: {', '.join(unknown)}. Use "
                + ", ".join(self.vocabulary.values())
                + "."
            )
        return [self.vocabulary[key] for key in seen]


class DistributionIn(InputSchema):
    title = fields.String(load_default=None, validate=validate.Length(max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=2000))
    download_url = _url
    access_url = _url
    media_type = fields.String(
        load_default=None,
        validate=validate.Regexp(MEDIA_TYPE, error="Use a media type such as text/csv."),
    )
    format = fields.String(load_default=None, validate=validate.Length(max=50))

    @validates_schema
    def _reachable(self, data, **_kwargs):
        if not data.get("download_url") and not data.get("access_url"):
            raise ValidationError("Give a download URL or an access URL.", "download_url")
        if data.get("download_url") and not data.get("media_type"):
            raise ValidationError("A download URL needs its media type.", "media_type")


class ColumnIn(InputSchema):
    """One column of the data dictionary: its name as the data has it, its type in the
    department's words (text, number, date…), and what it holds."""

    name = fields.String(
        required=True,
        validate=[
            validate.Length(max=100, error="Give the column's name in up to 100 characters."),
        ],
    )
    type = fields.String(load_default=None, validate=validate.Length(max=40))
    description = fields.String(load_default=None, validate=validate.Length(max=1000))

    @validates_schema
    def _named(self, data, **_kwargs):
        # Also when an edit loads its fields as partial (which lets a required field go).
        if not (data.get("name") or "").strip():
            raise ValidationError("Give the column's name.", "name")

    @post_load
    def _filled(self, data, **_kwargs):
        return {key: value.strip() for key, value in data.items() if value and value.strip()}


def _columns_once(columns: list[dict[str, str]]) -> None:
    seen: set[str] = set()
    for column in columns:
        name = column.get("name", "").casefold()
        if name in seen:
            raise ValidationError(f"The column “{column['name']}” is listed twice.")
        seen.add(name)


class DatasetIn(InputSchema):
    """Creating a record. Only what identifies it is required: a draft may be incomplete, and
    submitting it for review checks completeness."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=20000))
    department = UpperString(required=True)
    keywords = StringList(load_default=list, max_items=50)
    themes = StringList(  # checked against the city's own list (creation.resolve_themes)
        max_length=100, load_default=list, max_items=20
    )
    # The city's strategic priorities it supports, by name (checked against the list the
    # coordinator keeps, in the service).
    city_priorities = StringList(load_default=list, max_items=20)
    contact_name = fields.String(load_default=None, validate=validate.Length(max=200))
    contact_email = LowerEmail(load_default=None)
    steward = LowerEmail(allow_none=True)  # absent: the registering steward; null: nobody
    source_system = fields.String(load_default=None, validate=validate.Length(max=200))
    update_frequency = fields.String(
        load_default=None,
        validate=validate.OneOf(
            list(UPDATE_FREQUENCIES),
            error="Not an update frequency: use Daily (R/P1D), Weekly (R/P1W), Monthly (R/P1M), "
            "Annually (R/P1Y) or another of the list.",
        ),
    )
    temporal = fields.String(
        load_default=None,
        validate=validate.Regexp(
            TEMPORAL,
            error="Give the first and last dates the data covers, or say it is ongoing (in the "
            "API, an ISO 8601 interval such as 2015-01-01/2024-12-31, or 2015-01-01/.. when "
            "ongoing).",
        ),
    )
    spatial = fields.String(load_default=None, validate=validate.Length(max=300))
    formats = StringList(max_length=50, max_items=20, load_default=list)
    record_count = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=2**63 - 1, error="Give a whole number from 0 up."),
        strict=False,
    )
    landing_page = _url
    data_dictionary = _url
    data_columns = fields.List(
        fields.Nested(ColumnIn),
        load_default=list,
        validate=[
            validate.Length(max=500, error="Give at most 500 columns."),
            _columns_once,
        ],
    )
    license = _url
    language = fields.List(
        fields.String(
            validate=validate.Regexp(LANGUAGE, error="Use a language tag such as en-US.")
        ),
        load_default=list,
        validate=validate.Length(max=20, error="Give at most 20 languages."),
    )
    distributions = fields.List(
        fields.Nested(DistributionIn),
        load_default=list,
        validate=validate.Length(max=50, error="Give at most 50 distributions."),
    )
    issued = fields.Date(load_default=None)
    modified = fields.Date(load_default=None)
    classification = fields.Enum(
        Classification,
        by_value=True,
        required=True,
        error_messages={
            "unknown": "Use public, internal, sensitive or restricted (levels 1 to 4).",
        },
    )
    contains_pii = fields.Boolean(load_default=False)
    pii_kinds = fields.List(
        fields.String(validate=validate.OneOf(list(PII_KINDS))), load_default=list
    )
    access_level = fields.Enum(AccessLevel, by_value=True, load_default=None, allow_none=True)
    rights = fields.String(load_default=None, validate=validate.Length(max=255))
    release_priority = fields.Enum(Priority, by_value=True, load_default=Priority.MEDIUM)
    additional_fields = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(validate=validate.Length(max=5000)),
        load_default=dict,
        validate=validate.Length(max=100, error="Keep at most {max} additional fields."),
        metadata={
            "description": "What the record's own inventory said that has no field here, by the "
            "inventory's own column headers."
        },
    )

    @validates_schema
    def _period_in_order(self, data, **_kwargs):
        start, _, end = (data.get("temporal") or "").partition("/")
        days = all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", part) for part in (start, end))
        if days and end < start:
            raise ValidationError("The period ends before it starts.", "temporal")


class DatasetPatch(DatasetIn):
    """Editing: any subset of fields, plus the version the edit was based on."""

    version = fields.Integer(load_default=None)


class DistributionOut(Schema):
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    download_url = fields.String(allow_none=True)
    access_url = fields.String(allow_none=True)
    media_type = fields.String(allow_none=True)
    format = fields.String(allow_none=True)


class DatasetOut(Schema):
    identifier = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    department = fields.Function(lambda dataset: dataset.department.code)
    department_name = fields.Function(lambda dataset: dataset.department.name)
    keywords = fields.List(fields.String())
    themes = fields.List(fields.String())
    city_priorities = fields.List(fields.String())
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    steward = fields.Function(
        lambda dataset: dataset.steward.email if dataset.steward else None,
        allow_none=True,
        metadata={"description": "The steward's account email; null for readers not signed in."},
    )
    steward_name = fields.Function(
        lambda dataset: dataset.steward.name if dataset.steward else None
    )
    source_system = fields.String(allow_none=True)
    update_frequency = fields.String(allow_none=True)
    temporal = fields.String(allow_none=True)
    spatial = fields.String(allow_none=True)
    formats = fields.List(fields.String())
    record_count = fields.Integer(allow_none=True)
    landing_page = fields.String(allow_none=True)
    data_dictionary = fields.String(allow_none=True)
    data_columns = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "The data dictionary: each column's name, type, description."},
    )
    license = fields.String(allow_none=True)
    language = fields.List(fields.String())
    distributions = fields.List(fields.Nested(DistributionOut))
    issued = fields.Date(allow_none=True)
    modified = fields.Date(allow_none=True)
    classification = fields.String()
    classification_level = fields.Integer(attribute="level")
    contains_pii = fields.Boolean()
    pii_kinds = fields.List(fields.String())
    access_level = fields.String()
    rights = fields.String(allow_none=True)
    release_priority = fields.String()
    release_target_date = fields.Date(allow_none=True)
    additional_fields = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "By the inventory's own headers; staff only (empty otherwise)."},
    )
    attention = fields.List(
        fields.String(),
        metadata={
            "description": 'What the steward must look at ("classification" while the level is '
            "to confirm); staff only."
        },
    )
    status = fields.String()
    version = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The version edits are based on; null for readers who may not see "
            "every step of the record (those who may edit it always see it)."
        },
    )
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class DatasetDetailOut(DatasetOut):
    """One record as its own endpoints answer: with any open re-review's proposal, shown only to
    those who may read the record at the proposed level."""

    proposed_governance = fields.Dict(
        allow_none=True,
        metadata={
            "description": "A governance change before the committee in a re-review round; "
            "the fields above stay in force until it decides."
        },
    )


class VersionOut(Schema):
    version = fields.Integer()
    changed_at = fields.AwareDateTime()
    changed_by = fields.String(
        allow_none=True,
        attribute="changed_by_label",
        metadata={"description": "The account's email; null for readers not signed in."},
    )
    changed_by_name = fields.String()
    action = fields.String()
    changes = fields.Dict()
    note = fields.String(allow_none=True)


class HistoryOut(Schema):
    identifier = fields.String()
    items = fields.List(fields.Nested(VersionOut))
    hidden_versions = fields.Integer()
    total = fields.Integer(metadata={"description": "Versions shown, on every page."})
    page = fields.Integer()
    per_page = fields.Integer()

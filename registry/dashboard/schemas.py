"""What the dashboard and the stats API take and give."""

from marshmallow import Schema, fields, validate

from registry.transfer.schemas import EARLIEST
from registry.validation import Day, InputSchema


class AsOfQuery(InputSchema):
    """A past day to see the figures as they stood when it ended (empty: now)."""

    as_of = Day(
        load_default=None,
        validate=validate.Range(min=EARLIEST, error="Give a date from 1990 until today."),
    )


class FigureOut(Schema):
    name = fields.String()
    title = fields.String()
    description = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(
        fields.List(fields.Raw()),
        metadata={"description": "One list per row, in `columns` order; shares are 0 to 1."},
    )
    as_of = fields.String(
        allow_none=True, metadata={"description": "The day the figures stand at (null: now)."}
    )


class FigureLinkOut(Schema):
    name = fields.String()
    url = fields.String(metadata={"description": "The figure in JSON."})
    csv = fields.String(metadata={"description": "The figure as a CSV file."})


class FigureListOut(Schema):
    items = fields.List(fields.Nested(FigureLinkOut))

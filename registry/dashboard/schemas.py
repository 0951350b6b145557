"""What the dashboard and the stats API take and give."""

from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate

from registry.db import utcnow, utctoday
from registry.transfer.exports import end_of_day
from registry.transfer.schemas import EARLIEST
from registry.validation import Day, InputSchema


class AsOfQuery(InputSchema):
    """A past day to see the figures as they stood when it ended (empty: now)."""

    as_of = Day(
        load_default=None,
        validate=validate.Range(min=EARLIEST, error="Give a date from 1990 until today."),
    )


def moment_of(args) -> tuple[date | None, datetime]:
    """The `as_of` argument (a day, read to its end in the city's time zone) or now; a day in
    the future or not a date is a 422 that says so."""
    day = AsOfQuery().load({"as_of": args.get("as_of") or None})["as_of"]
    if day is not None and day > utctoday():
        raise ValidationError({"as_of": ["Give a day up to today: the figures cannot run ahead."]})
    return day, (end_of_day(day) if day else utcnow())


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

"""What an export request may ask for, for pages, the CLI and the API alike."""

from datetime import date

from marshmallow import ValidationError, fields, validate, validates

from registry.datasets.queries import Scope
from registry.db import utctoday
from registry.validation import Day, InputSchema, UpperString

EARLIEST = date(1990, 1, 1)


class ExportQuery(InputSchema):
    scope = fields.Enum(Scope, by_value=True, load_default=Scope.PUBLIC)
    department = UpperString(load_default=None, validate=validate.Length(max=16))
    as_of = Day(
        load_default=None,
        validate=validate.Range(
            min=EARLIEST, max=date(2999, 12, 31), error="Give a date from 1990 until today."
        ),
    )

    @validates("as_of")
    def _not_ahead(self, value: date | None, **_kwargs) -> None:
        if value is not None and value > utctoday():
            raise ValidationError("Give a day up to today: an export cannot run ahead.")


class ExportJobIn(ExportQuery):
    """An export to prepare in the background (the exports page's form)."""

    format = fields.String(
        required=True,
        validate=validate.OneOf(
            ["xlsx", "csv", "datajson", "dcat3"],
            error="Choose XLSX, CSV, data.json or the DCAT-US 3.0 catalog.",
        ),
    )

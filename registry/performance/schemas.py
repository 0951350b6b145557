"""Input and output shapes of measures and their values (forms, the API and value files load
through the same ones)."""

import math
import re

from marshmallow import Schema, fields, validate

from registry.datasets.schemas import StringList
from registry.performance.rules import Direction, Frequency
from registry.validation import Day, InputSchema, UpperString

NUMBER = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")


class Number(fields.Field):
    """A number as people write it: 12, -3.5, 1,204.25, 87% (a percent sign is dropped: the
    measure's unit says what the number is); never NaN or infinity."""

    default_error_messages = {"invalid": "Give a number, such as 12, 87.5 or 1,204."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int | float):
            number = float(value)
        else:
            text = str(value).strip().removesuffix("%").strip()
            if not text or not NUMBER.fullmatch(text) or text in ("-", "+", "."):
                raise self.make_error("invalid")
            number = float(text.replace(",", ""))
        if not math.isfinite(number) or abs(number) > 1e15:
            raise self.make_error("invalid")
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        return value


_name = fields.String(required=True, validate=validate.Length(min=3, max=200))
_counts = fields.String(required=True, validate=validate.Length(min=3, max=2000))
_unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
_direction = fields.String(
    required=True,
    validate=validate.OneOf([str(d) for d in Direction], error="Choose higher or lower."),
)
_frequency = fields.String(
    required=True,
    validate=validate.OneOf(
        [str(f) for f in Frequency], error="Choose monthly, quarterly or yearly."
    ),
)


class MeasureIn(InputSchema):
    """A new measure."""

    priority = fields.String(required=True, validate=validate.Length(max=120))
    department = UpperString(required=True, validate=validate.Length(max=16))
    name = _name
    counts = _counts
    unit = _unit
    direction = _direction
    target = Number(required=True)
    target_date = Day(required=True)
    frequency = _frequency
    datasets = StringList(max_length=64, max_items=50, load_default=list)


class MeasurePatch(InputSchema):
    """An edit: only what it sends changes; `version` is the one the editor read."""

    version = fields.Integer(required=True, strict=False)
    priority = fields.String(validate=validate.Length(max=120))
    department = UpperString(validate=validate.Length(max=16))
    name = fields.String(validate=validate.Length(min=3, max=200))
    counts = fields.String(validate=validate.Length(min=3, max=2000))
    unit = fields.String(validate=validate.Length(min=1, max=40))
    direction = fields.String(validate=_direction.validate)
    target = Number()
    target_date = Day()
    frequency = fields.String(validate=_frequency.validate)
    datasets = StringList(
        max_length=64,
        max_items=50,
        metadata={"description": "Replaces the records you may read; those you may not read stay."},
    )


class ValueIn(InputSchema):
    """One period's value; `reason` is required when it corrects one already reported."""

    period = fields.String(required=True, validate=validate.Length(max=40))
    value = Number(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=2000))
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


def _status_field():
    return fields.String(metadata={"description": "on_track, off_track or no_data"})


class ValueOut(Schema):
    period = fields.String(metadata={"description": "2026-03, 2026-Q1 or 2026"})
    label = fields.String()
    value = fields.Float(allow_none=True)
    status = _status_field()
    note = fields.String(allow_none=True)
    reported_at = fields.DateTime(allow_none=True)
    reported_by = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "Why it was corrected"})
    changed = fields.Boolean(metadata={"description": "After a report: whether it changed"})


class MeasureDatasetOut(Schema):
    identifier = fields.String()
    title = fields.String()
    status = fields.String()
    released = fields.Boolean()
    late = fields.Boolean()


class MeasureOut(Schema):
    id = fields.Integer()
    priority = fields.String()
    department = fields.String()
    department_name = fields.String()
    name = fields.String()
    counts = fields.String()
    unit = fields.String()
    direction = fields.String()
    target = fields.Float()
    target_date = fields.Date()
    frequency = fields.String()
    version = fields.Integer()
    latest = fields.Nested(ValueOut, allow_none=True)
    status = _status_field()
    datasets = fields.List(fields.Nested(MeasureDatasetOut))
    non_public_datasets = fields.Integer(
        metadata={"description": "Records it rests on that the caller may not read"}
    )


class MeasureListOut(Schema):
    items = fields.List(fields.Nested(MeasureOut))
    as_of = fields.Date(allow_none=True)
    total = fields.Integer(metadata={"description": "Measures, on every page."})
    page = fields.Integer()
    per_page = fields.Integer()


class ValueListOut(Schema):
    items = fields.List(fields.Nested(ValueOut))
    total = fields.Integer(metadata={"description": "Periods, on every page."})
    page = fields.Integer()
    per_page = fields.Integer()


class ValueQuery(InputSchema):
    as_of = Day(load_default=None)

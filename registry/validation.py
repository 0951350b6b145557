"""Validation building blocks for every schema: clean text, form fields as dicts, all errors."""

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load

# No list is paged this deep; a larger page number is a mistake or a probe, refused with 422.
MAX_PAGE = 100_000

# Control characters other than tab, line feed and carriage return, and the bidirectional
# overrides and isolates that can make a title read differently from what it says.
INVISIBLE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class UnsafeText(ValueError):
    pass


def clean_text(value: Any) -> Any:
    """Text as the registry stores it, in any nesting of lists and objects: a NUL character or
    a lone surrogate (which no database stores) is refused; other control characters and
    bidirectional overrides are removed."""
    if isinstance(value, str):
        if "\x00" in value:
            raise UnsafeText("This contains a NUL character, which is not allowed.")
        if LONE_SURROGATE.search(value):
            raise UnsafeText("This contains invalid Unicode (a lone surrogate).")
        return INVISIBLE.sub("", value)
    if isinstance(value, list):
        return [clean_text(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_text(item) for key, item in value.items()}
    return value


class InputSchema(Schema):
    """Cleans text (clean_text) and strips surrounding whitespace; a blank optional field is
    None, a blank required one missing.

    HTML forms send "" for an untouched field; treating it as absent makes the form and the JSON
    API load through the same rules and get the same messages.
    """

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.error_messages["required"] = "This is required."

    @pre_load
    def _tidy_strings(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tidy, unsafe = {}, {}
        for key, value in data.items():
            try:
                value = clean_text(value)
            except UnsafeText as problem:
                unsafe[str(key)] = [str(problem)]
                continue
            if isinstance(value, str):
                value = value.strip()
                field = self.fields.get(key)
                if value == "" and field is not None:
                    if field.required:
                        continue
                    value = None
            tidy[key] = value
        if unsafe:
            raise ValidationError(unsafe)
        return tidy


def form_to_dict(form, *, lists: tuple[str, ...] = (), flags: tuple[str, ...] = ()) -> dict:
    """Turns a submitted HTML form into the dict a schema loads.

    `lists` are multi-value fields; `flags` are checkboxes, which browsers omit when unticked.
    The CSRF token is not part of any schema.
    """
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        data[key] = form.getlist(key) if key in lists else form.get(key)
    for key in lists:
        data.setdefault(key, [])
    for key in flags:
        data[key] = key in form
    return data


class UpperString(fields.String):
    """Codes are compared in capitals, whatever case people type them in."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class Day(fields.Date):
    """A day as ISO 8601 writes it (2026-07-31), or as American cities write it (7/31/2026,
    month first): what a clerk types into a link or a form without a date picker."""

    default_error_messages = {"invalid": "Give a day as 2026-07-31 or 7/31/2026."}

    def _deserialize(self, value, attr, data, **kwargs):
        found = US_DAY.fullmatch(value.strip()) if isinstance(value, str) else None
        if found:
            month, day, year = (int(part) for part in found.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise self.make_error("invalid") from exc
        return super()._deserialize(value, attr, data, **kwargs)


class LowerEmail(fields.Email):
    """Email addresses are identities here; one address is one person, whatever its case."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


def load_input(schema: Schema, raw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Loads raw input and returns (what loaded, the errors) instead of raising, so that a service
    can add the errors of its own rules and report every problem in one answer."""
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return dict(valid), dict(messages)


def raise_for(errors: dict[str, Any], more: dict[str, list[str]] | None = None) -> None:
    """Merges rule errors into schema errors and raises if there are any."""
    for field, messages in (more or {}).items():
        existing = errors.setdefault(field, [])
        if isinstance(existing, list):
            existing.extend(message for message in messages if message not in existing)
    if errors:
        raise ValidationError(errors)

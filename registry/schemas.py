"""Building blocks shared by every domain's marshmallow schemas."""

from typing import Any

from marshmallow import Schema, fields, pre_load


class InputSchema(Schema):
    """Strips surrounding whitespace and turns blank optional strings into None.

    HTML forms send "" for an untouched field; treating it as absent makes the form and the JSON
    API load through the same rules.
    """

    @pre_load
    def _tidy_strings(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tidy = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                field = self.fields.get(key) or self.declared_fields.get(key)
                if value == "" and field is not None and not field.required:
                    value = None
            tidy[key] = value
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


class LowerEmail(fields.Email):
    """Email addresses are identities here; one address is one person, whatever its case."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()

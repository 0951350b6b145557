"""Turns the dataset form's fields into the raw mapping the services load, like a JSON body."""

from typing import Any

from registry.datasets.schemas import DistributionIn

LIST_FIELDS = ("keywords", "themes", "formats", "language")
DISTRIBUTION_FIELDS = tuple(DistributionIn().fields)
BLANK_DISTRIBUTION_ROWS = 2


def dataset_form_to_raw(form) -> dict[str, Any]:
    """Comma-separated lists, checkbox flags, and numbered distribution rows (blanks dropped)."""
    raw: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token" or key.startswith("distributions-"):
            continue
        raw[key] = form.getlist(key) if key == "pii_kinds" else form.get(key)
    for key in LIST_FIELDS:
        if key in raw:
            raw[key] = [item for item in (raw[key] or "").split(",") if item.strip()]
    raw["pii_kinds"] = form.getlist("pii_kinds")
    raw["contains_pii"] = "contains_pii" in form
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        if key.startswith("distributions-"):
            _, number, name = key.split("-", 2)
            if number.isdigit() and name in DISTRIBUTION_FIELDS:
                rows.setdefault(int(number), {})[name] = value
    raw["distributions"] = [
        row for _, row in sorted(rows.items()) if any(value.strip() for value in row.values())
    ]
    return raw


def record_to_form(record: dict[str, Any]) -> dict[str, Any]:
    """A DatasetOut dump (or a submitted raw mapping) as the form shows it."""
    form = dict(record)
    for key in LIST_FIELDS:
        if isinstance(form.get(key), list):
            form[key] = ", ".join(form[key])
    rows = list(form.get("distributions") or [])
    form["distribution_rows"] = rows + [{} for _ in range(BLANK_DISTRIBUTION_ROWS)]
    return form

"""Turns the dataset form's fields into the raw mapping the services load, like a JSON body."""

import re
from typing import Any

from registry.datasets.schemas import ONGOING, DistributionIn
from registry.datasets.vocab import LICENSES, OTHER_LICENSE

LIST_FIELDS = ("keywords", "themes", "formats", "language")
DISTRIBUTION_FIELDS = tuple(DistributionIn().fields)
BLANK_DISTRIBUTION_ROWS = 2
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def dataset_form_to_raw(form) -> dict[str, Any]:
    """Comma-separated lists, checkbox flags, and numbered distribution rows (blanks dropped)."""
    raw: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token" or key.startswith(("distributions-", "temporal_")):
            continue
        raw[key] = form.getlist(key) if key == "pii_kinds" else form.get(key)
    for key in LIST_FIELDS:
        if key in raw:
            raw[key] = [item.strip() for item in (raw[key] or "").split(",") if item.strip()]
    raw["pii_kinds"] = form.getlist("pii_kinds")
    raw.pop("city_priorities_shown", None)
    if "city_priorities_shown" in form:  # checkboxes: none ticked sends nothing
        raw["city_priorities"] = form.getlist("city_priorities")
    raw["temporal"] = _period(form)
    raw["contains_pii"] = "contains_pii" in form
    raw["distributions"] = distributions_from_form(form)
    if "data_columns" in form:
        raw["data_columns"] = columns_from_text(form.get("data_columns") or "")
    _license(form, raw)
    return raw


COLUMN_PARTS = ("name", "type", "description")


def columns_from_text(text: str) -> list[dict[str, str]]:
    """The data dictionary as typed or pasted: a column a line, its name, type and description
    apart by "|" or by tabs (as rows copied from a spreadsheet come); blank lines dropped."""
    columns = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in re.split(r"\t|\|", line, maxsplit=2)]
        columns.append(
            {key: value for key, value in zip(COLUMN_PARTS, parts, strict=False) if value}
        )
        columns[-1].setdefault("name", "")
    return columns


def columns_as_text(columns: list[dict[str, str]]) -> str:
    return "\n".join(
        " | ".join(column.get(key) or "" for key in COLUMN_PARTS).rstrip(" |") for column in columns
    )


def _license(form, raw: dict[str, Any]) -> None:
    """A license chosen from the list, or another one by its URL. A form without the list (an
    older page still open) sends the URL alone, which is taken as it is."""
    raw.pop("license_choice", None)
    if "license_choice" not in form:
        return
    choice = form.get("license_choice") or ""
    if choice in LICENSES:
        raw["license"] = choice
    elif choice == OTHER_LICENSE:
        raw["license"] = (form.get("license") or "").strip() or None
    else:
        raw["license"] = None


def distributions_from_form(form) -> list[dict[str, str]]:
    """The numbered distribution rows (`distributions-0-download_url`...), blank rows dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        if key.startswith("distributions-"):
            _, number, name = key.split("-", 2)
            if number.isdigit() and name in DISTRIBUTION_FIELDS:
                rows.setdefault(int(number), {})[name] = value
    return [row for _, row in sorted(rows.items()) if any(value.strip() for value in row.values())]


def with_distribution_rows(form: dict[str, Any]) -> dict[str, Any]:
    """The form's rows: the record's distributions, then blank rows to add more."""
    rows = list(form.get("distributions") or [])
    return {**form, "distribution_rows": rows + [{} for _ in range(BLANK_DISTRIBUTION_ROWS)]}


def _period(form) -> str | None:
    """Two dates, or a first date and "ongoing", as an ISO 8601 interval. A period kept in
    another ISO form (set through the API) travels in `temporal` until dates replace it."""
    start = (form.get("temporal_start") or "").strip()
    end = (form.get("temporal_end") or "").strip()
    ongoing = "temporal_ongoing" in form
    if not (start or end or ongoing):
        return form.get("temporal") or None
    if ongoing and not end:
        return f"{start}{ONGOING}"
    return f"{start}/{end}"


def _period_fields(temporal: str | None) -> dict[str, Any]:
    """The form's date fields for a stored period (or for what someone just typed)."""
    if not temporal:
        return {}
    start, _, end = temporal.partition("/")
    if end == ONGOING[1:] and (start == "" or DAY.fullmatch(start)):
        return {"temporal_start": start, "temporal_ongoing": True}
    if all(part == "" or DAY.fullmatch(part) for part in (start, end)):
        return {"temporal_start": start, "temporal_end": end}
    return {"temporal_other": temporal}


def record_to_form(record: dict[str, Any]) -> dict[str, Any]:
    """A DatasetOut dump (or a submitted raw mapping) as the form shows it."""
    form = dict(record)
    form.update(_period_fields(form.get("temporal")))
    if form.get("license_choice") is None and form.get("license"):
        known = form["license"] in LICENSES
        form["license_choice"] = form["license"] if known else OTHER_LICENSE
        form["license"] = "" if known else form["license"]
    for key in LIST_FIELDS:
        if isinstance(form.get(key), list):
            form[key] = ", ".join(form[key])
    if isinstance(form.get("data_columns"), list):
        form["data_columns"] = columns_as_text(form["data_columns"])
    return with_distribution_rows(form)

"""A Project Open Data v1.1 (DCAT-US) `data.json` read as a table, so that a portal's catalog (a
city's, a federal agency's, the registry's own) comes in through the same importer as a
spreadsheet: each POD field under the registry's own column header, and every other field kept
under its POD name as an additional field (nothing is lost).

accessLevel gives the classification: public is level 1, restricted public level 3, non-public
level 4. A portal's own identifier (a URL or a Socrata 4x4) is kept as the additional field
"Portal identifier"; one in the registry's own form updates or keeps that record's identifier."""

import json
import re
from typing import Any

from registry.transfer.datajson import PORTAL_IDENTIFIER

LEVELS = {"public": "public", "restricted public": "sensitive", "non-public": "restricted"}
OWN_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]{0,15}-[a-z0-9]{3,40}$")

# POD field -> the registry's column header (transfer.columns).
HEADERS = {
    "title": "Title",
    "description": "Description",
    "keyword": "Keywords",
    "theme": "Themes",
    "accrualPeriodicity": "Update frequency",
    "temporal": "Time period",
    "spatial": "Area covered",
    "landingPage": "Landing page",
    "describedBy": "Data dictionary",
    "license": "License",
    "language": "Languages",
    "issued": "Issued",
    "modified": "Last modified",
    "accessLevel": "Access level",
    "rights": "Legal basis",
}
# Read into other columns, or not kept (the catalog's own bookkeeping).
HANDLED = {"identifier", "publisher", "contactPoint", "distribution", "@type", "accessLevel"}
DISTRIBUTION = {
    "title": "title",
    "description": "description",
    "downloadURL": "download_url",
    "accessURL": "access_url",
    "mediaType": "media_type",
    "format": "format",
}


class NotACatalog(ValueError):
    """The file is not a POD catalog; the message says what it is instead."""


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def _row(entry: dict[str, Any]) -> dict[str, str]:
    row = {header: _text(entry.get(field)) for field, header in HEADERS.items()}
    identifier = _text(entry.get("identifier"))
    if OWN_IDENTIFIER.match(identifier):
        row["Identifier"] = identifier
    elif identifier:
        row[PORTAL_IDENTIFIER] = identifier  # the portal's: kept, never taken as the registry's
    row.update(_who(entry))
    access = _text(entry.get("accessLevel")).strip().lower()
    row["Classification"] = LEVELS.get(access, "")
    distributions = [
        {ours: item[theirs] for theirs, ours in DISTRIBUTION.items() if item.get(theirs)}
        for item in entry.get("distribution") or []
        if isinstance(item, dict)
    ]
    row["Distributions"] = json.dumps(distributions, ensure_ascii=False) if distributions else ""
    row["Publishing Status"] = "Published"  # a catalog lists what is released
    for field, value in entry.items():
        if field not in HEADERS and field not in HANDLED and value not in (None, "", []):
            row[field] = _text(value)
    return row


def _who(entry: dict[str, Any]) -> dict[str, str]:
    """The entry's publisher (the department) and contact point."""
    publisher = entry.get("publisher") or {}
    found = {
        "Department": _text(publisher.get("name") if isinstance(publisher, dict) else publisher)
    }
    contact = entry.get("contactPoint") or {}
    if isinstance(contact, dict):
        found["Contact name"] = _text(contact.get("fn"))
        found["Contact email"] = _text(contact.get("hasEmail")).removeprefix("mailto:")
    return found


def catalog_rows(data: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The catalog's datasets as (headers, numbered rows); each dataset is a "row" numbered by
    its place in the catalog (1 for the first), so problems point at it."""
    try:
        catalog = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotACatalog(f"This is not a JSON file ({exc}).") from None
    entries = catalog.get("dataset") if isinstance(catalog, dict) else None
    if not isinstance(entries, list):
        raise NotACatalog(
            "This JSON file is not a data.json catalog: it has no “dataset” list (Project Open "
            "Data v1.1)."
        )
    if not entries:
        raise NotACatalog("The catalog lists no datasets: there is nothing to import.")
    if len(entries) > max_rows:
        raise NotACatalog(
            f"The catalog has {len(entries):,} datasets; the registry imports up to "
            f"{max_rows:,} at a time."
        )
    rows = [_row(entry) for entry in entries if isinstance(entry, dict)]
    headers: list[str] = []
    for row in rows:
        headers += [header for header in row if header not in headers]
    table = [
        (number, [row.get(header, "") for header in headers])
        for number, row in enumerate(rows, start=1)
    ]
    return headers, table

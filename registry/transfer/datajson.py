"""The public catalog as a Project Open Data v1.1 (DCAT-US) `data.json`, written record by record
(never the whole catalog in memory), valid against the non-federal schema and the rules GSA's
validators add: unique identifiers, rights when not public, an ISO 8601 interval for temporal,
mailto: emails, a mediaType beside each downloadURL."""

import json
from datetime import date
from typing import IO, Any

from flask import current_app, has_app_context

from registry.datasets.vocab import AccessLevel
from registry.db import utctoday
from registry.transfer.columns import modified_of

CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
DISTRIBUTION_FIELDS = {
    "title": "title",
    "description": "description",
    "download_url": "downloadURL",
    "access_url": "accessURL",
    "media_type": "mediaType",
    "format": "format",
}


def publisher(name: str) -> dict[str, Any]:
    """A department as the catalog's publisher: a sub-organization of the city (CITY_NAME),
    as harvesters such as data.gov group an agency's offices."""
    entry: dict[str, Any] = {"@type": "org:Organization", "name": name}
    city = current_app.config.get("CITY_NAME") if has_app_context() else None
    if city and city != name:
        entry["subOrganizationOf"] = {"@type": "org:Organization", "name": city}
    return entry


def period(value: str | None, today: date) -> str | None:
    """An ongoing period ("start/..") is published as running up to today."""
    if not value:
        return None
    start, _, end = value.partition("/")
    return f"{start}/{today.isoformat()}" if end == ".." else value


# The additional field holding the identifier a record has in its city's portal (transfer.
# catalog_in keeps a data.json entry's there); at most one record holds each (transfer.imports).
PORTAL_IDENTIFIER = "Portal identifier"


def dataset_entry(
    record: dict[str, Any], departments: dict[str, str], today: date
) -> dict[str, Any]:
    """One record (a snapshot) as a POD dataset, its time period as of `today`."""
    entry = entry_of(record, departments)
    temporal = period(record.get("temporal"), today)
    if temporal:
        entry["temporal"] = temporal
    return entry


def entry_of(record: dict[str, Any], departments: dict[str, str]) -> dict[str, Any]:
    """One record (a snapshot) as a POD dataset but for its time period, which depends on the
    day (an ongoing period runs up to it)."""
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        # A record that came from a portal keeps that portal's identifier, so a harvester
        # such as data.gov sees the same dataset, not one deleted and another created.
        "identifier": (record.get("additional_fields") or {}).get(PORTAL_IDENTIFIER)
        or record["identifier"],
        "title": record["title"],
        "description": record.get("description") or record["title"],
        "keyword": record.get("keywords") or [],
        "modified": modified_of(record),
        "publisher": publisher(departments.get(record["department"], record["department"])),
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": record.get("contact_name") or departments.get(record["department"], "City"),
        },
        "accessLevel": record["access_level"],
    }
    if record.get("contact_email"):
        entry["contactPoint"]["hasEmail"] = "mailto:" + record["contact_email"]
    if record["access_level"] != AccessLevel.PUBLIC and record.get("rights"):
        entry["rights"] = record["rights"]
    entry.update(_optional_fields(record))
    return entry


# The record's fields a POD dataset carries when they hold a value, by POD name.
OPTIONAL_FIELDS = {
    "license": "license",
    "spatial": "spatial",
    "accrualPeriodicity": "update_frequency",
    "landingPage": "landing_page",
    "describedBy": "data_dictionary",
    "issued": "issued",
    "language": "language",
    "theme": "themes",
}


def _optional_fields(record: dict[str, Any]) -> dict[str, Any]:
    found = {pod: record.get(ours) for pod, ours in OPTIONAL_FIELDS.items() if record.get(ours)}
    distributions = [
        {
            "@type": "dcat:Distribution",
            **{pod: item[ours] for ours, pod in DISTRIBUTION_FIELDS.items() if item.get(ours)},
        }
        for item in record.get("distributions") or []
    ]
    if distributions:
        found["distribution"] = distributions
    return found


def entry_text(entry: str, temporal: str | None, today: date) -> str:
    """A dataset's entry as JSON text (as entry_of() gives it) with its time period for the
    day put in."""
    value = period(temporal, today)
    if value is None:
        return entry
    return entry[:-1] + ', "temporal": ' + json.dumps(value, ensure_ascii=False) + "}"


def write_catalog(sink: IO[bytes], batches, tally, context: dict[str, Any]) -> None:
    """Streams the catalog: its head, then each dataset (an export's line: its entry and time
    period are the 8th and 9th fields, rendered.ENTRY and TEMPORAL) as it is read, then its
    tail."""
    today = utctoday()
    base = context["base_url"].rstrip("/")
    head = {"@context": CONTEXT, "@type": "dcat:Catalog"}
    if base.startswith(("http://", "https://")):  # the catalog's own address, when known
        head["@id"] = f"{base}/data.json"
    head.update(conformsTo=CONFORMS_TO, describedBy=DESCRIBED_BY)
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "dataset": ['
    sink.write(opening.encode())
    first = True
    for batch in batches:
        tally.count(batch)
        text = ",\n".join([entry_text(line.entry, line.temporal, today) for line in batch.lines])
        sink.write(((",\n" if not first else "\n") + text).encode())
        first = False
    sink.write(b"\n]}\n")

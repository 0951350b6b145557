"""The public catalog in DCAT-US 3.0 JSON-LD, beside the v1.1 `data.json`: the same datasets and
distributions (each written from its v1.1 entry, so the two never disagree), shaped as GSA's
DCAT-US 3.0 schema definitions want them and as data.gov's harvester validates them, with a
JSON-LD context of the W3C vocabularies so that any RDF reader can take it in.

What DCAT-US 3.0 asks beyond v1.1, and where it comes from here:

- a contact point always has an email (vcard:hasEmail): the record's, or else its department's
  data contact, or else the program's own address (OPEN_DATA_EMAIL);
- a license belongs to each distribution (v1.1 has it on the dataset);
- languages are two-letter codes ("en-US" becomes "en"), time periods are a start and an end
  date, and the landing page and data dictionary are a document and a distribution.
"""

import json
from datetime import date
from typing import IO, Any

from registry.db import utctoday
from registry.transfer.datajson import entry_text

CONFORMS_TO = "https://resources.data.gov/dcat-us/3.0.0/"
CONTEXT = {
    "@vocab": "http://www.w3.org/ns/dcat#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Catalog": "dcat:Catalog",
    "Dataset": "dcat:Dataset",
    "Distribution": "dcat:Distribution",
    "Organization": "foaf:Organization",
    "Kind": "vcard:Kind",
    "Document": "foaf:Document",
    "PeriodOfTime": "dcterms:PeriodOfTime",
    "Location": "dcterms:Location",
    "Standard": "dcterms:Standard",
    "title": "dcterms:title",
    "description": "dcterms:description",
    "identifier": "dcterms:identifier",
    "modified": "dcterms:modified",
    "issued": "dcterms:issued",
    "publisher": {"@id": "dcterms:publisher"},
    "contactPoint": {"@id": "dcat:contactPoint"},
    "name": "foaf:name",
    "subOrganizationOf": {"@id": "org:subOrganizationOf"},
    "fn": "vcard:fn",
    "hasEmail": {"@id": "vcard:hasEmail", "@type": "@id"},
    "keyword": "dcat:keyword",
    "theme": "dcat:theme",
    "accessRights": "dcterms:accessRights",
    "rights": "dcterms:rights",
    "license": {"@id": "dcterms:license", "@type": "@id"},
    "accrualPeriodicity": "dcterms:accrualPeriodicity",
    "spatial": {"@id": "dcterms:spatial"},
    "prefLabel": "skos:prefLabel",
    "temporal": {"@id": "dcterms:temporal"},
    "startDate": "dcat:startDate",
    "endDate": "dcat:endDate",
    "language": "dcterms:language",
    "landingPage": {"@id": "dcat:landingPage"},
    "describedBy": {"@id": "http://resources.data.gov/ontology/dcat-us#describedBy"},
    "conformsTo": {"@id": "dcterms:conformsTo"},
    "dataset": {"@id": "dcat:dataset", "@container": "@set"},
    "distribution": {"@id": "dcat:distribution", "@container": "@set"},
    "accessURL": {"@id": "dcat:accessURL", "@type": "@id"},
    "downloadURL": {"@id": "dcat:downloadURL", "@type": "@id"},
    "mediaType": "dcat:mediaType",
    "format": "dcterms:format",
}
DISTRIBUTION_KEYS = ("title", "description", "accessURL", "downloadURL", "mediaType", "format")


def _organization(publisher: dict[str, Any]) -> dict[str, Any]:
    organization: dict[str, Any] = {"@type": "Organization", "name": publisher["name"]}
    parent = publisher.get("subOrganizationOf")
    if parent:
        organization["subOrganizationOf"] = [_organization(parent)]
    return organization


def _period(interval: str) -> list[dict[str, str]]:
    start, _, end = interval.partition("/")
    period = {"@type": "PeriodOfTime"}
    if start and not start.startswith("P"):
        period["startDate"] = start
    if end and not end.startswith("P"):
        period["endDate"] = end
    return [period] if len(period) > 1 else []


def _languages(codes) -> list[str]:
    found = []
    for code in codes if isinstance(codes, list) else [codes]:
        primary = str(code).split("-")[0].lower()
        if len(primary) == 2 and primary not in found:
            found.append(primary)
    return found


def _distribution(item: dict[str, Any], license_: str | None) -> dict[str, Any]:
    distribution = {"@type": "Distribution"} | {
        key: item[key] for key in DISTRIBUTION_KEYS if item.get(key)
    }
    if license_:
        distribution["license"] = license_
    return distribution


def _contact(entry: dict[str, Any], emails: dict[str, str], fallback: str | None) -> dict:
    given = entry["contactPoint"]
    email = given.get("hasEmail") or emails.get(entry["publisher"]["name"]) or fallback
    contact = {"@type": "Kind", "fn": given["fn"]}
    if email:
        contact["hasEmail"] = email if email.startswith("mailto:") else "mailto:" + email
    return contact


def dataset_of(entry: dict[str, Any], emails: dict[str, str], fallback: str | None) -> dict:
    """A v1.1 entry (datajson.entry_of, its time period put in) as a DCAT-US 3.0 dataset."""
    dataset: dict[str, Any] = {
        "@type": "Dataset",
        "identifier": entry["identifier"],
        "title": entry["title"],
        "description": entry["description"],
        "publisher": _organization(entry["publisher"]),
        "contactPoint": _contact(entry, emails, fallback),
        "modified": entry["modified"],
        "accessRights": entry["accessLevel"],
    }
    for key in ("keyword", "theme", "issued", "accrualPeriodicity"):
        if entry.get(key):
            dataset[key] = entry[key]
    if entry.get("rights"):
        dataset["rights"] = [entry["rights"]]
    if entry.get("spatial"):
        dataset["spatial"] = {"@type": "Location", "prefLabel": entry["spatial"]}
    if entry.get("temporal") and (period := _period(entry["temporal"])):
        dataset["temporal"] = period
    if entry.get("language") and (languages := _languages(entry["language"])):
        dataset["language"] = languages
    if entry.get("landingPage"):
        page = entry["landingPage"]
        dataset["landingPage"] = {"@id": page, "@type": "Document", "title": entry["title"]}
    if entry.get("describedBy"):
        dictionary = {"@type": "Distribution", "title": "Data dictionary"}
        dataset["describedBy"] = dictionary | {"accessURL": entry["describedBy"]}
    distributions = [
        _distribution(item, entry.get("license")) for item in entry.get("distribution") or []
    ]
    if distributions:
        dataset["distribution"] = distributions
    return dataset


def write_catalog(sink: IO[bytes], batches, tally, context: dict[str, Any]) -> None:
    """Streams the catalog as data.json's writer does: its head, each dataset as it is read
    (from the line's v1.1 entry and time period), then its tail."""
    today: date = utctoday()
    base = context["base_url"].rstrip("/")
    city = context.get("city") or ""
    head: dict[str, Any] = {"@context": CONTEXT, "@type": "Catalog"}
    if base.startswith(("http://", "https://")):
        head["@id"] = f"{base}/catalog.jsonld"
    head["title"] = f"{city} open data catalog".strip() if city else "Open data catalog"
    if city:
        head["publisher"] = {"@type": "Organization", "name": city}
    head["conformsTo"] = {"@id": CONFORMS_TO, "@type": "Standard", "title": "DCAT-US 3.0"}
    emails, fallback = context.get("emails") or {}, context.get("open_data_email")
    sink.write((json.dumps(head, ensure_ascii=False)[:-1] + ', "dataset": [').encode())
    first = True
    for batch in batches:
        tally.count(batch)
        entries = [json.loads(entry_text(line.entry, line.temporal, today)) for line in batch.lines]
        text = ",\n".join(
            json.dumps(dataset_of(entry, emails, fallback), ensure_ascii=False) for entry in entries
        )
        if text:
            sink.write(((",\n" if not first else "\n") + text).encode())
            first = False
    sink.write(b"\n]}\n")

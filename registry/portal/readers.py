"""Each kind of portal, read into the same description of its datasets (PortalItem): a
DCAT-US v1.1 data.json (which Socrata, CKAN, ArcGIS Hub and DKAN all publish), CKAN's action API
(`package_search`, paged with rows and start) and Socrata's Discovery API (`/api/catalog/v1`,
paged with limit and offset), as their public documentation describes them."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from registry.portal.fetch import PortalUnreadable, Reach, get_json

PAGE_SIZE = 100
MAX_ITEMS = 50_000


@dataclass
class PortalItem:
    external_id: str
    title: str
    description: str | None = None
    landing_page: str | None = None
    license: str | None = None
    contact_email: str | None = None
    publisher: str | None = None
    modified: date | None = None
    downloads: list[str] = field(default_factory=list)


def day_of(value: Any) -> date | None:
    """A date from an ISO 8601 date or date-time, as portals write them; None otherwise."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def _email(value: Any) -> str | None:
    text = str(value or "").removeprefix("mailto:").strip()
    return text[:254] if "@" in text else None


def _with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {key: str(value) for key, value in params.items()}
    return urlunsplit(parts._replace(query=urlencode(query)))


# data.json -------------------------------------------------------------------------------------


def _pod_item(entry: dict[str, Any]) -> PortalItem | None:
    identifier, title = entry.get("identifier"), entry.get("title")
    if not identifier or not title:
        return None
    downloads = [
        item.get("downloadURL") or item.get("accessURL")
        for item in entry.get("distribution") or []
        if isinstance(item, dict) and (item.get("downloadURL") or item.get("accessURL"))
    ]
    contact = entry.get("contactPoint") if isinstance(entry.get("contactPoint"), dict) else {}
    publisher = entry.get("publisher") if isinstance(entry.get("publisher"), dict) else {}
    return PortalItem(
        external_id=str(identifier)[:500],
        title=str(title)[:500],
        description=_text(entry.get("description"), 20_000),
        landing_page=_text(entry.get("landingPage"), 2000),
        license=_text(entry.get("license"), 500),
        contact_email=_email(contact.get("hasEmail")),
        publisher=_text(publisher.get("name"), 300),
        modified=day_of(entry.get("modified")),
        downloads=[str(url)[:2000] for url in downloads],
    )


def read_datajson(url: str, reach: Reach) -> Iterator[PortalItem]:
    catalog = get_json(url, reach)
    if not isinstance(catalog, dict) or not isinstance(catalog.get("dataset"), list):
        raise PortalUnreadable(f"{url} is not a data.json catalog (it has no dataset list).")
    for entry in catalog["dataset"][:MAX_ITEMS]:
        if isinstance(entry, dict) and (item := _pod_item(entry)):
            yield item


# CKAN ------------------------------------------------------------------------------------------


def ckan_endpoint(url: str) -> str:
    """The site's package_search, from the site's address or the action's own."""
    if urlsplit(url).path.rstrip("/").endswith("/package_search"):
        return url
    return url.rstrip("/") + "/api/3/action/package_search"


def _ckan_modified(package: dict[str, Any], resources: list[dict[str, Any]]) -> date | None:
    """When the data last changed: its newest resource's, else the package's metadata."""
    days = [day for day in (day_of(r.get("last_modified")) for r in resources) if day]
    return max(days) if days else day_of(package.get("metadata_modified"))


def _ckan_item(site: str, package: dict[str, Any]) -> PortalItem | None:
    name = package.get("title") or package.get("name")
    if not package.get("id") or not name:
        return None
    resources = [r for r in package.get("resources") or [] if isinstance(r, dict)]
    organization = package.get("organization")
    publisher = organization.get("title") if isinstance(organization, dict) else None
    return PortalItem(
        external_id=str(package["id"])[:500],
        title=str(name)[:500],
        description=_text(package.get("notes"), 20_000),
        landing_page=f"{site}/dataset/{package.get('name') or package['id']}",
        license=_text(package.get("license_url") or package.get("license_title"), 500),
        contact_email=_email(package.get("maintainer_email") or package.get("author_email")),
        publisher=_text(publisher, 300),
        modified=_ckan_modified(package, resources),
        downloads=[str(r["url"])[:2000] for r in resources if r.get("url")],
    )


def read_ckan(url: str, reach: Reach) -> Iterator[PortalItem]:
    endpoint = ckan_endpoint(url)
    parts = urlsplit(endpoint)
    site = f"{parts.scheme}://{parts.netloc}"
    start = 0
    while start < MAX_ITEMS:
        answer = get_json(_with_query(endpoint, rows=PAGE_SIZE, start=start), reach)
        result = answer.get("result") if isinstance(answer, dict) else None
        if not answer.get("success") or not isinstance(result, dict):
            raise PortalUnreadable(f"{endpoint} did not answer as CKAN's package_search does.")
        packages = result.get("results") or []
        for package in packages:
            if isinstance(package, dict) and (item := _ckan_item(site, package)):
                yield item
        start += len(packages)
        if not packages or start >= int(result.get("count") or 0):
            return


# Socrata ---------------------------------------------------------------------------------------


def _socrata_item(found: dict[str, Any]) -> PortalItem | None:
    resource = found.get("resource") if isinstance(found.get("resource"), dict) else {}
    if not resource.get("id") or not resource.get("name"):
        return None
    metadata = found.get("metadata") if isinstance(found.get("metadata"), dict) else {}
    link = found.get("permalink") or found.get("link")
    return PortalItem(
        external_id=str(resource["id"])[:500],
        title=str(resource["name"])[:500],
        description=_text(resource.get("description"), 20_000),
        landing_page=_text(link, 2000),
        license=_text(metadata.get("license"), 500),
        contact_email=_email(resource.get("contact_email")),
        publisher=_text(resource.get("attribution"), 300),
        modified=day_of(resource.get("data_updated_at") or resource.get("updatedAt")),
        downloads=[],
    )


def read_socrata(url: str, reach: Reach) -> Iterator[PortalItem]:
    offset = 0
    while offset < MAX_ITEMS:
        answer = get_json(_with_query(url, limit=PAGE_SIZE, offset=offset), reach)
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise PortalUnreadable(f"{url} did not answer as Socrata's catalog API does.")
        for found in results:
            if isinstance(found, dict) and (item := _socrata_item(found)):
                yield item
        offset += len(results)
        if not results or offset >= int(answer.get("resultSetSize") or 0):
            return


READERS = {"datajson": read_datajson, "ckan": read_ckan, "socrata": read_socrata}


def read_portal(kind: str, url: str, reach: Reach) -> list[PortalItem]:
    """Every dataset the portal lists, all read before anything is kept (a reading that fails
    half-way keeps nothing of it)."""
    items: dict[str, PortalItem] = {}
    for item in READERS[kind](url, reach):
        items.setdefault(item.external_id, item)
    return list(items.values())

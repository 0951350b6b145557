"""The public face: the catalog of published datasets and their pages (with schema.org markup),
the public inventory, and Atom feeds of new releases. Every page here reads as a visitor who is
not signed in would, whoever asks: the catalog is the same for everyone."""

import json
from collections import Counter
from datetime import UTC, datetime, time

from flask import Blueprint, abort, current_app, make_response, render_template, request
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.accounts.models import Department
from registry.accounts.services import list_departments
from registry.dashboard.counts import counted, released_facets, search_examples
from registry.datasets import documents, facets, search
from registry.datasets.listing_schemas import LISTING_QUERY
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.services import city_priority_names
from registry.datasets.visibility import RELEASABLE, VISITOR, readable_by
from registry.datasets.vocab import FORMAT_NAMES, LICENSES, Classification
from registry.db import utctoday
from registry.derived import RECORDS
from registry.extensions import db
from registry.memo import remembered
from registry.performance.models import CityPriority
from registry.reviews import services as reviews
from registry.reviews.workflow import State
from registry.web.caching import cacheable
from registry.web.links import absolute_url
from registry.web.paging import paginate

public = Blueprint("public", __name__)

FEED_SIZE = 50
# The orders a resident picks from (best match only when there are words to match).
CATALOG_SORTS = {
    "relevance": "Best match",
    "-released": "Newest release",
    "-updated": "Recently updated",
    "title": "Title A to Z",
}
CATALOG_FACETS = ("department", "theme", "format", "keyword", "license")


@public.get("/catalog")
@cacheable
def catalog():
    errors = {}
    try:
        criteria = LISTING_QUERY.load(request.args.to_dict())
    except ValidationError as exc:
        errors, criteria = exc.messages, LISTING_QUERY.load({})
    criteria.pop("facets", None)
    if criteria.get("sort") not in CATALOG_SORTS:
        criteria["sort"] = None
    result = search.find_datasets(
        VISITOR, criteria, facets=CATALOG_FACETS, counted=_kept_counts(criteria)
    )
    departments = {department.code: department.name for department in list_departments()}
    return render_template(
        "catalog/catalog.html",
        result=result,
        criteria=criteria,
        errors=errors,
        departments=departments,
        city_priorities=city_priority_names(),
        search_examples=search_examples(),
        sorts=CATALOG_SORTS,
        licenses=LICENSES,
        format_names=FORMAT_NAMES,
    ), (422 if errors else 200)


def _kept_counts(criteria: dict) -> tuple[int, dict[str, dict[str, int]]] | None:
    """The whole catalog's counts as kept where they change; None once a search or a filter
    narrows the catalog, whose counts are then counted over what matches."""
    if any(value for name, value in criteria.items() if name not in search.NOT_COUNTED):
        return None
    return released_facets(facets.SHOWN)


def published_record(identifier: str) -> Dataset:
    """A published record anyone may read; anything else is not found, exactly alike."""
    # The rule is asked in the query, so that an unreadable record is never loaded: its 404
    # costs what a missing one's does, and the time taken tells nothing.
    dataset = db.session.scalar(
        select(Dataset).where(Dataset.identifier == identifier, readable_by(VISITOR))
    )
    if dataset is None:
        abort(404)
    return dataset


def releasing_decision(dataset: Dataset):
    """The committee's decision that released the record, as the public may read it."""
    for decision in reviews.decisions(dataset):
        if decision.outcome == "approve" and reviews.decision_readable(VISITOR, dataset, decision):
            return decision
    return None


def schema_org(dataset: Dataset) -> str:
    """The record as a schema.org Dataset in JSON-LD, for search engines (Google's dataset
    search reads it); escaped so that nothing in it can close the script element."""
    contact = None
    if dataset.contact_email or dataset.contact_name:
        contact = {"@type": "ContactPoint", "name": dataset.contact_name}
        if dataset.contact_email:
            contact["email"] = dataset.contact_email
    document = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "identifier": dataset.identifier,
        "url": absolute_url("public.dataset_page", identifier=dataset.identifier),
        "keywords": dataset.keywords or [],
        "license": dataset.license,
        "isAccessibleForFree": True,
        "creator": {"@type": "GovernmentOrganization", "name": dataset.department.name},
        "contactPoint": contact,
        "temporalCoverage": dataset.temporal,
        "spatialCoverage": dataset.spatial,
        "dateModified": (dataset.modified or dataset.updated_at.date()).isoformat(),
        "datePublished": dataset.published_on.isoformat() if dataset.published_on else None,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": item.get("title"),
                "encodingFormat": item.get("media_type") or item.get("format"),
                "contentUrl": item.get("download_url") or item.get("access_url"),
            }
            for item in dataset.distributions or []
        ],
    }
    cleaned = {key: value for key, value in document.items() if value not in (None, [], "")}
    text = json.dumps(cleaned, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@public.get("/catalog/<identifier>")
@cacheable
def dataset_page(identifier: str):
    dataset = published_record(identifier)
    return render_template(
        "catalog/dataset.html",
        dataset=dataset,
        decision=releasing_decision(dataset),
        json_ld=schema_org(dataset),
        citation=citation(dataset),
    )


def citation(dataset: Dataset) -> str:
    """A line to cite the record by, after the common data citation form: who, when, what,
    where (and when it was read, which the reader adds)."""
    city = current_app.config.get("CITY_NAME") or dataset.department.name
    year = (dataset.published_on or dataset.updated_at.date()).year
    address = absolute_url("public.dataset_page", identifier=dataset.identifier)
    return f"{city}, {dataset.department.name}. ({year}). {dataset.title} [Data set]. {address}"


# The public inventory ---------------------------------------------------------------------

# What a visitor reads for each state of a record at levels 1 to 3.
PLAIN_STATUS = {
    State.DRAFT: "Being described by its department",
    State.SUBMITTED: "Under review",
    State.IN_COMMITTEE: "Under review by the governance committee",
    State.CHANGES_REQUESTED: "Under review: the department is making changes",
    State.APPROVED: "Planned for release",
    State.PUBLISHED: "Released",
    State.REJECTED: "Not for release",
    State.RETIRED: "Retired from the catalog",
}
STATUS_FILTERS = {
    "review": [State.DRAFT, State.SUBMITTED, State.IN_COMMITTEE, State.CHANGES_REQUESTED],
    "planned": [State.APPROVED],
    "released": [State.PUBLISHED],
    "not_released": [State.REJECTED, State.RETIRED],
}
STATUS_FILTER_LABELS = {
    "review": "Under review",
    "planned": "Planned for release",
    "released": "Released",
    "not_released": "Not for release or retired",
}


def public_inventory_query(
    department: str | None,
    status: str | None,
    city_priority: str | None = None,
    terms: list[str] | None = None,
):
    """Every record at levels 1 to 3, whatever its state: the public inventory lists them (title,
    department, status and dates only; a record's page is public once it is released). Words
    are searched in titles alone, since nothing else of an unreleased record is shown."""
    query = select(Dataset).where(Dataset.classification.in_(RELEASABLE))
    if terms:
        query = query.where(Dataset.id.in_(documents.in_titles(terms)))
    if department:
        query = query.where(Dataset.department.has(code=department))
    if city_priority:
        query = query.where(Dataset.supports.any(CityPriority.name == city_priority))
    if status in STATUS_FILTERS:
        query = query.where(Dataset.status.in_([str(s) for s in STATUS_FILTERS[status]]))
    return query.order_by(Dataset.title, Dataset.id)


def retirement_note(dataset: Dataset) -> str | None:
    """Why a record was retired, as the coordinator said when retiring it."""
    return db.session.scalar(
        select(DatasetVersion.note)
        .where(DatasetVersion.dataset_id == dataset.id, DatasetVersion.action == "retire")
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )


def why_not_released(dataset: Dataset) -> str | None:
    """For a record the committee decided not to release, or retired: the reason on record, as
    the public may read it."""
    if dataset.status == State.RETIRED:
        return retirement_note(dataset)
    if dataset.status != State.REJECTED:
        return None
    for decision in reviews.decisions(dataset):
        if decision.outcome == "reject" and reviews.decision_readable(VISITOR, dataset, decision):
            return decision.rationale
    return "The governance committee decided it is not to be released."


@public.get("/inventory")
@cacheable
def inventory():
    department = (request.args.get("department") or "").upper() or None
    status = request.args.get("status") if request.args.get("status") in STATUS_FILTERS else None
    city_priority = request.args.get("city_priority") or None
    q = (request.args.get("q") or "").strip()[:200]
    terms = documents.search_terms(q)
    query = public_inventory_query(department, status, city_priority, terms)
    # The counts are the counts kept as records change (catalog.counts); a city priority's
    # is counted (and kept until the inventory changes: registry.memo).
    kinds = counted()
    codes = dict(db.session.execute(select(Department.id, Department.code)).tuples().all())
    if city_priority or terms:
        total = lambda: remembered(  # noqa: E731
            ("public-inventory", department, status, city_priority, tuple(terms)),
            lambda: db.session.scalar(select(func.count()).select_from(query.subquery())),
            over=RECORDS,
        )
    else:
        total = lambda: _listed(kinds, codes, department, status)  # noqa: E731
    page = paginate(query, total=total)
    restricted, totals = _inventory_counts(kinds, codes)
    names = {item.code: item.name for item in list_departments()}
    return render_template(
        "catalog/inventory.html",
        page=page,
        department=department,
        status=status,
        departments=names,
        restricted=restricted,
        totals=totals,
        plain_status=PLAIN_STATUS,
        status_filters=STATUS_FILTER_LABELS,
        city_priority=city_priority,
        city_priorities=city_priority_names(),
        q=q,
        reasons={record.id: why_not_released(record) for record in page.items},
        today=utctoday(),
    )


def _listed(kinds, codes, department: str | None, status: str | None) -> int:
    """How many records the inventory lists for these filters, from the counts kept."""
    statuses = [str(s) for s in STATUS_FILTERS[status]] if status else None
    return sum(
        kind[-1]
        for kind in kinds
        if kind[1] in RELEASABLE
        and (department is None or codes[kind[0]] == department)
        and (statuses is None or kind[2] in statuses)
    )


def _inventory_counts(kinds, codes) -> tuple[dict, dict[str, int]]:
    """The restricted records per department (a visitor reads none), and every record per
    department, from the counts kept as records change."""
    restricted: Counter = Counter()
    totals: Counter = Counter()
    for department, classification, *_, count in kinds:
        totals[codes[department]] += count
        if classification == Classification.RESTRICTED:
            restricted[codes[department]] += count
    return dict(restricted), dict(totals)


# Feeds ------------------------------------------------------------------------------------


def _released(department_id: int | None = None) -> list[Dataset]:
    query = select(Dataset).where(
        Dataset.status == str(State.PUBLISHED),
        Dataset.classification.in_(RELEASABLE),
    )
    if department_id is not None:
        query = query.where(Dataset.department_id == department_id)
    query = query.order_by(Dataset.published_on.desc(), Dataset.id.desc()).limit(FEED_SIZE)
    return list(db.session.scalars(query))


def _feed(entries: list[Dataset], title: str, self_url: str):
    def moment(record: Dataset) -> datetime:
        return datetime.combine(record.published_on, time(12), tzinfo=UTC)

    updated = max((moment(record) for record in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    body = render_template(
        "catalog/feed.xml",
        entries=[(record, moment(record)) for record in entries],
        title=title,
        self_url=self_url,
        updated=updated,
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


@public.get("/feeds/released.atom")
@cacheable
def released_feed():
    return _feed(_released(), "Newly released datasets", absolute_url("public.released_feed"))


@public.get("/feeds/departments/<code>.atom")
@cacheable
def department_feed(code: str):
    department = db.session.scalar(select(Department).where(Department.code == code.upper()))
    if department is None:
        abort(404)
    return _feed(
        _released(department.id),
        f"Newly released datasets: {department.name}",
        absolute_url("public.department_feed", code=department.code),
    )

"""What the coordinator does about drift, one portal dataset at a time: add a dataset released
straight to a portal to the registry (as released, in one step, through the importer that reads
a data.json), and settle a difference in its description by taking either side: the portal's
value edits the record as any edit does (versioned, audited, a re-review where it changes
governance); the registry's is kept, and the difference is not shown again until the portal's
value changes. Services flush; callers commit."""

import hashlib
import json
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select

from registry.accounts.models import Department
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.errors import NotFound, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.portal.drift import COMPARED, differences
from registry.portal.history import remember
from registry.portal.models import PortalEntry
from registry.reviews.rereview import edit_dataset
from registry.transfer.catalog_in import catalog_rows
from registry.transfer.imports import run_import
from registry.transfer.workbooks import Table
from registry.validation import InputSchema, load_input, raise_for

SIDES = ("portal", "registry")
FIELD_WORDS = {
    "title": "title",
    "description": "description",
    "license": "license",
    "contact_email": "contact email",
}


class ImportIn(InputSchema):
    # Not `required`: a missing choice is said in the service's words, which a button's page
    # shows alone (web.forms.refused_back_to), without the field's name.
    department = fields.String(load_default=None, validate=validate.Length(max=20))


class SettleIn(InputSchema):
    field = fields.String(
        required=True,
        validate=validate.OneOf(
            list(COMPARED), error=f"Choose one of: {', '.join(FIELD_WORDS.values())}."
        ),
    )
    side = fields.String(
        required=True,
        validate=validate.OneOf(SIDES, error="Choose the portal's value or the registry's."),
    )


def _entry(entry_id: int, actor) -> PortalEntry:
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Only a coordinator acts on what the portals say.")
    entry = db.session.get(PortalEntry, entry_id)
    if entry is None:
        raise NotFound("There is no such portal dataset.")
    return entry


def as_catalog_entry(entry: PortalEntry) -> dict[str, Any]:
    """The portal dataset as a data.json (DCAT-US v1.1) entry says it: what the portal was read
    for, listed as public (a portal lists what it released)."""
    pod: dict[str, Any] = {
        "identifier": entry.external_id,
        "title": entry.title,
        "description": entry.description or entry.title,
        "accessLevel": "public",
        "modified": entry.modified.isoformat() if entry.modified else None,
        "landingPage": entry.landing_page,
        "license": entry.license,
        "distribution": [{"downloadURL": url} for url in entry.downloads or []],
    }
    if entry.contact_email:
        pod["contactPoint"] = {"hasEmail": f"mailto:{entry.contact_email}"}
    return {name: value for name, value in pod.items() if value not in (None, "", [])}


def import_entry(entry_id: int, raw: dict[str, Any], *, actor) -> str:
    """Registers a dataset a portal lists and the registry lacks, under the department chosen
    (ImportIn), as released before the registry; returns the new record's identifier. Refused
    with the reason, and nothing written, when it is matched already or the importer refuses
    it."""
    entry = _entry(entry_id, actor)
    data, errors = load_input(ImportIn(), raw)
    code = (data.get("department") or "").strip().upper()
    if not code and "department" not in errors:
        errors["department"] = ["Choose the department that keeps this dataset."]
    elif code and db.session.scalar(select(Department.id).where(Department.code == code)) is None:
        errors.setdefault("department", []).append(f"There is no department with the code {code}.")
    if entry.dataset_id is not None:
        known = entry.dataset.identifier
        errors["entry"] = [f"“{entry.title}” is already the record {known}."]
    raise_for(errors)
    catalog = json.dumps({"dataset": [as_catalog_entry(entry)]}).encode()
    headers, rows = catalog_rows(catalog, 1)
    report = run_import(
        Table("portal", headers, rows),
        actor=actor,
        department=code,
        dry_run=False,
        digest=hashlib.sha256(catalog).hexdigest(),
        as_published=True,
    )
    problems = [problem.message for problem in report.problems]
    problems += [f"It repeats the record {identifier}." for _, identifier, _ in report.repeated]
    problems += [why for _, why in report.not_released]
    if problems or not report.created:
        raise_for({}, {"entry": problems or ["The importer registered nothing."]})
    identifier = report.created[0]
    entry.dataset_id = db.session.scalar(select(Dataset.id).where(Dataset.identifier == identifier))
    entry.matched_by, entry.confirmed = "confirmed", True
    db.session.flush()
    remember([(entry.dataset_id, entry.modified)])
    record_event(
        Tag.PORTAL_IMPORT,
        actor=actor,
        subject_type="dataset",
        subject_id=identifier,
        details={"portal": entry.source_id, "portal_dataset": entry.external_id},
    )
    return identifier


def settle(entry_id: int, raw: dict[str, Any], *, actor) -> PortalEntry:
    """Takes one side of a difference (SettleIn): the portal's value edits the record; the
    registry's is kept, with the portal's value it was kept against."""
    entry = _entry(entry_id, actor)
    data, errors = load_input(SettleIn(), raw)
    field, side = data.get("field"), data.get("side")
    record = entry.dataset
    if record is None:
        errors["entry"] = [f"“{entry.title}” is not a record in the registry: add it first."]
    elif not errors and field not in differences(entry, record):
        errors["field"] = [f"The {FIELD_WORDS[field]} does not differ (any more)."]
    raise_for(errors)
    theirs = getattr(entry, field)
    if side == "portal":
        edit_dataset(record, {field: theirs}, actor=actor, expected_version=record.version)
    else:
        entry.settled = {**(entry.settled or {}), field: theirs}
    db.session.flush()
    record_event(
        Tag.PORTAL_SETTLE,
        actor=actor,
        subject_type="dataset",
        subject_id=record.identifier,
        details={
            "portal_dataset": entry.external_id,
            "field": field,
            "kept": side,
            "portal_value": theirs,
        },
    )
    return entry

"""What a city had released before it adopted the registry stays released: an import asked to
(`--as-published`, a coordinator's choice on the import page) records each row its source marks
as published, and whose level allows release, as released before the registry, as of the date
the source gives, audited as such (reviews.services.record_prior_release). A restricted row, or
one whose classification is still to confirm, is never published by an import: the import says
which rows will not be and why."""

from datetime import date
from typing import Any

from registry.datasets.governance import TO_CONFIRM
from registry.datasets.models import Dataset
from registry.datasets.visibility import RELEASABLE
from registry.errors import PermissionDenied
from registry.permissions import Permission, has_permission
from registry.reviews.services import record_prior_release
from registry.transfer.headers import day_text, squash

# Columns that say whether a dataset is out already, and the words that say it is.
STATUS_HEADERS = frozenset(
    {"publishingstatus", "publicationstatus", "status", "published", "releasestatus", "released"}
)
PUBLISHED_WORDS = frozenset({"published", "yes", "y", "true", "released", "live", "online"})
NOT_PUBLISHED_WORDS = frozenset(
    {
        "notpublished",
        "unpublished",
        "no",
        "n",
        "false",
        "scheduled",
        "planned",
        "inprogress",
        "pending",
        "draft",
        "notreleased",
        "notyetpublished",
        "underreview",
        "notstarted",
    }
)
# The pseudo-field a person maps a status word to (transfer.mapping): published or not.
STATUS = "publishing_status"
# Columns that say when, besides the record's own issued date.
DATE_HEADERS = frozenset({"datepublished", "firstpublished", "publisheddate", "releasedate"})
# What a data.json import writes for every entry: the catalog lists what is released.
CATALOG_STATUS = ("Publishing Status", "Published")


def check_may_record_releases(actor) -> None:
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Only a coordinator records releases made before the registry.")


def published_at_source(extras: dict[str, str], choices=None) -> bool:
    """Whether the row's status column says the dataset is out, in the registry's words or
    as the person mapped the file's own (`choices`, a transfer.mapping.Choices)."""
    for header, value in extras.items():
        if squash(header) not in STATUS_HEADERS:
            continue
        mapped = choices.value_of(STATUS, value) if choices is not None else None
        if (mapped == "published") if mapped is not None else squash(value) in PUBLISHED_WORDS:
            return True
    return False


def _release_date(record: Dataset, extras: dict[str, str]) -> date | None:
    for header, value in extras.items():
        if squash(header) in DATE_HEADERS:
            try:
                return date.fromisoformat(day_text(value))
            except ValueError:
                continue
    return record.issued


def keep_released(
    record: Dataset, extras: dict[str, Any], *, actor, source: str, choices=None
) -> str | None:
    """Records the row's release if its source says it is out and its level allows; returns
    why not otherwise (None when it was recorded, or when the source does not say so)."""
    if not published_at_source(extras, choices):
        return None
    if TO_CONFIRM in record.attention:
        return "published at its source, but its classification is to confirm: kept as a draft"
    if record.classification not in RELEASABLE:
        return "published at its source, but restricted: kept as a draft"
    record_prior_release(
        record, actor=actor, published_on=_release_date(record, extras), source=source
    )
    return ""

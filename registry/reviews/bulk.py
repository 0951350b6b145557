"""Edits of many records at once from a work list: each one the edit a person would make on
the record's own page (edit_dataset: checked, versioned, audited), all in one transaction, so
that either every chosen record changes or none does."""

from marshmallow import ValidationError

from registry.datasets.permissions import can_edit_dataset
from registry.datasets.services import get_readable
from registry.errors import PermissionDenied
from registry.labels import error_lines
from registry.notifications.services import notify
from registry.reviews.rereview import edit_dataset

MOST_AT_ONCE = 100


def assign_steward(identifiers: list[str], steward: str, *, actor) -> int:
    """Makes `steward` (an email) the steward of each chosen record; records they look after
    already are left as they are. Returns how many changed. Any record refused refuses all,
    with its title in the message."""
    if not identifiers:
        raise ValidationError({"steward": ["Choose at least one record."]})
    if len(identifiers) > MOST_AT_ONCE:
        raise ValidationError({"steward": [f"Choose at most {MOST_AT_ONCE} records at once."]})
    if not steward:
        raise ValidationError({"steward": ["Choose the steward."]})
    changed = []
    for identifier in dict.fromkeys(identifiers):
        record = get_readable(identifier, actor)
        if not can_edit_dataset(actor, record):
            raise PermissionDenied(f"You may not edit “{record.title}”.")
        if record.steward is not None and record.steward.email == steward.lower():
            continue
        try:
            edit_dataset(record, {"steward": steward, "version": record.version}, actor=actor)
        except ValidationError as exc:
            lines = error_lines(exc.messages)
            raise ValidationError(
                {"steward": [f"{record.title}: {line}" for line in lines]}
            ) from exc
        changed.append(record)
    if changed:
        _tell_the_steward(changed[0].steward, changed, actor)
    return len(changed)


def _tell_the_steward(steward, records: list, actor) -> None:
    titles = ", ".join(f"“{record.title}”" for record in records[:10])
    more = f" and {len(records) - 10} more" if len(records) > 10 else ""
    notify(
        [steward],
        f"You look after {len(records)} more record{'' if len(records) == 1 else 's'}",
        f"{actor.name} made you the steward of {titles}{more}.",
        link=f"/datasets/{records[0].identifier}" if len(records) == 1 else "/work",
        kind="Stewardship",
    )

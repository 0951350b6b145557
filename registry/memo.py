"""Answers computed from the whole inventory (the dashboard's figures, the release queue's
order), kept in each app process until the inventory changes.

Every change that matters writes an audit event in its own transaction, so the audit chain's
head (its sequence number and hash, which no two states share) names the state of everything
these answers read: an answer is kept with the head it was computed at, and holds while the
events since are only sign-ins and audited reads (a short range read off the sequence's
index); any other event means a change, and the next request computes afresh. Answers that
also depend on the clock take the moment they are good for as part of their key, and say
until when they are good, so that a past hour's answers are let go when the next answer is
computed, not kept (and their memory held) until newer ones push them out. Nothing kept
here depends on who asks: callers keep only what is the same for every reader of a class, and
apply visibility to what they show.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select

from registry.audit.models import AuditChainHead, AuditEvent
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.extensions import db

T = TypeVar("T")
SIZE = 64


# Events that change nothing these answers read: signing in and out, and audited reads.
UNCHANGING = tuple(
    str(tag)
    for tag in (
        Tag.SIGN_IN,
        Tag.SIGN_IN_FAILURE,
        Tag.SIGN_IN_THROTTLED,
        Tag.SIGN_OUT,
        Tag.DATASET_READ_RESTRICTED,
        Tag.AUDIT_READ,
        Tag.EXPORT,
    )
)


class Memo:
    def __init__(self, size: int = SIZE) -> None:
        self.size, self.kept, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], until: datetime | None = None) -> T:
        head = db.session.get(AuditChainHead, 1)
        with self.lock:
            found = self.kept.get(key)
        if found is not None and self._still_true(found, head):
            with self.lock:
                self.kept[key] = (head.seq, head.hash, found[2], until)
                self.kept.move_to_end(key)
            return found[2]
        # Answers no one will ask for again go before a new one is computed, so that its
        # memory takes their place rather than adding to it.
        self.drop_expired(utcnow())
        value = compute()
        with self.lock:
            self.kept[key] = (head.seq, head.hash, value, until)
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return value

    def drop_expired(self, now: datetime) -> None:
        with self.lock:
            for key in [key for key, found in self.kept.items() if found[3] and found[3] <= now]:
                del self.kept[key]

    @staticmethod
    def _still_true(found: tuple, head) -> bool:
        """Whether an answer kept at an earlier head still holds: the events since are only
        sign-ins and audited reads (which every page view of staff may add)."""
        seq, hash_ = found[:2]
        if (seq, hash_) == (head.seq, head.hash):
            return True
        if seq > head.seq:
            return False  # another state altogether (a test's rolled-back data, a restore)
        kept_event = select(AuditEvent.hash).where(AuditEvent.seq == seq) if seq else None
        if kept_event is not None and db.session.scalar(kept_event) != hash_:
            return False
        changes = select(func.count()).where(
            AuditEvent.seq > seq, AuditEvent.seq <= head.seq, AuditEvent.tag.not_in(UNCHANGING)
        )
        return db.session.scalar(changes) == 0


def for_the_hour(moment: datetime) -> tuple[datetime, datetime | None]:
    """The hour a moment falls in, for a key, and until when an answer for it is asked for:
    the hour's end if it is still to come, for ever (None) for an hour gone by (an as-of
    reading of the past, which no change can alter)."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    end = hour + timedelta(hours=1)
    return hour, (end if end > utcnow() else None)


def remembered(key: Hashable, compute: Callable[[], Any], until: datetime | None = None) -> Any:
    """`compute()`, or what it gave for `key` at the same state of the inventory. An answer
    good only `until` a moment (one for the current hour: the hour's end) is let go once the
    moment has passed, since its key is never asked for again."""
    memo = current_app.extensions.setdefault("registry_memo", Memo())
    return memo.get(key, compute, until)

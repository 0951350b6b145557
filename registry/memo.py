"""Answers computed from the whole inventory (the dashboard's figures, the release queue's
order), kept in each app process until the inventory changes.

Every change that matters writes an audit event in its own transaction, so the audit chain's
head (its sequence number and hash, which no two states share) names the state of everything
these answers read: an answer is kept under the head it was computed at, and a change moves
the head, so the next request computes afresh. Answers that also depend on the clock take the
moment they are good for as part of their key. Nothing kept here depends on who asks: callers
keep only what is the same for every reader, and apply visibility to what they show.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

from registry.audit.models import AuditChainHead
from registry.extensions import db

T = TypeVar("T")
SIZE = 64


class Memo:
    def __init__(self, size: int = SIZE) -> None:
        self.size, self.kept, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        head = db.session.get(AuditChainHead, 1)
        full = (head.seq, head.hash, key)
        with self.lock:
            if full in self.kept:
                self.kept.move_to_end(full)
                return self.kept[full]
        value = compute()
        with self.lock:
            self.kept[full] = value
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return value


def remembered(key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`, or what it gave for `key` at the same state of the inventory."""
    memo = current_app.extensions.setdefault("registry_memo", Memo())
    return memo.get(key, compute)

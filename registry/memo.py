"""Answers computed from the whole inventory that are still worth keeping in each app process
(the dashboard's figures, the report's plan, the listing's counts), kept until what they read
changes.

One rule says when that is (registry.derived): a generation that the session's flush events
move, in the same transaction, whenever anything of the models these answers read changes. An
answer is kept with the generation it was computed at and holds while the generation has not
moved (one indexed read). Answers that also depend on the clock take the moment they are good
for as part of their key, and say until when they are good, so that a past hour's answers are
let go when the next answer is computed, not kept (and their memory held) until newer ones push
them out. Nothing kept here depends on who asks: callers keep only what is the same for every
reader of a class, and apply visibility to what they show.

Measured (scripts/bench.py --mixed, docs/performance.md): with the queue's scores and the
dashboard's counts kept at write time, what is left here costs a reader tens of milliseconds
at 300,000 records when computed, against well under one when kept.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app

from registry.db import utcnow
from registry.derived import ANSWERS, generation

T = TypeVar("T")
SIZE = 64


class Memo:
    def __init__(self, size: int = SIZE) -> None:
        self.size, self.kept, self.lock = size, OrderedDict(), threading.Lock()

    def get(
        self,
        key: Hashable,
        compute: Callable[[], T],
        until: datetime | None = None,
        over: int = ANSWERS,
    ) -> T:
        current = generation(over)
        with self.lock:
            found = self.kept.get(key)
            if found is not None and found[0] == current:
                self.kept.move_to_end(key)
                return found[1]
        # Answers no one will ask for again go before a new one is computed, so that its
        # memory takes their place rather than adding to it.
        self.drop_expired(utcnow())
        value = compute()
        with self.lock:
            self.kept[key] = (current, value, until)
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return value

    def drop_expired(self, now: datetime) -> None:
        with self.lock:
            for key in [key for key, found in self.kept.items() if found[2] and found[2] <= now]:
                del self.kept[key]


def for_the_hour(moment: datetime) -> tuple[datetime, datetime | None]:
    """The hour a moment falls in, for a key, and until when an answer for it is asked for:
    the hour's end if it is still to come, for ever (None) for an hour gone by (an as-of
    reading of the past, which no change can alter)."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    end = hour + timedelta(hours=1)
    return hour, (end if end > utcnow() else None)


def remembered(
    key: Hashable,
    compute: Callable[[], Any],
    until: datetime | None = None,
    over: int = ANSWERS,
) -> Any:
    """`compute()`, or what it gave for `key` at the same state of what it reads, the
    generation `over` (registry.derived: ANSWERS, or RECORDS for counts of records alone). An
    answer good only `until` a moment (one for the current hour: the hour's end) is let go once
    the moment has passed, since its key is never asked for again."""
    memo = current_app.extensions.setdefault("registry_memo", Memo())
    return memo.get(key, compute, until, over)

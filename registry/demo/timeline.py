"""The demo city's two years, replayed in order: steps are scheduled at moments in the past and
run oldest first, each with the clock set to its moment (registry.db.clock_at), so that every
version, decision, vote and audit event carries the date it would have had, and the audit log
reads forward in time."""

import itertools
from collections.abc import Callable
from datetime import datetime

from registry.db import clock_at, utcnow


class Timeline:
    def __init__(self) -> None:
        self._steps: list[tuple[datetime, int, Callable[[], object]]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, step: Callable[[], object]) -> None:
        self._steps.append((moment, next(self._order), step))

    def run(self) -> None:
        """Every step, oldest first (steps at one moment in the order they were scheduled). A
        step takes real time, so the next never starts before the last one ended."""
        ended = None
        for moment, _order, step in sorted(self._steps, key=lambda item: item[:2]):
            with clock_at(max(moment, ended) if ended else moment):
                step()
                ended = utcnow()
        self._steps.clear()

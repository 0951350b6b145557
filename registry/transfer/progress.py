"""How far a long import or export from the command line has got: on a terminal, one line
redrawn in place (a bar, rows done of the total, the rate and the time left); otherwise (a log,
a pipe, cron) a plain line every so many rows, so that a log is not filled with redraws."""

import sys
import time
from typing import TextIO

WIDTH = 24


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Progress:
    """Called with (rows done, total); `total` may be an estimate, or None when unknown."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        every: int = 10_000,
        clock=time.monotonic,
    ) -> None:
        self.label, self.every, self.clock = label, every, clock
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.started = clock()
        self.reported = 0
        self.drawn = False

    def line(self, done: int, total: int | None) -> str:
        elapsed = self.clock() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        counted = f"{done:,} of {total:,} rows" if total else f"{done:,} rows"
        speed = f"{rate:,.0f} rows/s" if rate else ""
        if total and rate and done < total:
            left = f"about {_clock((total - done) / rate)} left"
        else:
            left = f"{_clock(elapsed)} so far"
        return "; ".join(part for part in (f"{self.label}: {counted}", speed, left) if part)

    def __call__(self, done: int, total: int | None = None) -> None:
        if self.terminal:
            share = min(1.0, done / total) if total else 0.0
            filled = int(share * WIDTH)
            bar = "[" + "#" * filled + "-" * (WIDTH - filled) + "] " if total else ""
            self.stream.write("\r\x1b[2K" + bar + self.line(done, total))
            self.stream.flush()
            self.drawn = True
        elif done - self.reported >= self.every or (
            self.reported and total and done >= total > self.reported
        ):  # a small file's import says nothing; a large one's ends with its last line
            self.stream.write(self.line(done, total) + "\n")
            self.stream.flush()
            self.reported = done

    def finish(self) -> None:
        """Ends the redrawn line, so what follows starts on a line of its own."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

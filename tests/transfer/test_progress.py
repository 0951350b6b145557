"""The command line's progress: a bar redrawn on a terminal, plain lines in a log."""

import io

from registry.transfer.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_sees_one_line_redrawn_with_rows_done_and_time_left():
    stream, clock = Terminal(), Clock()
    progress = Progress("Importing city.csv", stream=stream, clock=clock)
    clock.now += 10
    progress(10_000, 40_000)
    clock.now += 10
    progress(20_000, 40_000)
    progress.finish()
    drawn = stream.getvalue()
    assert drawn.count("\r\x1b[2K") == 2 and drawn.endswith("\n") and drawn.count("\n") == 1
    last = drawn.rsplit("\r\x1b[2K", 1)[1]
    assert last.startswith("[############------------] Importing city.csv: 20,000 of 40,000 rows")
    assert "1,000 rows/s" in last and "about 0:20 left" in last


def test_a_log_gets_a_plain_line_every_so_many_rows_and_a_last_one():
    stream, clock = io.StringIO(), Clock()
    progress = Progress("Importing city.csv", stream=stream, every=10_000, clock=clock)
    for done in range(1000, 25_001, 1000):
        clock.now += 1
        progress(done, 25_000)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[1].split(";")[0].strip() for line in lines] == [
        "10,000 of 25,000 rows",
        "20,000 of 25,000 rows",
        "25,000 of 25,000 rows",
    ]
    assert "\r" not in stream.getvalue()
    assert lines[0].endswith("about 0:15 left") and lines[-1].endswith("0:25 so far")


def test_a_small_file_in_a_log_says_nothing():
    stream = io.StringIO()
    progress = Progress("Importing three.csv", stream=stream)
    progress(3, 3)
    progress.finish()
    assert stream.getvalue() == ""

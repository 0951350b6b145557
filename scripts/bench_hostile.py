"""Times what an outside probe timed: how long a hostile upload takes to be refused, and whether
an unreadable record's 404 costs what a missing one's does.

    .venv/bin/python scripts/bench_hostile.py [--rows 1000000] [--samples 200]

1. A workbook of `--rows` one-cell rows with no stated dimension (openpyxl's write-only mode
   leaves it out), refused by the importer's streaming reader: seconds from the start of the
   read to the refusal.
2. `/catalog/<id>` for an existing restricted record and for an identifier nobody has,
   `--samples` of each, interleaved, on a demo city in a temporary SQLite file: the median and
   the 90th percentile of each, in milliseconds.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import Workbook

from registry import create_app  # the path is set just above


def hostile_workbook(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Inventory")
    sheet.append(["Title"])
    for _ in range(rows):
        sheet.append(["x"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal_seconds(app, data: bytes) -> tuple[float, str]:
    from registry.transfer.workbooks import ImportRefused, read_table

    with app.app_context():
        start = time.perf_counter()
        try:
            read_table("inventory.xlsx", data)
        except ImportRefused as refused:
            return time.perf_counter() - start, refused.message
    return time.perf_counter() - start, "not refused"


def not_found_timings(app, samples: int) -> dict[str, list[float]]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from registry.datasets.models import Dataset
    from registry.demo import load_demo
    from registry.extensions import db

    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        hidden = db.session.scalar(
            select(Dataset.identifier).where(Dataset.classification == "restricted").limit(1)
        )
    client = app.test_client()
    urls = {"restricted": f"/catalog/{hidden}", "missing": "/catalog/zz-nothere"}
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(20):  # warm up
        for url in urls.values():
            client.get(url)
    for _ in range(samples):
        for name, url in urls.items():
            start = time.perf_counter()
            status = client.get(url).status_code
            timings[name].append((time.perf_counter() - start) * 1000)
            assert status == 404, (name, status)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="registry-bench-hostile-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench-hostile-secret-key-0123456789",
            "HOUSEKEEPING_THREAD": False,
            "MAIL_BACKGROUND_SENDER": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    data = hostile_workbook(args.rows)
    seconds, message = refusal_seconds(app, data)
    print(
        f"hostile workbook: {args.rows:,} one-cell rows, {len(data) / 1e6:.1f} MB, "
        f"refused in {seconds:.2f} s ({message})"
    )
    timings = not_found_timings(app, args.samples)
    for name, values in timings.items():
        ordered = sorted(values)
        p90 = ordered[int(len(ordered) * 0.9)]
        print(
            f"/catalog/<{name}> 404: median {statistics.median(values):.2f} ms, "
            f"p90 {p90:.2f} ms over {len(values)} samples"
        )


if __name__ == "__main__":
    main()

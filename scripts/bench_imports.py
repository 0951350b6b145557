"""Rows a second for a city's inventory imported whole, beside the synthetic bulk loader.

    .venv/bin/python scripts/bench_imports.py                      # 10,000 and 100,000 rows
    .venv/bin/python scripts/bench_imports.py --rows 10000 --profile   # where the time goes
    .venv/bin/python scripts/bench_imports.py --database-url postgresql+psycopg://...  # empty db

For each size it writes a CSV in the civic catalog layout (name, publisher, theme, cadence,
formats, notes and columns the registry keeps as additional fields), then imports it into a
new registry with the demo city loaded, as `registry import FILE` does: parsing, reading each
row, creating each record through its service with its audit event, one transaction. It prints
the parse time, the import's rows a second and the process's peak memory, and then the
synthetic loader's (scripts/synth.py's bulk path, which skips the services) for the same
count, and checks the audit chain.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HEADERS = [
    "Inventory ID",
    "name",
    "publisher",
    "theme",
    "access",
    "cadence",
    "formats",
    "notes",
    "granularity",
    "key_fields",
    "Date Added",
]
PUBLISHERS = ["Public Works (PW)", "Parks and Recreation (PARKS)", "Police (PD)", "Finance (FIN)"]
CADENCES = ["Monthly", "Weekly", "Daily", "Annually", "live service; updated as changes occur"]


def source_file(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for number in range(rows):
        writer.writerow(
            [
                f"INV-{number:06d}",
                f"Inventory row {number} of street segments",
                PUBLISHERS[number % len(PUBLISHERS)],
                "Transportation" if number % 3 else "Environment",
                "Protected" if number % 7 == 0 else "Public",
                CADENCES[number % len(CADENCES)],
                "CSV; GeoJSON",
                f"Collected by crew {number % 40}",
                "Segment",
                "segment_id",
                "7/31/2025",
            ]
        )
    return out.getvalue().encode()


def new_registry(url: str | None):
    from flask_migrate import upgrade

    from registry import create_app
    from registry.demo.city import load_demo_city
    from registry.extensions import db

    url = url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "imports.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HOUSEKEEPING_THREAD": False})
    with app.app_context():
        upgrade()
        load_demo_city()
        db.session.commit()
    return app


def clear(app) -> None:
    from registry.extensions import db

    with app.app_context():
        db.session.remove()
        db.session.execute(db.text("DROP SCHEMA public CASCADE"))
        db.session.execute(db.text("CREATE SCHEMA public"))
        db.session.commit()


def measure(rows: int, url: str | None, profile: bool) -> None:
    from registry.audit.services import verify_chain
    from registry.cli_support import CommandLineOperator
    from registry.extensions import db
    from registry.transfer.imports import run_import
    from registry.transfer.workbooks import read_table
    from tests.support.synthetic import synthesize

    data = source_file(rows)
    app = new_registry(url)
    with app.app_context():
        started = time.perf_counter()
        table = read_table("inventory.csv", data, command_line=True)
        parsed = time.perf_counter() - started
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = run_import(table, actor=CommandLineOperator(), dry_run=False, digest="bench")
        db.session.commit()
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        assert report.ok and len(report.created) == rows, report.problems[:3]
        chain = verify_chain()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{rows:>9,} rows: parsed in {parsed:.2f} s; imported in {seconds:.1f} s = "
            f"{rows / seconds:,.0f} rows/s (audit chain {'ok' if chain.ok else chain.problem}; "
            f"process peak {peak:,.0f} MB)"
        )
        if profiler:
            order = os.environ.get("BENCH_SORT", "cumulative")  # or tottime
            pstats.Stats(profiler).sort_stats(order).print_stats(35)
    if url:
        clear(app)
    app = new_registry(url)
    with app.app_context():
        started = time.perf_counter()
        synthesize(rows, seed=7)
        seconds = time.perf_counter() - started
        print(f"{'':>9}  synthetic bulk loader: {rows / seconds:,.0f} rows/s")
    if url:
        clear(app)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="10000,100000", help="sizes, comma-separated")
    parser.add_argument("--database-url", default=None, help="an empty database; default SQLite")
    parser.add_argument("--profile", action="store_true", help="print where the import's time goes")
    args = parser.parse_args()
    for size in args.rows.split(","):
        measure(int(size), args.database_url, args.profile)


if __name__ == "__main__":
    main()

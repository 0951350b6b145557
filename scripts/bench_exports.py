"""Times the inventory exports against the bare libraries writing the same rows, and imports.

    .venv/bin/python scripts/bench_exports.py                      # 100,000 records, SQLite
    .venv/bin/python scripts/bench_exports.py --records 25000,100000   # memory across sizes
    .venv/bin/python scripts/bench_exports.py --database-url postgresql+psycopg://...  # empty db

For each size it prints the time of a CSV export before any export row is kept, and of keeping
them (housekeeping's work). Then, for XLSX, CSV, data.json and DCAT-US 3.0: the export's wall
time (reading the records and their kept rows from the database, filling in what depends on
the reader and writing them, as the page and CLI do) beside the bare library writing the same
rows already in memory (openpyxl write-only, the csv module, json; for DCAT-US 3.0, json
writing the datasets already shaped), their ratio, and the export's peak Python memory
(tracemalloc). Then the import's rows per
second for a 1,000-row CSV. Rows are bulk-loaded by bench_search.load().
"""

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def peak_of(function) -> tuple[float, int]:
    tracemalloc.start()
    seconds, _ = timed(function)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def bare_xlsx(rows, headers) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Inventory")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(io.BytesIO())


def bare_csv(rows, headers) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    out.getvalue().encode("utf-8")


def bare_json(entries) -> None:
    json.dumps({"dataset": entries}, ensure_ascii=False).encode()


def measure(records: int, url: str | None) -> None:
    from bench_search import load
    from flask_migrate import upgrade

    from registry import create_app
    from registry.cli_support import CommandLineOperator
    from registry.datasets.queries import Scope
    from registry.db import utctoday
    from registry.demo import load_demo_city
    from registry.extensions import db
    from registry.transfer import datajson, dcat3
    from registry.transfer.columns import HEADERS, row_of
    from registry.transfer.exports import ExportRequest, department_names, export_records, produce

    url = url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    operator = CommandLineOperator()
    with app.app_context():
        upgrade()
        load_demo_city()
        db.session.commit()
        load(records)
        print(f"\n{records:,} records on {db.engine.dialect.name}")
        cold, _ = timed(lambda: produce(ExportRequest("csv", Scope.FULL), operator))
        kept, count = timed(lambda: keep_all(db))
        print(
            f"cold CSV export (no kept rows) {cold:.2f} s; keeping {count:,} rows took "
            f"{kept:.2f} s (housekeeping's work after changes); the exports below read them"
        )
        rows = [
            row_of(record) for record in export_records(ExportRequest("csv", Scope.FULL), operator)
        ]
        names = department_names()
        public = export_records(ExportRequest("datajson", Scope.PUBLIC), operator)
        entries = [datajson.dataset_entry(record, names, utctoday()) for record in public]
        shaped = [dcat3.dataset_of(entry, {}, None) for entry in entries]
        bare = {
            "xlsx": lambda: bare_xlsx(rows, HEADERS),
            "csv": lambda: bare_csv(rows, HEADERS),
            "datajson": lambda: bare_json(entries),
            "dcat3": lambda: bare_json(shaped),
        }
        print(f"{'format':10} {'export s':>10} {'bare s':>10} {'ratio':>7} {'export peak MB':>15}")
        for name in ("xlsx", "csv", "datajson", "dcat3"):
            scope = Scope.PUBLIC if name in ("datajson", "dcat3") else Scope.FULL
            export = lambda n=name, s=scope: produce(ExportRequest(n, s), operator)  # noqa: E731
            seconds, _ = timed(export)
            _, peak = peak_of(export)  # tracemalloc slows Python down: measured apart
            bare_seconds, _ = timed(bare[name])
            db.session.rollback()
            print(
                f"{name:10} {seconds:10.2f} {bare_seconds:10.2f} {seconds / bare_seconds:7.2f} "
                f"{peak / 1e6:15.1f}"
            )
        import_rate(app, operator)


def keep_all(db) -> int:
    from registry.transfer.rendered import keep_stale

    total = 0
    while done := keep_stale(5000):
        db.session.commit()
        total += done
    return total


def import_rate(app, operator) -> None:
    from registry.extensions import db
    from registry.transfer.imports import run_import
    from registry.transfer.workbooks import read_table

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Title", "Department", "Classification", "Description", "Keywords"])
    for number in range(1000):
        writer.writerow([f"Imported {number}", "PW", "public", "A row.", "bench; import"])
    table = read_table("bench.csv", out.getvalue().encode())
    seconds, report = timed(
        lambda: run_import(table, actor=operator, dry_run=False, digest="bench")
    )
    db.session.commit()
    print(f"import: {len(report.created):,} rows in {seconds:.2f} s = {1000 / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", default="100000", help="sizes, comma-separated")
    parser.add_argument("--database-url", default=None, help="an empty database; default SQLite")
    args = parser.parse_args()
    for size in args.records.split(","):
        measure(int(size), args.database_url)


if __name__ == "__main__":
    main()

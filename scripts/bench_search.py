"""Times dataset search, filters and facet counts on a large generated inventory.

    .venv/bin/python scripts/bench_search.py --records 300000
    .venv/bin/python scripts/bench_search.py --records 300000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench   # an empty database

Rows are bulk-inserted straight into the tables (the services would take far longer to load
300,000 records and are not what is measured); the queries then go through the same
find_datasets() the pages and API use, as different roles. Prints medians in milliseconds.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support.synthetic import WORDS  # the path is set just above

CLASSIFICATIONS = ["public"] * 4 + ["internal"] * 3 + ["sensitive"] * 2 + ["restricted"]
STATES = ["draft", "submitted", "in_committee", "approved", "published", "published"]
FORMATS = ["CSV", "JSON", "GeoJSON", "XLSX", "KML", "Shapefile", "PDF"]
LICENSES = [
    "https://creativecommons.org/publicdomain/zero/1.0/",
    "https://creativecommons.org/licenses/by/4.0/",
    None,
]
THEMES = ["Environment", "Public Safety", "Housing", "Transportation", "Health", "Recreation"]


def load(records: int, seed: int = 7) -> None:
    from sqlalchemy import insert, text

    from registry.accounts.models import Department
    from registry.datasets.documents import reindex
    from registry.datasets.models import Dataset, DatasetTheme
    from registry.extensions import db

    rng = random.Random(seed)
    departments = [department.id for department in db.session.scalars(db.select(Department))]
    now = datetime.now(UTC)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    batch = 5000
    for start in range(0, records, batch):
        rows, themes = [], []
        for number in range(start, min(start + batch, records)):
            words = rng.sample(WORDS, 4)
            title = " ".join(word.capitalize() for word in words[:3]) + f" {number}"
            description = " ".join(rng.choices(WORDS, k=25))
            keywords = rng.sample(WORDS, 3)
            classification = rng.choice(CLASSIFICATIONS)
            rows.append(
                {
                    "id": number + 1,
                    "identifier": f"b-{number:07d}",
                    "title": title,
                    "description": description,
                    "keywords": keywords,
                    "department_id": rng.choice(departments),
                    "formats": rng.sample(FORMATS, rng.randint(1, 3)),
                    "license": rng.choice(LICENSES),
                    "language": [],
                    "distributions": [],
                    "classification": classification,
                    "contains_pii": False,
                    "pii_kinds": [],
                    "access_level": "non-public" if classification == "restricted" else "public",
                    "rights": "exempt" if classification == "restricted" else None,
                    "release_priority": rng.choice(["high", "medium", "low"]),
                    "status": rng.choice(STATES),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            themes.append({"dataset_id": number + 1, "theme": rng.choice(THEMES)})
        db.session.execute(insert(Dataset), rows)
        db.session.execute(insert(DatasetTheme), themes)
        reindex(db.session(), [row["id"] for row in rows])
        db.session.commit()
    if postgres:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def median_ms(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="an empty database; default SQLite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")

    from flask_migrate import upgrade

    from registry import create_app
    from registry.datasets.search import find_datasets
    from registry.demo import load_demo_city
    from registry.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        upgrade()
        load_demo_city()
        db.session.commit()
        started = time.perf_counter()
        load(args.records)
        print(
            f"database: {db.engine.dialect.name}; loaded {args.records:,} datasets in "
            f"{time.perf_counter() - started:.1f} s"
        )
        from registry.accounts.services import find_user_by_email

        readers = {
            "coordinator": find_user_by_email("coordinator@riverton.example"),
            "stakeholder": find_user_by_email("stakeholder@riverton.example"),
            "steward": find_user_by_email("steward.pw@riverton.example"),
            "public": None,
        }
        cases = {
            "first page, no search": {},
            "search 'tree'": {"q": "tree"},
            "search 'water main'": {"q": "water main"},
            "search + department + status": {"q": "permit", "department": "PW", "status": "draft"},
            "theme filter, by title": {"theme": "Housing", "sort": "title"},
            "page 200": {"page": 200},
        }
        print(
            f"{'query':34} "
            + " ".join(f"{role:>12}" for role in readers)
            + "   (median ms, with facets)"
        )
        for label, criteria in cases.items():
            row = []
            for reader in readers.values():
                full = {"page": 1, "per_page": 25, **criteria}
                row.append(median_ms(lambda r=reader, c=full: find_datasets(r, c), args.repeat))
                db.session.rollback()
            print(f"{label:34} " + " ".join(f"{value:12.1f}" for value in row))
        catalog_page(app, args.repeat)
        client = app.test_client()
        http = median_ms(lambda: client.get("/api/v1/datasets?q=tree"), args.repeat)
        print(f"GET /api/v1/datasets?q=tree (anonymous, whole request): {http:.1f} ms")


def catalog_page(app, repeat: int) -> None:
    """The catalog's search as a visitor with every facet it shows (departments, subjects,
    formats, keywords, licenses), as its page asks: the whole catalog's counts kept where they
    change (dashboard.counts), a narrowed one's counted (as the first reader after any record
    changed finds it) and then kept (registry.memo, until a record changes)."""
    from registry.catalog.public import CATALOG_FACETS, _kept_counts
    from registry.dashboard.counts import refresh_counts
    from registry.datasets.search import find_datasets
    from registry.extensions import db

    while refresh_counts():  # the bulk load went around the session: count its records' kinds
        db.session.commit()

    cases = {
        "catalog, first page": {},
        "catalog, search 'tree'": {"q": "tree"},
        "catalog, keyword filter": {"keyword": WORDS[3]},
        "catalog, format + license": {
            "format": "geojson",
            "license": "https://creativecommons.org/licenses/by/4.0/",
        },
        "catalog, newest release": {"sort": "-released"},
    }
    print(f"{'catalog (visitor, all its facets)':34} {'counted':>12} {'kept':>12}   (median ms)")
    for label, criteria in cases.items():
        full = {"page": 1, "per_page": 25, **criteria}

        def counted(c=full):
            app.extensions.pop("registry_memo", None)
            find_datasets(None, c, facets=CATALOG_FACETS, counted=_kept_counts(c))

        def kept(c=full):
            find_datasets(None, c, facets=CATALOG_FACETS, counted=_kept_counts(c))

        fresh, kept = median_ms(counted, repeat), median_ms(kept, repeat)
        db.session.rollback()
        print(f"{label:34} {fresh:12.1f} {kept:12.1f}")


if __name__ == "__main__":
    main()

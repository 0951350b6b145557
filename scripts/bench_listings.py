"""Every filter and sort the API's listing offers: `scripts/bench.py --listings`.

For each reader (a visitor, and a coordinator with a token, who reads every record), each
filter (none, a department, a status, a classification, a theme, and a middling and a rare
search word) and each sort the listing offers, p50 / p95 ms of the first page, with nobody
writing; a mark where p95 is over its target (issue 24's: 25 ms for the listing, 30 for a
middling or a rare word; a common word's target is 1.5 times the bare query, measured by
`scripts/bench.py` itself).
"""

import requests
from bench import Gunicorn, database_for, drive, filled, with_token

from registry.datasets.listing_schemas import SORTS

TARGET_MS = 25.0
WORD_TARGET_MS = 30.0  # a middling or a rare word's search
FILTERS = {
    "no filter": "",
    "department": "&department=PW",
    "status": "&status=published",
    "classification": "&classification=internal",
    "theme": "&theme=Transportation",
    "middling word": "&q=42",
    "rare word": "&q=4242",
}
# A staff reader's rarer values: records in one state of review, the restricted level.
STAFF_FILTERS = {
    "status in review": "&status=in_committee",
    "restricted": "&classification=restricted",
}


def measure_listings(size: int, args) -> None:
    url = database_for(size, args.database_url, args.keep)
    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"\n{size:,} records on {engine}: every filter and sort of the API's listing")
    facts = filled(url, size, args.keep)
    server = Gunicorn(url)
    readers = {
        "visitor": (requests.Session, FILTERS),
        "coordinator": (lambda: with_token(facts["token"]), {**FILTERS, **STAFF_FILTERS}),
    }
    over = []
    try:
        for reader, (make, filters) in readers.items():
            for name, query in filters.items():
                for sort in SORTS:
                    if sort == "relevance" and "q=" not in query:
                        continue
                    address = f"{server.base}/api/v1/datasets?sort={sort}{query}"
                    found = drive(make, address, args.requests, args.concurrency)
                    target = WORD_TARGET_MS if "q=" in query else TARGET_MS
                    mark = "  OVER" if found["p95"] > target else ""
                    print(
                        f"  {reader:12} {name:18} {sort:10} "
                        f"{found['p50']:7.1f} / {found['p95']:7.1f} ms{mark}"
                        + (f"  ({found['failed']} failed)" if found["failed"] else "")
                    )
                    if mark:
                        over.append(f"{reader} {name} {sort}")
    finally:
        server.stop()
    print(f"  over the target at p95: {', '.join(over) if over else 'none'}")

"""Times the performance pages for a city with many measures, quiet and while a steward reports
values (a writer on its own connection, reporting and correcting as fast as it can).

    .venv/bin/python scripts/bench_measures.py                    # 200 measures, SQLite file
    .venv/bin/python scripts/bench_measures.py --measures 500
    .venv/bin/python scripts/bench_measures.py --database-url postgresql+psycopg://...  # empty db

It loads the demo city's people and departments, 20,000 datasets (bench_search.load), the
given number of monthly measures under four priorities, each resting on three records and
with two years of values (through the services, as a department entering its history would),
then prints the median and 95th percentile of each page over its requests, quiet and then
while the writer runs, and how many values the writer reported meanwhile.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PRIORITIES = ["Safe neighbourhoods", "Economic opportunity", "Children", "Environment"]


def load_measures(count: int) -> list[int]:
    from sqlalchemy import select

    from registry.accounts.models import Department
    from registry.accounts.services import find_user_by_email
    from registry.datasets.models import Dataset
    from registry.db import utctoday
    from registry.extensions import db
    from registry.performance import services
    from registry.performance.rules import last_ended, period_code, periods
    from registry.priorities.program import save_city_priority

    coordinator = find_user_by_email("coordinator@riverton.example")
    for position, name in enumerate(PRIORITIES):
        save_city_priority({"name": name, "position": position}, actor=coordinator)
    codes = list(db.session.scalars(select(Department.code).order_by(Department.code)))
    identifiers = list(db.session.scalars(select(Dataset.identifier).limit(3 * count)))
    today = utctoday()
    months = periods(today - timedelta(days=730), last_ended(today, "monthly"), "monthly")
    ids = []
    for number in range(count):
        measure = services.create_measure(
            {
                "priority": PRIORITIES[number % len(PRIORITIES)],
                "department": codes[number % len(codes)],
                "name": f"Measure {number}",
                "counts": "What the bench counts.",
                "unit": "%",
                "direction": "higher" if number % 2 else "lower",
                "target": 50 + number % 40,
                "target_date": date(today.year + 2, 12, 31).isoformat(),
                "frequency": "monthly",
                "datasets": identifiers[3 * number : 3 * number + 3],
            },
            actor=coordinator,
        )
        for index, start in enumerate(months):
            services.report_value(
                measure,
                {"period": period_code(start, "monthly"), "value": 40 + (index * 7 + number) % 50},
                actor=coordinator,
            )
        db.session.commit()
        ids.append(measure.id)
    return ids


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def time_pages(app, pages: dict[str, str], repeat: int) -> dict[str, tuple[float, float]]:
    client = app.test_client()
    found = {}
    for label, url in pages.items():
        client.get(url)  # warm
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        found[label] = percentiles(samples)
    return found


def writer(app, measure_ids: list[int], stop: threading.Event, done: list[int]) -> None:
    """A steward's colleague reporting: a correction of a past month, again and again."""
    from registry.accounts.services import find_user_by_email
    from registry.db import utctoday
    from registry.extensions import db
    from registry.performance import services
    from registry.performance.models import Measure
    from registry.performance.rules import last_ended, period_code

    with app.app_context():
        person = find_user_by_email("coordinator@riverton.example")
        period = period_code(last_ended(utctoday(), "monthly"), "monthly")
        number = 0
        while not stop.is_set():
            measure = db.session.get(Measure, measure_ids[number % len(measure_ids)])
            services.report_value(
                measure,
                {"period": period, "value": 60 + number % 30, "reason": "Bench correction"},
                actor=person,
            )
            db.session.commit()
            number += 1
        done.append(number)
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measures", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="an empty database; default SQLite")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")

    from bench_search import load
    from flask_migrate import upgrade

    from registry import create_app
    from registry.demo import load_demo_city
    from registry.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "HOUSEKEEPING_THREAD": False,
            "MAIL_BACKGROUND_SENDER": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        load_demo_city()
        db.session.commit()
        load(20_000)
        started = time.perf_counter()
        ids = load_measures(args.measures)
        print(
            f"database: {db.engine.dialect.name}; {args.measures} measures with two years of "
            f"monthly values loaded in {time.perf_counter() - started:.1f} s"
        )
    pages = {
        "GET /performance": "/performance",
        "GET /performance?as_of (a year ago)": "/performance?as_of="
        + (datetime.now(UTC).date() - timedelta(days=365)).isoformat(),
        "GET /performance/measures/<id>": f"/performance/measures/{ids[len(ids) // 2]}",
        "GET /api/v1/measures": "/api/v1/measures",
        "GET /api/v1/stats/measures": "/api/v1/stats/measures",
        "GET /performance.csv": "/performance.csv",
    }
    quiet = time_pages(app, pages, args.repeat)
    stop, done = threading.Event(), []
    thread = threading.Thread(target=writer, args=(app, ids, stop, done))
    thread.start()
    started = time.perf_counter()
    busy = time_pages(app, pages, args.repeat)
    stop.set()
    thread.join()
    seconds = time.perf_counter() - started
    print(f"{'page':40} {'quiet p50':>10} {'p95':>8} {'writing p50':>12} {'p95':>8}  (ms)")
    for label in pages:
        (q50, q95), (b50, b95) = quiet[label], busy[label]
        print(f"{label:40} {q50:10.1f} {q95:8.1f} {b50:12.1f} {b95:8.1f}")
    print(f"the writer corrected {done[0]} values in {seconds:.1f} s meanwhile")


if __name__ == "__main__":
    main()

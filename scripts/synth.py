"""Fills a registry with a synthetic inventory of N records, quickly, for benchmarks.

    .venv/bin/python scripts/synth.py --datasets 100000                      # a new SQLite file
    .venv/bin/python scripts/synth.py --datasets 300000 --database-url postgresql+psycopg://...

On an empty database it migrates it and loads the demo city's departments and people first;
then it adds the records through tests.support.synthetic's bulk path (versions, votes,
decisions, requests, the search index and a verifying audit chain with them), keeps their
export rows, and checks the audit chain. It prints the database's URL and what it made.
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip-export-rows", action="store_true", help="leave them to housekeeping"
    )
    parser.add_argument("--skip-verify", action="store_true", help="do not walk the audit chain")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from registry import create_app
    from registry.accounts.models import User
    from registry.audit.services import verify_chain
    from registry.demo.city import load_demo_city
    from registry.extensions import db
    from registry.integrity import check_decisions, check_versions, check_votes
    from registry.transfer.rendered import keep_stale
    from tests.support.synthetic import settle, synthesize

    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "synth.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HOUSEKEEPING_THREAD": False})
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(User)):
            load_demo_city()
            db.session.commit()
        started = time.perf_counter()
        made = synthesize(args.datasets, seed=args.seed)
        seconds = time.perf_counter() - started
        print(f"database: {url}")
        print(
            f"{made.datasets:,} records in {seconds:.1f} s ({made.datasets / seconds:,.0f}/s): "
            f"{made.versions:,} versions, {made.votes:,} votes, {made.decisions:,} decisions, "
            f"{made.requests:,} requests, {made.events:,} audit events"
        )
        print("by state: " + ", ".join(f"{k} {v:,}" for k, v in sorted(made.by_state.items())))
        if not args.skip_export_rows:
            started, kept = time.perf_counter(), 0
            while done := keep_stale(5000):
                db.session.commit()
                kept += done
            settle()  # the export rows just kept, too
            print(f"export rows kept: {kept:,} in {time.perf_counter() - started:.1f} s")
        if not args.skip_verify:
            report = verify_chain()
            problems = check_decisions() + check_votes() + check_versions()
            print(
                f"audit chain: {report.checked:,} events, {'ok' if report.ok else report.problem}"
            )
            print(f"records against their events: {len(problems)} problems")
            if not report.ok or problems:
                sys.exit(1)


if __name__ == "__main__":
    main()

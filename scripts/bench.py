"""The registry under load: gunicorn on a synthetic inventory, driven over loopback.

    .venv/bin/python scripts/bench.py                               # 10,000 and 100,000, SQLite
    .venv/bin/python scripts/bench.py --sizes 300000 --requests 100
    .venv/bin/python scripts/bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python scripts/bench.py --sizes 300000 --keep .bench/db   # fill once, reuse after
    .venv/bin/python scripts/bench.py --mixed --requests 100   # reading while people write
    .venv/bin/python scripts/bench.py --listings --requests 60  # every filter and sort

For each size it fills a new database (scripts/synth.py's bulk path, export rows kept), starts
gunicorn with a worker per core, and sends a fixed number of requests per endpoint from a
bounded pool of clients (--concurrency), printing p50, p95 and requests per second for: the
API's filtered and sorted listing, its full-text search for a common, a middling and a rare
term, the HTML list with its facet counts, a dataset page, the public catalog and inventory,
the dashboard, the release queue, and each export's first byte. Beside the listing and search
it prints the bare database time of the same query and, on SQLite, the same listing and search
served by datasette from the same file (installed into .bench/venv, never the registry's own
environment), with the ratio of requests per second. Then the workers' memory once every page
has been served (their caches filled) and again after --memory-requests more of them, and a
soak: --soak-seconds of mixed reads and writes from several clients, ending with the count of
5xx answers and whether the audit chain verifies.

The clients are as many as gunicorn's workers (one per core) unless --concurrency says
otherwise: each figure is then the time a worker takes to answer, with every worker busy,
rather than time spent queued behind other clients. Each client first sends a few requests
that are not counted, since a worker's first answers after it starts fill its caches (kept
dumps and counts, prepared statements); the slowest of those is printed as "first".
"""

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "correct horse battery staple 2026"  # noqa: S105 - a throwaway database's
BENCH_VENV = ROOT / ".bench" / "venv"
# datasette's page as the registry's API answers: 25 rows with their count, no facets (the
# registry's API counts facets only when asked) and no suggested facets.
PEER_OPTIONS = "&_size=25&_nofacet=1&_nosuggest=1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_for(size: int, base: str | None, keep: str | None = None) -> str:
    if base is None:
        folder = keep or tempfile.mkdtemp()
        os.makedirs(folder, exist_ok=True)
        return "sqlite:///" + os.path.join(os.path.abspath(folder), f"bench-{size}.sqlite3")
    from sqlalchemy import create_engine, make_url, text

    url = make_url(base)
    name = f"registry_bench_{size}"
    if keep and os.path.exists(facts_file(keep, size, "postgresql")):
        return url.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def fill(url: str, size: int) -> dict:
    """A synthetic inventory of `size` records, a coordinator who can sign in, and a token."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from registry import create_app
    from registry.accounts.services import create_user
    from registry.accounts.tokens import create_token
    from registry.datasets.cursors import next_cursor
    from registry.datasets.models import Dataset
    from registry.demo.city import load_demo_city
    from registry.extensions import db
    from registry.transfer.rendered import keep_stale
    from tests.support.synthetic import settle, synthesize

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HOUSEKEEPING_THREAD": False})
    with app.app_context():
        upgrade()
        load_demo_city()
        user, _ = create_user(
            {"email": "load.tester@city.example", "name": "Load Tester", "roles": ["coordinator"]},
            actor=None,
            password=PASSWORD,
        )
        db.session.commit()
        _, secret = create_token(user, {"name": "bench"}, actor=user)
        db.session.commit()
        started = time.perf_counter()
        synthesize(size)
        while keep_stale(5000):
            db.session.commit()
        settle()  # the export rows just kept, too
        print(f"  filled {size:,} records in {time.perf_counter() - started:.0f} s")
        identifier = db.session.scalar(text("SELECT identifier FROM datasets WHERE id = 7"))
        department = db.session.scalar(text("SELECT id FROM departments WHERE code = 'PW'"))
        # A page halfway through the public listing by title, and where it starts as a cursor.
        public = (
            "FROM datasets WHERE status = 'published' AND classification "
            "IN ('public', 'internal', 'sensitive')"
        )
        count = db.session.scalar(text(f"SELECT count(*) {public}"))
        page = max(2, count // 50)
        title, number = db.session.execute(
            text(f"SELECT title, id {public} ORDER BY title, id LIMIT 1 OFFSET :at"),
            {"at": (page - 1) * 25 - 1},
        ).one()
        cursor = next_cursor(Dataset(id=number, title=title), "title")
    return {
        "token": secret,
        "identifier": identifier,
        "department_id": department,
        "cursor": cursor,
        "page": page,
    }


def facts_file(keep: str, size: int, engine: str) -> str:
    return os.path.join(keep, f"bench-{size}-{engine}.json")


def upgraded(url: str) -> None:
    """A kept inventory brought to the code's migrations, as an operator's upgrade would."""
    from flask_migrate import upgrade

    from registry import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HOUSEKEEPING_THREAD": False})
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        print(f"  migrations brought up to date in {time.perf_counter() - started:.1f} s")


def filled(url: str, size: int, keep: str | None) -> dict:
    """A new inventory, or with --keep the one an earlier run filled and left there."""
    if keep is None:
        return fill(url, size)
    engine = "sqlite" if url.startswith("sqlite") else "postgresql"
    path = facts_file(keep, size, engine)
    if os.path.exists(path):
        print(f"  reusing the {size:,}-record inventory an earlier run filled ({path})")
        upgraded(url)
        with open(path) as kept:
            return json.load(kept)
    facts = fill(url, size)
    os.makedirs(keep, exist_ok=True)
    with open(path, "w") as kept:
        json.dump(facts, kept)
    return facts


class Gunicorn:
    def __init__(self, url: str) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": url,
            "REGISTRY_BIND": f"127.0.0.1:{self.port}",
            "REGISTRY_WORKERS": str(os.cpu_count() or 2),
            "REGISTRY_SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "REGISTRY_HOUSEKEEPING_THREAD": "false",
            "REGISTRY_MAIL_BACKGROUND_SENDER": "false",
            "REGISTRY_RATELIMIT_ENABLED": "false",
            "REGISTRY_WTF_CSRF_ENABLED": "false",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "registry:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        wait_up(f"{self.base}/healthz")

    def worker_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        sizes = []
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def wait_up(address: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(address, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{address} did not come up")


def with_token(token: str) -> requests.Session:
    """A client that sends an API token with every request."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def signed_in(
    base: str, email: str = "load.tester@city.example", password: str = PASSWORD
) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{base}/sign-in", data={"email": email, "password": password}, allow_redirects=False
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in answered {answer.status_code}")
    return session


# Requests each client sends before the measured ones: a worker's first answers after it starts
# (or after the inventory changes) fill its caches, and are printed apart as "first".
WARM_PER_CLIENT = 5


def drive(
    make_session, path: str, total: int, concurrency: int, first_byte=False, warm=None
) -> dict:
    """`total` GETs of `path` from `concurrency` clients, after `warm` per client that are
    not counted (WARM_PER_CLIENT unless told); latencies in ms, the slowest warm-up one as
    "first"."""
    latencies: list[float] = []
    warming: list[float] = []
    failures = [0]
    lock = threading.Lock()
    counter = iter(range(total))
    warm = WARM_PER_CLIENT if warm is None else warm

    def ask(session) -> tuple[float, int]:
        started = time.perf_counter()
        response = session.get(path, stream=first_byte, timeout=120)
        if first_byte:
            next(response.iter_content(1), None)
            response.close()
        else:
            response.content  # noqa: B018 - read the whole body
        return (time.perf_counter() - started) * 1000, response.status_code

    def client(ready: threading.Barrier) -> None:
        session = make_session()
        for _ in range(warm):
            elapsed, _ = ask(session)
            with lock:
                warming.append(elapsed)
        ready.wait()
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            elapsed, status = ask(session)
            with lock:
                latencies.append(elapsed)
                if status >= 400:
                    failures[0] += 1

    # Every client warms up before any measured request, then the clock starts.
    ready = threading.Barrier(concurrency + 1)
    threads = [threading.Thread(target=client, args=(ready,)) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "rps": len(latencies) / wall,
        "failed": failures[0],
        "first": max(warming, default=None),
    }


def bare_ms(
    url: str, department_id: int, term: str, repeat: int = 30, concurrency: int = 1
) -> dict[str, float]:
    """The database alone: the listing's and a search's first page, as the registry asks,
    the median of `repeat` runs from each of `concurrency` connections at once."""
    if url.startswith("sqlite"):
        listing = (
            "SELECT * FROM datasets WHERE department_id = ? AND status = 'published' "
            "ORDER BY title, id LIMIT 25",
            (department_id,),
        )
        search = (
            "SELECT d.* FROM dataset_search JOIN datasets d ON d.id = dataset_search.rowid "
            "WHERE dataset_search MATCH ? ORDER BY bm25(dataset_search) LIMIT 25",
            (term,),
        )

        def connect():
            return sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
    else:
        import psycopg

        listing = (
            "SELECT * FROM datasets WHERE department_id = %s AND status = 'published' "
            "ORDER BY title, id LIMIT 25",
            (department_id,),
        )
        search = (
            "SELECT d.* FROM dataset_search s JOIN datasets d ON d.id = s.dataset_id "
            "WHERE s.document @@ plainto_tsquery('english', %s) "
            "ORDER BY ts_rank(s.document, plainto_tsquery('english', %s)) DESC LIMIT 25",
            (term, term),
        )

        def connect():
            return psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))

    connections = [connect() for _ in range(concurrency)]
    figures = {}
    for name, (sql, args) in (("listing", listing), ("search", search)):
        timings: list[float] = []

        def run(connection, timings=timings, sql=sql, args=args) -> None:
            for _ in range(repeat):
                started = time.perf_counter()
                connection.execute(sql, args).fetchall()
                timings.append((time.perf_counter() - started) * 1000)

        threads = [threading.Thread(target=run, args=(each,)) for each in connections]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        figures[name] = statistics.median(timings)
    for connection in connections:
        connection.close()
    return figures


def datasette(path: str) -> subprocess.Popen | None:
    """datasette serving the same SQLite file, from the benchmark's own environment."""
    binary = BENCH_VENV / "bin" / "datasette"
    if not binary.exists():
        print("  installing datasette into .bench/venv (the benchmark's own environment)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", path, "--port", str(port), "--setting", "sql_time_limit_ms", "5000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process.base = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    wait_up(process.base)  # type: ignore[attr-defined]
    return process


# The anonymous half of the memory run's mix (the signed-in half is every page).
MIXED_ANONYMOUS = [
    "/api/v1/datasets?department=PW&status=published&sort=title",
    "/api/v1/datasets?q=permit",
    "/api/v1/datasets?q=4242",
    "/api/v1/datasets?sort=title&page=3",
    "/catalog",
]


def mixed(mix: list, total: int, concurrency: int) -> float:
    """`total` GETs going round `mix` ((session maker, address) pairs); the seconds taken."""
    counter = iter(range(total))
    lock = threading.Lock()

    def client() -> None:
        sessions = {}
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            make, address = mix[number % len(mix)]
            if make not in sessions:
                sessions[make] = make()  # signing in once per client, not per request
            session = sessions[make]
            session.get(address, timeout=120).content  # noqa: B018 - read the whole body

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def soak(base: str, token: str, seconds: float, clients: int) -> tuple[int, int]:
    """Mixed reads and writes (one request in five registers a dataset through the API)."""
    deadline = time.monotonic() + seconds
    errors, done = [0], [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(number)
        session = with_token(token)
        sequence = 0
        while time.monotonic() < deadline:
            sequence += 1
            if rng.random() < 0.2:
                body = {
                    "title": f"Soak {number}-{sequence}",
                    "department": "PW",
                    "classification": "public",
                    "description": "Registered during the soak.",
                }
                response = session.post(f"{base}/api/v1/datasets", json=body, timeout=60)
            else:
                path = rng.choice(
                    ["/api/v1/datasets?q=permit", "/api/v1/datasets?sort=title", "/catalog"]
                )
                response = session.get(f"{base}{path}", timeout=60)
            with lock:
                done[0] += 1
                errors[0] += response.status_code >= 500

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], errors[0]


def verify(url: str) -> bool:
    from registry import create_app
    from registry.audit.services import verify_chain

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HOUSEKEEPING_THREAD": False})
    with app.app_context():
        return verify_chain().ok


def line(name: str, figures: dict, extra: str = "") -> None:
    first = figures.get("first")
    print(
        f"  {name:38} p50 {figures['p50']:8.1f} ms  p95 {figures['p95']:8.1f} ms  "
        f"{figures['rps']:7.1f} req/s{'  ' + extra if extra else ''}"
        + (f"  (first {first:.0f} ms)" if first is not None else "")
        + (f"  ({figures['failed']} failed)" if figures["failed"] else "")
    )


def beside_datasette(url: str, facts: dict, base: str, n: int, c: int) -> None:
    """The answers issue 24 compared, from the registry and from datasette serving the same
    file, one after the other in one run."""
    peer = datasette(url.removeprefix("sqlite:///"))
    name = Path(url).stem
    table = f"{peer.base}/{name}/datasets.json?"
    token = lambda: with_token(facts["token"])  # noqa: E731
    anonymous = requests.Session
    department = "PW"
    side_by_side = {
        "a department's listing": (
            anonymous,
            f"/api/v1/datasets?department={department}",
            f"{table}department_id={facts['department_id']}",
        ),
        "a department's, by last update, staff token": (
            token,
            f"/api/v1/datasets?department={department}&sort=-updated",
            f"{table}department_id={facts['department_id']}&_sort_desc=updated_at",
        ),
        "the public listing by title": (
            anonymous,
            "/api/v1/datasets?sort=title",
            f"{table}status=published&_sort=title",
        ),
        "common-word search": (
            anonymous,
            "/api/v1/datasets?q=permit",
            f"{peer.base}/{name}/dataset_search.json?_search=permit",
        ),
    }
    try:
        for label, (reader, path, address) in side_by_side.items():
            ours = drive(reader, f"{base}{path}", n, c)
            theirs = drive(anonymous, f"{address}{PEER_OPTIONS}", n, c)
            line(f"registry: {label}", ours)
            line("datasette: the same", theirs, f"ratio {ours['rps'] / theirs['rps']:.2f}")
    finally:
        peer.terminate()


def measure(size: int, args) -> None:
    url = database_for(size, args.database_url, args.keep)
    print(f"\n{size:,} records on {'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}")
    facts = filled(url, size, args.keep)
    server = Gunicorn(url)
    base, n, c = server.base, args.requests, args.concurrency
    anonymous = requests.Session
    staff = lambda: signed_in(base)  # noqa: E731
    department = "PW"
    deep = "/api/v1/datasets?sort=title&per_page=25"
    # By how many records hold them: a word in about half (the synthetic vocabulary is small
    # and every word in it is common), one in about 1% (title numbers start with it), one in
    # a handful, and three common words that must all be there.
    terms = {
        "common": "permit",
        "middling": "42",
        "rare": "4242",
        "three common words": "permit sewer zoning",
    }
    bare = bare_ms(url, facts["department_id"], terms["common"])
    # The same, asked by as many connections at once as the registry has clients.
    loaded = bare_ms(url, facts["department_id"], terms["common"], 10, c)
    rss_before = server.worker_rss_mb()
    listing = drive(
        anonymous,
        f"{base}/api/v1/datasets?department={department}&status=published&sort=title",
        n,
        c,
    )
    line("API listing (department, status, title)", listing, f"bare {bare['listing']:.1f} ms")
    # By number, the deep page reads every row before it: a tenth of the requests.
    numbered = drive(anonymous, f"{base}{deep}&page={facts['page']}", max(10, n // 10), c)
    line(f"API listing by title, page {facts['page']:,}", numbered)
    following = drive(anonymous, f"{base}{deep}&after={facts['cursor']}", n, c)
    line("API listing by title, same place by cursor", following)
    for name, term in terms.items():
        address = f"{base}/api/v1/datasets?q={term}"
        matches = requests.get(address, timeout=120).json()["total"]
        found = drive(anonymous, address, n, c)
        extra = (
            f"bare {bare['search']:.1f} ms alone, {loaded['search']:.1f} ms {c} at once"
            if name == "common"
            else ""
        )
        line(f"API search, {name} ({matches:,} found)", found, extra)
    pages = {
        "HTML list with facet counts": "/datasets",
        "HTML list, page 40": "/datasets?page=40",
        "dataset page": f"/datasets/{facts['identifier']}",
        "public catalog": "/catalog",
        "public inventory": "/inventory",
        "dashboard": "/dashboard",
        "release queue": "/queue",
        "program report": "/report",
    }
    for name, path in pages.items():
        line(name, drive(staff, f"{base}{path}", n, c))
    exports = {
        "CSV export, first byte (public)": "/exports/inventory.csv?scope=public",
        "data.json, first byte": "/data.json",
    }
    for name, path in exports.items():
        answers = drive(anonymous, f"{base}{path}", max(5, n // 20), 1, first_byte=True, warm=0)
        line(name, answers)
    if url.startswith("sqlite") and not args.no_datasette:
        beside_datasette(url, facts, base, n, c)
    if args.memory_requests:
        warm = server.worker_rss_mb()
        mix = [(anonymous, f"{base}{path}") for path in MIXED_ANONYMOUS] + [
            (staff, f"{base}{path}") for path in pages.values()
        ]
        # Read five times along the way: caches filling level off, a leak keeps climbing.
        readings, wall = [], 0.0
        for step in range(1, 6):
            wall += mixed(mix, args.memory_requests // 5, c)
            sizes = ", ".join(f"{m:.0f}" for m in server.worker_rss_mb())
            readings.append(f"{step * (args.memory_requests // 5):,}: {sizes}")
        print(
            "  worker memory (MB) at start: "
            + ", ".join(f"{m:.0f}" for m in rss_before)
            + "; with every page served: "
            + ", ".join(f"{m:.0f}" for m in warm)
            + f"; then after more requests ({wall:.0f} s), "
            + "; ".join(readings)
        )
    if args.soak_seconds:
        done, errors = soak(base, facts["token"], args.soak_seconds, args.concurrency)
        server.stop()
        print(
            f"  soak: {done:,} requests in {args.soak_seconds:.0f} s from {args.concurrency} "
            f"clients, {errors} 5xx; audit chain {'verifies' if verify(url) else 'BROKEN'}"
        )
    else:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server; default SQLite")
    parser.add_argument("--requests", type=int, default=200, help="per endpoint")
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 2, help="clients (default: workers)"
    )
    parser.add_argument(
        "--memory-requests", type=int, default=10000, help="mixed requests between the readings"
    )
    parser.add_argument("--keep", default=None, help="a folder to keep (and reuse) inventories in")
    parser.add_argument("--soak-seconds", type=float, default=120)
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="every page with nobody writing, then while people write (scripts/bench_mixed.py)",
    )
    parser.add_argument(
        "--beside-datasette",
        action="store_true",
        help="only the answers read side by side with datasette (SQLite)",
    )
    parser.add_argument(
        "--listings",
        action="store_true",
        help="every filter and sort of the API's listing (scripts/bench_listings.py)",
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; gunicorn workers: {os.cpu_count()}")
    for size in args.sizes.split(","):
        if args.mixed:
            from bench_mixed import measure_mixed

            measure_mixed(int(size), args)
        elif args.listings:
            from bench_listings import measure_listings

            measure_listings(int(size), args)
        elif args.beside_datasette:
            url = database_for(int(size), None, args.keep)
            facts = filled(url, int(size), args.keep)
            server = Gunicorn(url)
            try:
                beside_datasette(url, facts, server.base, args.requests, args.concurrency)
            finally:
                server.stop()
        else:
            measure(int(size), args)


if __name__ == "__main__":
    main()

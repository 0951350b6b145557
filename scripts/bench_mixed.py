"""Pages read while people write: `scripts/bench.py --mixed`.

For each page and API answer, p50 / p95 / max with nobody writing, then again while a
coordinator edits one record a second through the API (alternating its department's priority,
which moves its place in the release queue) and a stakeholder changes a vote every 5 seconds in
an open round. Readers read one page at a time per client, as many clients as workers. Beside
the API listing it prints the bare query's time. Also the slowest first answer of each worker
after it starts (the workers are restarted for it).
"""

import random
import threading
import time

import requests
from bench import Gunicorn, bare_ms, database_for, filled, signed_in, with_token

DEMO_PASSWORDS = {
    "coordinator": ("coordinator@riverton.example", "open-data-lead-2026"),
    "steward": ("steward.pw@riverton.example", "department-data-2026"),
    "committee": ("committee.legal@riverton.example", "governance-vote-2026"),
    "stakeholder": ("stakeholder@riverton.example", "community-voice-2026"),
    "auditor": ("auditor@riverton.example", "check-everything-2026"),
}


def writing_facts(url: str) -> dict:
    """What the writers need: candidates to edit and vote for, an open round, tokens."""
    from datetime import timedelta

    from sqlalchemy import select

    from registry import create_app
    from registry.accounts.services import find_user_by_email
    from registry.accounts.tokens import create_token
    from registry.datasets.models import Dataset
    from registry.db import utcnow
    from registry.extensions import db
    from registry.priorities.rounds import create_round, is_candidate_record
    from registry.priorities.standings import refresh_standings

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HOUSEKEEPING_THREAD": False})
    with app.app_context():
        while refresh_standings():  # a database kept from before the scores were kept
            db.session.commit()
        db.session.commit()
        coordinator = find_user_by_email(DEMO_PASSWORDS["coordinator"][0])
        stakeholder = find_user_by_email(DEMO_PASSWORDS["stakeholder"][0])
        now = utcnow()
        voting_round = create_round(
            {
                "title": "Benchmark round",
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(days=30)).isoformat(),
                "budget": 1000,
                "max_per_item": 3,
            },
            actor=coordinator,
        )
        db.session.commit()
        _, editor = create_token(coordinator, {"name": "bench editor"}, actor=coordinator)
        _, voter = create_token(stakeholder, {"name": "bench voter"}, actor=stakeholder)
        db.session.commit()
        candidates = list(
            db.session.scalars(
                select(Dataset.identifier).where(is_candidate_record()).order_by(Dataset.id)
            ).fetchmany(400)
        )
        published = db.session.scalar(
            select(Dataset.identifier)
            .where(Dataset.status == "published", Dataset.classification == "public")
            .limit(1)
        )
        return {
            "published": published,
            "editor": editor,
            "voter": voter,
            "round": voting_round.id,
            "candidates": candidates,
        }


class Writers:
    """One edit a second from a coordinator and one vote every 5 seconds from a stakeholder,
    through the API, until stopped; counts what they did and what failed."""

    def __init__(self, base: str, facts: dict) -> None:
        self.base, self.facts = base, facts
        self.stopped = threading.Event()
        self.done = {"edits": 0, "votes": 0, "failed": 0}
        self.threads = [
            threading.Thread(target=self._edit, daemon=True),
            threading.Thread(target=self._vote, daemon=True),
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(2)  # writes under way before the first measured read
        return self

    def __exit__(self, *_):
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _edit(self) -> None:
        session, rng = with_token(self.facts["editor"]), random.Random(1)
        while not self.stopped.wait(1.0):
            identifier = rng.choice(self.facts["candidates"])
            address = f"{self.base}/api/v1/datasets/{identifier}"
            current = session.get(address, timeout=60)
            body = {"release_priority": rng.choice(["high", "medium", "low"])}
            answer = session.patch(
                address, json=body, headers={"If-Match": current.headers["ETag"]}, timeout=60
            )
            self._count("edits", answer)

    def _vote(self) -> None:
        session, rng = with_token(self.facts["voter"]), random.Random(2)
        while not self.stopped.wait(5.0):
            identifier = rng.choice(self.facts["candidates"])
            answer = session.put(
                f"{self.base}/api/v1/rounds/{self.facts['round']}/votes/{identifier}",
                json={"votes": rng.randint(0, 3)},
                timeout=60,
            )
            self._count("votes", answer)

    def _count(self, kind: str, answer) -> None:
        self.done[kind] += 1
        if answer.status_code >= 400:
            self.done["failed"] += 1
            failure = f"{kind} {answer.status_code} {answer.text[:200]}"
            self.done.setdefault("first failure", failure)


def as_role(base: str, role: str):
    email, password = DEMO_PASSWORDS[role]
    return lambda: signed_in(base, email, password)


def read(make_session, address: str, total: int, clients: int) -> dict:
    """`total` GETs from `clients` clients, after two each not counted; ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        session = make_session()
        for _ in range(2):
            session.get(address, timeout=120).content  # noqa: B018
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            answer = session.get(address, timeout=120)
            answer.content  # noqa: B018 - the whole body
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed if answer.status_code < 400 else float("inf"))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "max": latencies[-1],
    }


def pages(base: str, facts: dict, writing: dict) -> dict[str, tuple]:
    anonymous = requests.Session
    staff = as_role(base, "coordinator")
    listing = f"{base}/api/v1/datasets?department=PW&status=published&sort=title"
    found = {
        "home": (anonymous, f"{base}/"),
        "catalog": (anonymous, f"{base}/catalog"),
        "dataset page": (anonymous, f"{base}/catalog/{writing['published']}"),
        "inventory": (anonymous, f"{base}/inventory"),
        "dashboard": (anonymous, f"{base}/dashboard"),
        "release queue": (anonymous, f"{base}/queue"),
        "report": (anonymous, f"{base}/report"),
        "rounds": (anonymous, f"{base}/rounds"),
        "requests": (anonymous, f"{base}/requests"),
        "staff list with facets": (staff, f"{base}/datasets"),
        "staff dataset page": (staff, f"{base}/datasets/{writing['candidates'][0]}"),
        "API listing (department, status, title)": (anonymous, listing),
        "API search, common word": (anonymous, f"{base}/api/v1/datasets?q=permit"),
        "API release queue": (anonymous, f"{base}/api/v1/priorities"),
        "API figures": (anonymous, f"{base}/api/v1/stats"),
        "API rounds": (anonymous, f"{base}/api/v1/rounds"),
        "API requests": (anonymous, f"{base}/api/v1/requests"),
        "city performance": (anonymous, f"{base}/performance"),
        "API measures": (anonymous, f"{base}/api/v1/measures"),
    }
    for role in DEMO_PASSWORDS:
        found[f"My work, {role}"] = (as_role(base, role), f"{base}/work")
    return found


def show(name: str, quiet: dict, busy: dict, extra: str = "") -> None:
    def cell(figures: dict) -> str:
        return f"{figures['p50']:7.1f} /{figures['p95']:7.1f} /{figures['max']:7.1f}"

    print(f"  {name:40} {cell(quiet)}   {cell(busy)}{'   ' + extra if extra else ''}")


def measure_mixed(size: int, args) -> None:
    url = database_for(size, args.database_url, args.keep)
    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"\n{size:,} records on {engine}, readers and writers at once")
    facts = filled(url, size, args.keep)
    writing = writing_facts(url)
    server = Gunicorn(url)
    try:
        server.stop()  # the first answer of a worker that just started
        server = Gunicorn(url)
        started = time.perf_counter()
        requests.get(f"{server.base}/", timeout=120)
        first = (time.perf_counter() - started) * 1000
        print(f"  first answer after the workers start: {first:.0f} ms")
        bare = bare_ms(url, facts["department_id"], "permit")
        print(f"  {'p50 / p95 / max ms':40} {'nobody writing':>26}   {'people writing':>26}")
        n, clients = args.requests, args.concurrency
        for name, (make, address) in pages(server.base, facts, writing).items():
            quiet = read(make, address, n, clients)
            with Writers(server.base, writing) as writers:
                busy = read(make, address, n, clients)
            extra = f"bare {bare['listing']:.1f} ms" if name.startswith("API listing") else ""
            if writers.done["failed"]:
                failed = writers.done["failed"]
                extra += f" ({failed} writes failed: {writers.done['first failure']})"
            show(name, quiet, busy, extra)
    finally:
        server.stop()

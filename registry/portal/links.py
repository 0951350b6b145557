"""Whether each portal dataset's landing page and downloads still answer, as CKAN's archiver
and check-link extensions report it: a HEAD first, then (where a server refuses HEAD) a GET of
the first bytes only; at most PORTAL_LINK_CHECKS_PER_SECOND requests a second to any one host;
no private or local address unless the portal was allowed them; redirects followed a few
times, each hop checked the same way. Housekeeping checks the datasets checked longest ago,
each at most once a day, for a bounded time per pass; no transaction is open while it waits
on the network."""

import time
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import requests
from flask import current_app
from sqlalchemy import or_, select, update

from registry.db import before_a_slow_call, utcnow
from registry.extensions import db
from registry.portal.fetch import MAX_REDIRECTS, USER_AGENT, PortalUnreadable, public_only
from registry.portal.models import PortalEntry, PortalSource

TIMEOUT_SECONDS = 10
FIRST_BYTES = 512
MAX_DOWNLOADS = 5  # the landing page and the first five downloads of each dataset
RECHECK_AFTER = timedelta(days=1)


class Pace:
    """At most `per_second` requests a second to each host, by waiting before the next."""

    def __init__(self, per_second: float) -> None:
        self.gap = 1.0 / per_second if per_second > 0 else 1.0  # a nonsense setting: one a second
        self.next_at: dict[str, float] = {}

    def wait(self, host: str) -> None:
        now = time.monotonic()
        ready = self.next_at.get(host, now)
        if ready > now:
            time.sleep(ready - now)
        self.next_at[host] = max(now, ready) + self.gap


def _ask(url: str, method: str) -> requests.Response:
    headers = {"User-Agent": USER_AGENT}
    if method == "GET":
        headers["Range"] = f"bytes=0-{FIRST_BYTES - 1}"
    answer = requests.request(
        method,
        url,
        timeout=TIMEOUT_SECONDS,
        allow_redirects=False,
        stream=True,
        headers=headers,
    )
    if method == "GET":
        next(answer.iter_content(FIRST_BYTES), b"")  # the first bytes answer; no more are read
    answer.close()
    return answer


def _answer(url: str, allow_private: bool, pace: Pace) -> requests.Response:
    """The link's last answer after redirects, HEAD first and GET where HEAD is refused."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PortalUnreadable(f"{url} is not a web address.")
        if not allow_private:
            public_only(parts.hostname)
        pace.wait(parts.hostname.lower())
        answer = _ask(url, "HEAD")
        if answer.status_code >= 400:  # many servers refuse HEAD alone (405, 403, 501)
            pace.wait(parts.hostname.lower())
            answer = _ask(url, "GET")
        if not (answer.is_redirect and answer.headers.get("Location")):
            return answer
        url = urljoin(url, answer.headers["Location"])
    raise PortalUnreadable(f"{url} redirected more than {MAX_REDIRECTS} times.")


def link_problem(url: str, allow_private: bool, pace: Pace) -> str | None:
    """What is wrong with one link, in words, or None when it answers."""
    try:
        answer = _answer(url, allow_private, pace)
    except PortalUnreadable as error:
        return str(error)
    except requests.Timeout:
        return f"{url} did not answer within {TIMEOUT_SECONDS} s."
    except (requests.RequestException, ValueError) as error:  # ValueError: a malformed address
        return f"{url} could not be reached ({type(error).__name__})."
    if answer.status_code >= 400:
        return f"{url} answered {answer.status_code}."
    return None


def problems_of(landing_page: str | None, downloads: list[str], allow_private, pace) -> str | None:
    """Every link of one dataset that answered an error, in words; None when all answered."""
    links = [("The landing page", landing_page)] if landing_page else []
    links += [("A download", url) for url in (downloads or [])[:MAX_DOWNLOADS] if url]
    found = []
    for what, url in links:
        if problem := link_problem(url, allow_private, pace):
            found.append(f"{what}: {problem}")
    return " ".join(found) or None


def _next_due():
    """The portal dataset whose links were checked longest ago (never, first), if due."""
    due = or_(
        PortalEntry.links_checked_at.is_(None),
        PortalEntry.links_checked_at < utcnow() - RECHECK_AFTER,
    )
    return db.session.execute(
        select(
            PortalEntry.id,
            PortalEntry.links_checked_at,
            PortalEntry.landing_page,
            PortalEntry.downloads,
            PortalSource.allow_private,
        )
        .join(PortalSource, PortalSource.id == PortalEntry.source_id)
        .where(due, PortalSource.last_good_at.is_not(None))
        .order_by(PortalEntry.links_checked_at.is_not(None), PortalEntry.links_checked_at)
        .order_by(PortalEntry.id)
        .limit(1)
    ).first()


def check_due_links(budget_seconds: float = 20.0) -> int:
    """Housekeeping: checks the links of the datasets due, one at a time, until none is due or
    the budget is spent; returns how many datasets were checked. Each is claimed in one
    statement first, so two processes never check one dataset at once."""
    pace = Pace(current_app.config["PORTAL_LINK_CHECKS_PER_SECOND"])
    started, checked = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        due = _next_due()
        if due is None:
            break
        entry_id, was, landing_page, downloads, allow_private = due
        unchanged = (
            PortalEntry.links_checked_at.is_(None)
            if was is None
            else PortalEntry.links_checked_at == was
        )
        claimed = db.session.execute(
            update(PortalEntry)
            .where(PortalEntry.id == entry_id, unchanged)
            .values(links_checked_at=utcnow())
        ).rowcount
        before_a_slow_call(db.session)  # commits the claim: nothing is held meanwhile
        if not claimed:
            continue
        problem = problems_of(landing_page, downloads, allow_private, pace)
        db.session.execute(
            update(PortalEntry)
            .where(PortalEntry.id == entry_id)
            .values(link_problem=problem, links_checked_at=utcnow())
        )
        db.session.commit()
        checked += 1
    return checked

"""Configuration: defaults, then REGISTRY_* environment variables, then the caller's mapping."""

import os
from datetime import timedelta
from typing import Any

from flask import Flask

from registry.turns import TurnTakingConnection

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 - refused in production below

MISSING_SECRET_MESSAGE = (
    "Refusing to start in production without a real secret key. Set REGISTRY_SECRET_KEY to a "  # noqa: S105
    "long random value, for example:\n"
    "  export REGISTRY_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\n"
    "and give every worker and host the same value."
)


MISSING_BASE_URL_MESSAGE = (
    "Refusing to start in production without the registry's public address. Set "
    "REGISTRY_BASE_URL, for example:\n  export REGISTRY_BASE_URL=https://registry.city.gov\n"
    "Every absolute link (data.json, feeds, emails) is made from it, never from a request's "
    "Host header."
)


class Defaults:
    ENV = "development"
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # How long a write waits for a lock (SQLite's write lock, a PostgreSQL row lock) before the
    # request answers 503 and changes nothing.
    LOCK_TIMEOUT_SECONDS = 10
    # What a 503 (a write that could not get its lock in time) tells the client to wait.
    RETRY_AFTER_SECONDS = 2
    # The city's name, in the header and page titles ("City of Riverton" in the demo).
    CITY_NAME = ""
    # The open data program's own address (opendata@city.gov): the contact of last resort in
    # the DCAT-US 3.0 catalog, for a record with no contact email whose department has none.
    OPEN_DATA_EMAIL = ""
    # How many requests a second the check of portal datasets' links sends to any one host
    # (portal.links): a city's file server is not to feel it.
    PORTAL_LINK_CHECKS_PER_SECOND = 2.0
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "registry_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # A session begun with the city's account (OpenID Connect) lasts this long; then the city's
    # provider is asked again, so someone it has disabled is out within the hour.
    CITY_ACCOUNT_SESSION_LIFETIME = timedelta(hours=1)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BOOTSTRAP_SERVE_LOCAL = True
    # Sign-in throttling, failures counted in a sliding window (accounts.signin.throttle): an
    # address is refused for an account after this many failures for it, and for every account
    # after the second number; an account failed this often from anywhere (the third) makes new
    # addresses back off, while its owner's usual address is spared.
    SIGN_IN_WINDOW_MINUTES = 15
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 5
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = 20
    SIGN_IN_ACCOUNT_BACKOFF_AFTER = 10
    # werkzeug's scrypt parameters; tests lower the cost, production keeps the library default.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name
    PASSWORD_MIN_LENGTH = 12
    PER_PAGE = 25
    # JSON API rate limits, per client address and per token (Flask-Limiter's syntax), and
    # where they are counted: memory:// (one worker) or redis://host:6379 (all of them).
    API_RATE_LIMIT_PER_ADDRESS = "600 per minute"
    API_RATE_LIMIT_PER_TOKEN = "300 per minute"  # noqa: S105 - a rate, not a secret
    RATELIMIT_STORAGE_URI = "memory://"
    # The city's time zone: "as of a date" means the end of that day here.
    TIMEZONE = "UTC"
    # Inventory uploads: the largest file, and the most rows in one import.
    # Read as the file streams in: a file past a limit is refused when it reaches it.
    IMPORT_MAX_BYTES = 100 * 1024 * 1024
    IMPORT_MAX_ROWS = 300_000
    IMPORT_MAX_BLANK_ROWS = 10_000
    IMPORT_MAX_COLUMNS = 256
    IMPORT_MAX_CELLS = 30_000_000
    # Uploads larger than this, or with more rows, are previewed and imported in the
    # background (a job with a page that shows its progress), never parsed in the request.
    IMPORT_INLINE_BYTES = 2 * 1024 * 1024
    IMPORT_INLINE_ROWS = 5_000
    # From the server's command line (`registry import`), where nobody waits on a request:
    # a state's whole inventory in one file.
    IMPORT_CLI_MAX_BYTES = 400 * 1024 * 1024
    IMPORT_CLI_MAX_ROWS = 300_000
    IMPORT_CLI_MAX_CELLS = 30_000_000
    # Exports from the web of more datasets than this are prepared in the background (a job:
    # the page shows its progress and offers the file when it is ready), kept this long, in
    # this folder (the instance folder's exports/ when empty; give every host the same one).
    EXPORT_BACKGROUND_ROWS = 10_000
    EXPORT_JOB_KEEP_HOURS = 24
    EXPORT_JOBS_DIR = ""
    # A job that has not reported progress for this long was lost with its process: failed.
    EXPORT_JOB_STALE_SECONDS = 120
    # Where background jobs run: a thread in each app process (the embedded default), or RQ
    # when JOBS_REDIS_URL names a Redis (redis://127.0.0.1:6379/0; `registry worker` runs its
    # workers). JOBS_RUNNER = "inline" runs each job at once in the asking request (tests).
    JOBS_REDIS_URL = ""
    JOBS_RUNNER = ""
    # Request bodies larger than this are refused with 413 (uploads have their own limit).
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Email: off unless REGISTRY_MAIL_SERVER is set; the inbox works either way.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "registry@localhost"
    MAIL_TIMEOUT = 10
    # Send queued mail from a thread in each app process, woken after a request commits; with
    # False only `registry mail send` (cron) sends.
    MAIL_BACKGROUND_SENDER = True
    # Announce voting rounds and clear expired uploads from a thread in each app process; with
    # False, run `registry housekeeping` from cron instead.
    HOUSEKEEPING_THREAD = True
    # PostgreSQL guesses that every word prefix matches 2% of the records, so it plans every
    # search alike: with parallel workers, whose start costs more (about 5 ms) than searching a
    # few thousand matches alone, and ranking the matches in its default 4 MB of sort memory,
    # which a word in half the inventory overflows (60 MB of temporary files per search, a
    # fifth of its time). The total, counted before the page is read, tells the planner which:
    # fewer matches than this are searched without workers (and, in another order than
    # relevance, read first: datasets.search), more get this much sort memory for the request's
    # transaction. SQLite needs neither.
    SEARCH_PARALLEL_FROM = 5000
    SEARCH_SORT_MEMORY = "64MB"
    # The registry's public address, e.g. https://registry.city.gov: every absolute link (data.json,
    # feeds, the catalog's structured data, emails) is made from it; required in production.
    BASE_URL = ""


def load_config(app: Flask, config: dict[str, Any] | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("REGISTRY")
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    if is_production(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        check_secret_key(app.config.get("SECRET_KEY"))
        check_base_url(app.config.get("BASE_URL"))


def is_production(app: Flask) -> bool:
    return str(app.config.get("ENV", "")).lower() == "production"


def database_url(app: Flask) -> str:
    """REGISTRY_DATABASE_URL wins, then DATABASE_URL, then SQLite in the instance folder."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    url = url or os.environ.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        return "sqlite:///" + os.path.join(app.instance_path, "registry.sqlite3")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(app: Flask) -> dict[str, Any]:
    """A copy of the configured options (the default dict is shared), with how long a write waits
    for a lock: SQLite's busy timeout, PostgreSQL's lock_timeout; and on SQLite, writers that
    take turns (registry.turns).

    A database server's connections are tried before each use (`pool_pre_ping`), since the
    server may have closed one that waited in the pool (a restart, an idle timeout). A SQLite
    file's cannot be closed from outside, so it is not: the try was a statement of its own at
    the start of every transaction, two in an audited read."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    seconds = float(app.config["LOCK_TIMEOUT_SECONDS"])
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options.setdefault("pool_pre_ping", not url.startswith("sqlite"))
    if url.startswith("sqlite"):
        connect_args.setdefault("timeout", seconds)
        connect_args.setdefault("factory", TurnTakingConnection)  # writers in turn
    elif url.startswith("postgresql"):
        connect_args.setdefault("options", f"-c lock_timeout={int(seconds * 1000)}")
    options["connect_args"] = connect_args
    return options


def check_base_url(url: object) -> None:
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or " " in url:
        raise RuntimeError(MISSING_BASE_URL_MESSAGE)


def check_secret_key(secret: object) -> None:
    if not isinstance(secret, str) or secret == DEV_SECRET_KEY or len(secret) < 32:
        raise RuntimeError(MISSING_SECRET_MESSAGE)

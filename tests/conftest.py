"""Test harness: the schema is built once by the migrations, and every test is rolled back.

REGISTRY_TEST_DATABASE_URL selects the database (CI points it at a fresh PostgreSQL database);
without it the suite runs on a temporary SQLite file.
"""

import os
import tempfile
import uuid

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, orm, text
from sqlalchemy.engine import make_url

from registry import create_app
from registry.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    on_postgres = (TEST_DATABASE_URL or "").startswith("postgresql")
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            item.add_marker(
                pytest.mark.skip(reason="needs REGISTRY_TEST_DATABASE_URL on PostgreSQL")
            )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return TEST_DATABASE_URL or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            # A cheap scrypt keeps hundreds of test users fast; production uses the default cost.
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            # Tests send queued mail themselves (services.deliver_pending), as cron would.
            "MAIL_BACKGROUND_SENDER": False,
            # Hundreds of API calls from one address; the limits have tests of their own.
            "RATELIMIT_ENABLED": False,
            # Tests run housekeeping themselves (registry.housekeeping.run_once).
            "HOUSEKEEPING_THREAD": False,
            # Background exports run at once, in the request that asks for them.
            "JOBS_RUNNER": "inline",
            "EXPORT_JOBS_DIR": tempfile.mkdtemp(prefix="registry-test-exports-"),
        }
    )
    with app.app_context():
        upgrade()

    def forget_the_previous_requests_user():
        """Tests hold one app context open across requests (the factories need it), and Flask
        reuses it, with its `g`, for every request; flask-login caches the user there. Each
        request must find its user from its own cookie or token, as in production."""
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_the_previous_requests_user)
    return app


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Each test runs inside one outer transaction that is rolled back; the app's own commits
    become savepoints, so a test sees exactly what a request would have committed.

    Browser tests talk to a server in another thread with its own database, and concurrency
    tests commit for real in a database of their own, so both opt out.
    """
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker(
        "own_database"
    ):
        yield
        return
    # Answers kept until the audit head moves (registry.memo), and records' kept dumps
    # (registry.datasets.dumps), belong to one test's data: a test that writes rows directly,
    # without the events a service writes, must not read another test's.
    app.extensions.pop("registry_memo", None)
    app.extensions.pop("registry_dumps", None)
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = orm.scoped_session(
            orm.sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """Factories that go through the services, so fixtures are never in an impossible state."""
    return factories


@pytest.fixture
def sign_in(client):
    def _sign_in(user, password=factories.PASSWORD):
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return user

    return _sign_in


class ScratchDatabases:
    """Apps on databases of their own that commit for real: a fresh SQLite *file* on the SQLite
    run, a fresh PostgreSQL database on the PostgreSQL run. Dropped by close()."""

    def __init__(self, database_url: str, folder) -> None:
        self.database_url, self.folder, self.apps = database_url, folder, []

    def __call__(self, _skip_upgrade: bool = False, **config):
        """An app on a new database, migrated unless `_skip_upgrade` (an empty database)."""
        url = make_url(self.database_url)
        admin = None
        if url.get_backend_name() == "postgresql":
            name = f"registry_scratch_{uuid.uuid4().hex[:8]}"
            admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            target = url.set(database=name).render_as_string(hide_password=False)
        else:
            target = f"sqlite:///{self.folder / uuid.uuid4().hex[:8]}.sqlite3"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "scratch-test-secret-key",
                "SQLALCHEMY_DATABASE_URI": target,
                "WTF_CSRF_ENABLED": False,
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                "MAIL_BACKGROUND_SENDER": False,
                "RATELIMIT_ENABLED": False,
                "HOUSEKEEPING_THREAD": False,
                **config,
            }
        )
        if not _skip_upgrade:
            with app.app_context():
                upgrade()
        self.apps.append((app, admin, target))
        return app

    def close(self) -> None:
        for app, admin, target in self.apps:
            # Background threads must not outlive their test: later tests swap db.session.
            for name in ("registry_mail_sender", "registry_housekeeper"):
                if name in app.extensions:
                    app.extensions[name].stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if admin is not None:
                name = make_url(target).database
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                admin.dispose()


@pytest.fixture
def scratch_app(database_url, tmp_path):
    """Makes apps on databases of their own (see ScratchDatabases), for tests whose threads each
    hold their own connection (races, locks, background senders); mark them `own_database`."""
    databases = ScratchDatabases(database_url, tmp_path)
    yield databases
    databases.close()


@pytest.fixture(scope="module")
def demo_app(database_url, tmp_path_factory):
    """The demo city, loaded once per module into a database of its own. Tests using it only
    read (mark them `own_database`: they are outside the per-test rollback)."""
    from registry.demo import load_demo

    databases = ScratchDatabases(database_url, tmp_path_factory.mktemp("demo"))
    app = databases()
    with app.app_context():
        load_demo()
        db.session.commit()
    yield app
    databases.close()

import pytest

from registry import create_app
from registry.config import DEV_SECRET_KEY


@pytest.mark.parametrize("secret", [None, DEV_SECRET_KEY, "short"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, tmp_path, secret):
    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    config = {"ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    config["SECRET_KEY"] = secret
    with pytest.raises(RuntimeError, match="REGISTRY_SECRET_KEY"):
        create_app(config)


def test_production_marks_cookies_secure(tmp_path):
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 64,
            "BASE_URL": "https://registry.city.example",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        }
    )
    assert (app.config["SESSION_COOKIE_SECURE"], app.config["SESSION_COOKIE_HTTPONLY"]) == (
        True,
        True,
    )


def test_settings_come_from_registry_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_DATABASE_URL", "postgres://u@db.internal:5432/registry")
    monkeypatch.setenv("REGISTRY_PER_PAGE", "50")
    app = create_app()
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal:5432/registry"
    )
    assert app.config["PER_PAGE"] == 50


def test_plain_database_url_is_honoured(monkeypatch):
    monkeypatch.delenv("REGISTRY_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.internal/registry")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("url", "tried"),
    [("sqlite:////srv/registry.sqlite3", False), ("postgresql://u@db.internal/registry", True)],
)
def test_a_servers_connections_are_tried_before_use_and_a_files_are_not(monkeypatch, url, tried):
    """A server may close a connection that waited in the pool; nothing closes a SQLite file's,
    and trying it was a statement at the start of each of an audited read's transactions."""
    monkeypatch.setenv("REGISTRY_DATABASE_URL", url)
    assert create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is tried


def test_sqlite_in_the_instance_folder_is_the_default(monkeypatch):
    monkeypatch.delenv("REGISTRY_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/registry.sqlite3"
    )


@pytest.mark.parametrize("url", [None, "", "registry.city.gov"])
def test_production_refuses_to_start_without_its_public_address(tmp_path, url):
    config = {
        "ENV": "production",
        "SECRET_KEY": "x" * 64,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
        "BASE_URL": url,
    }
    with pytest.raises(RuntimeError, match="REGISTRY_BASE_URL"):
        create_app(config)

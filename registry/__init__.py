"""Application factory: builds a registry app from defaults, environment and overrides."""

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    from registry.config import load_config

    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    start_background_work(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from registry.extensions import init_extensions
    from registry.web.requests import init_converters, init_write_intent

    init_converters(app)  # before any route is added
    init_write_intent(app)  # before any other hook can query
    init_extensions(app)


def register_blueprints(app: Flask) -> None:
    from registry.accounts.city_views import city_sign_in
    from registry.accounts.views import admin, auth
    from registry.api.docs import api_docs
    from registry.api.openapi import init_document
    from registry.api.routes import api
    from registry.audit.views import audit
    from registry.catalog.crawlers import crawlers
    from registry.catalog.public import public
    from registry.catalog.views import catalog
    from registry.dashboard.views import dashboard
    from registry.datasets.theme_views import theme_pages
    from registry.datasets.views import datasets
    from registry.notifications.views import notifications
    from registry.performance.stocktake_views import stock_take_pages
    from registry.performance.views import performance_pages
    from registry.portal.views import portal_pages
    from registry.priorities.views import priorities_pages
    from registry.reviews.meeting_views import meetings
    from registry.reviews.views import reviews
    from registry.transfer.export_job_views import export_jobs
    from registry.transfer.import_views import transfer  # the import routes join it

    for blueprint in (
        catalog,
        dashboard,
        public,
        crawlers,
        auth,
        city_sign_in,
        admin,
        datasets,
        theme_pages,
        reviews,
        meetings,
        priorities_pages,
        portal_pages,
        performance_pages,
        stock_take_pages,
        notifications,
        audit,
        transfer,
        export_jobs,
        api_docs,
    ):
        app.register_blueprint(blueprint)
    init_document(app, api)  # registers the API's blueprint, and its routes in the document
    from registry.api.limits import init_rate_limits

    init_rate_limits(app, api)


def register_web(app: Flask) -> None:
    """How every page and API answer is made: errors, refused forms, security headers and
    what templates may use."""
    from registry.web.errors import init_error_handlers
    from registry.web.forms import init_form_pages
    from registry.web.security import init_security_headers
    from registry.web.templates import init_template_globals

    init_error_handlers(app)
    init_form_pages(app)
    init_security_headers(app)
    init_template_globals(app)


def start_background_work(app: Flask) -> None:
    """The threads each app process runs (unless configured away): housekeeping, background
    jobs and the mail sender."""
    from registry.background import init_jobs
    from registry.housekeeping import init_housekeeping
    from registry.notifications.views import init_mail_delivery

    init_housekeeping(app)
    init_jobs(app)
    init_mail_delivery(app)


def register_cli(app: Flask) -> None:
    from registry.audit_subjects import init_audit_subjects
    from registry.cli import init_cli
    from registry.integrity import init_integrity_checks

    init_cli(app)
    init_integrity_checks(app)
    init_audit_subjects(app)

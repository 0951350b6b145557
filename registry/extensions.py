"""The Flask extensions, created unbound here and bound to an app by init_extensions()."""

from flask import Flask
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from registry import ROOT
from registry.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    import registry.models  # noqa: F401 - every model must be known before migrations compare

    migrate.init_app(app, db)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

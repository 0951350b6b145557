"""The JSON API blueprint: wiring only; each domain's api module adds its routes."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

from registry.api import routes  # noqa: E402,F401 - routes attach themselves to the blueprint

"""The OpenAPI document, and a page that explains the API to people."""

import markdown
from flask import Blueprint, jsonify, render_template
from markupsafe import Markup

from registry.api import api
from registry.api.openapi import build_spec
from registry.api.operations import answer, operation

api_docs = Blueprint("api_docs", __name__)


@api.get("/openapi.json")
@operation("This document", ok=(200, "OpenAPI", answer("OpenAPI", {"type": "object"})))
def openapi():
    return jsonify(build_spec())


@api_docs.get("/api")
def page():
    spec = build_spec()
    operations = [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters"  # the path's own, shared by its operations
    ]
    return render_template(
        "api/index.html",
        spec=spec,
        operations=operations,
        description=_markdown(spec["info"]["description"]),
    )


def _markdown(text: str) -> Markup:
    """The document's own prose (written here, never user input), as HTML."""
    return Markup(markdown.markdown(text))  # noqa: S704 - our own text, not user input

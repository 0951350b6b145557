"""The OpenAPI document, and a page that explains the API to people."""

from flask import Blueprint, jsonify, render_template

from registry.api import api
from registry.api.openapi import build_spec

api_docs = Blueprint("api_docs", __name__)


@api.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


@api_docs.get("/api")
def page():
    spec = build_spec()
    operations = [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    return render_template("api/index.html", spec=spec, operations=operations)

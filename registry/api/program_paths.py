"""The program's part of the OpenAPI document: voting rounds and votes, data requests, the
release queue, and the dashboard's figures."""

from apispec import APISpec

from registry.dashboard.schemas import FigureOut
from registry.dashboard.stats import FIGURES as FIGURE_NAMES
from registry.priorities.schemas import (
    PriorityListOut,
    PriorityQuery,
    RequestAnswerIn,
    RequestIn,
    RequestListOut,
    RequestOut,
    RoundIn,
    RoundListOut,
    RoundOut,
    VotesIn,
)

ROUND_ID = {"in": "path", "name": "round_id", "required": True, "schema": {"type": "integer"}}
REQUEST_ID = {"in": "path", "name": "request_id", "required": True, "schema": {"type": "integer"}}
CANDIDATE = {
    "in": "path",
    "name": "candidate",
    "required": True,
    "schema": {"type": "string"},
    "description": "A dataset identifier, or request-<id> for an open data request.",
}


def add_program_paths(spec: APISpec, json_of, errors) -> None:
    """Adds the program's schemas and paths; `json_of` and `errors` are openapi.py's helpers."""
    for name, schema in {
        "Round": RoundOut,
        "RoundIn": RoundIn,
        "RoundList": RoundListOut,
        "VotesIn": VotesIn,
        "DataRequest": RequestOut,
        "DataRequestIn": RequestIn,
        "DataRequestAnswer": RequestAnswerIn,
        "DataRequestList": RequestListOut,
        "PriorityList": PriorityListOut,
    }.items():
        spec.components.schema(name, schema=schema)
    secured = [{"bearer": []}]
    spec.path(
        path="/rounds",
        operations={
            "get": {
                "summary": "Every voting round, newest first (tallies only once closed)",
                "responses": {"200": {"description": "Rounds", **json_of("RoundList")}},
            },
            "post": {
                "summary": "Open a voting round (coordinators)",
                "security": secured,
                "requestBody": {"required": True, **json_of("RoundIn")},
                "responses": {"201": {"description": "Created", **json_of("Round")}}
                | errors("401", "403", "422"),
            },
        },
    )
    spec.path(
        path="/rounds/{round_id}",
        operations={
            "get": {
                "summary": "One round, with the caller's own votes, and its tallies once closed",
                "parameters": [ROUND_ID],
                "responses": {"200": {"description": "The round", **json_of("Round")}}
                | errors("404"),
            }
        },
    )
    spec.path(
        path="/rounds/{round_id}/close",
        operations={
            "post": {
                "summary": "Close a round before its closing time (coordinators)",
                "security": secured,
                "parameters": [ROUND_ID],
                "responses": {
                    "200": {"description": "The closed round", **json_of("Round")},
                    "409": {"description": "Already closed", **json_of("Error")},
                }
                | errors("401", "403", "404"),
            }
        },
    )
    spec.path(
        path="/rounds/{round_id}/votes/{candidate}",
        operations={
            "put": {
                "summary": "Give a candidate n votes in an open round (0 takes them back)",
                "security": secured,
                "parameters": [ROUND_ID, CANDIDATE],
                "requestBody": {"required": True, **json_of("VotesIn")},
                "responses": {
                    "200": {"description": "The round with the caller's votes", **json_of("Round")},
                    "409": {
                        "description": "The round is not open, or that is not a candidate",
                        **json_of("Error"),
                    },
                }
                | errors("401", "403", "404", "422"),
            }
        },
    )
    spec.path(
        path="/requests",
        operations={
            "get": {
                "summary": "Data requests, newest first (500 at most), with their clocks",
                "parameters": [
                    {
                        "in": "query",
                        "name": "status",
                        "schema": {
                            "type": "string",
                            "enum": ["received", "acknowledged", "planned", "declined"],
                        },
                    }
                ],
                "responses": {"200": {"description": "Requests", **json_of("DataRequestList")}}
                | errors("422"),
            },
            "post": {
                "summary": "Ask for data (signed in, or with an email address where allowed)",
                "requestBody": {"required": True, **json_of("DataRequestIn")},
                "responses": {"201": {"description": "Received", **json_of("DataRequest")}}
                | errors("403", "422")
                | {"429": {"description": "Too many from this address", **json_of("Error")}},
            },
        },
    )
    spec.path(
        path="/requests/{request_id}",
        operations={
            "get": {
                "summary": "One data request (never who asked)",
                "parameters": [REQUEST_ID],
                "responses": {"200": {"description": "The request", **json_of("DataRequest")}}
                | errors("404"),
            }
        },
    )
    spec.path(
        path="/requests/{request_id}/answer",
        operations={
            "post": {
                "summary": "Acknowledge, plan a record for, or decline a request (coordinators)",
                "security": secured,
                "parameters": [REQUEST_ID],
                "requestBody": {"required": True, **json_of("DataRequestAnswer")},
                "responses": {
                    "200": {"description": "The request", **json_of("DataRequest")},
                    "409": {"description": "Already answered", **json_of("Error")},
                }
                | errors("401", "403", "404", "422"),
            }
        },
    )
    spec.path(
        path="/priorities",
        operations={
            "get": {
                "summary": "The release queue in score order, with why each stands there, a page "
                "at a time",
                "parameters": [{"in": "query", "schema": PriorityQuery}],
                "responses": {"200": {"description": "A page", **json_of("PriorityList")}}
                | errors("422"),
            }
        },
    )


def add_stats_paths(spec: APISpec, json_of, errors) -> None:
    """The dashboard's figures."""
    from_names = sorted(FIGURE_NAMES)
    spec.components.schema("Figure", schema=FigureOut)
    spec.path(
        path="/stats",
        operations={
            "get": {
                "summary": "The dashboard's figures, by name, with their JSON and CSV addresses",
                "responses": {"200": {"description": "The figures"}},
            }
        },
    )
    spec.path(
        path="/stats/{name}",
        operations={
            "get": {
                "summary": "One figure of the dashboard, now or as of the end of a past day",
                "parameters": [
                    {
                        "in": "path",
                        "name": "name",
                        "required": True,
                        "schema": {"type": "string", "enum": from_names},
                    },
                    {
                        "in": "query",
                        "name": "as_of",
                        "schema": {"type": "string", "format": "date"},
                    },
                ],
                "responses": {"200": {"description": "The figure", **json_of("Figure")}}
                | errors("404", "422"),
            }
        },
    )


EXPORT_QUERY = [
    {
        "in": "query",
        "name": "scope",
        "schema": {"type": "string", "enum": ["public", "approved", "inventory", "full"]},
        "description": "What to include; full is for coordinators and auditors (403 otherwise).",
    },
    {"in": "query", "name": "department", "schema": {"type": "string"}},
    {
        "in": "query",
        "name": "as_of",
        "schema": {"type": "string", "format": "date"},
        "description": "The inventory as that day ended, read by today's restrictions.",
    },
]
FILE_HEADERS = {
    "X-Content-SHA256": {
        "description": "The file's SHA-256, as the audit log keeps it.",
        "schema": {"type": "string"},
    },
    "X-Audit-Head": {
        "description": "The audit log's head when the file was made: its number and hash.",
        "schema": {"type": "string"},
    },
}
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_export_paths(spec: APISpec, json_of, errors) -> None:
    """Exports for scripts with a token: the pages' files, audited alike."""
    secured = [{"bearer": []}, {}]
    spec.path(
        path="/exports/inventory.{extension}",
        operations={
            "get": {
                "summary": "The inventory as an XLSX workbook or a CSV file, in a scope",
                "security": secured,
                "parameters": [
                    {
                        "in": "path",
                        "name": "extension",
                        "required": True,
                        "schema": {"type": "string", "enum": ["xlsx", "csv"]},
                    },
                    *EXPORT_QUERY,
                ],
                "responses": {
                    "200": {
                        "description": "The file",
                        "headers": FILE_HEADERS,
                        "content": {
                            SPREADSHEET: {"schema": {"type": "string", "format": "binary"}},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    }
                }
                | errors("403", "404", "422"),
            }
        },
    )
    spec.path(
        path="/exports/data.json",
        operations={
            "get": {
                "summary": "The public catalog as DCAT-US v1.1 data.json, now or as of a day",
                "security": secured,
                "parameters": EXPORT_QUERY[1:],
                "responses": {
                    "200": {
                        "description": "The catalog",
                        "headers": FILE_HEADERS,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                }
                | errors("422"),
            }
        },
    )

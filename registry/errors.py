"""Domain errors that services raise; registry.web.errors turns them into HTML or JSON responses.

Invalid input is reported with marshmallow's ValidationError (a dict of messages keyed by field),
from schemas and services alike, so every caller handles one shape of error.
"""


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class TooManyRequests(DomainError):
    """Refused for now; `retry_after` (seconds) goes out as the Retry-After header."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str = "", *, retry_after: int | None = None, **details) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after

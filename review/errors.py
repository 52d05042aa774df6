"""Domain errors: each carries a short Chinese message a member of staff can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base: ``message`` is shown to staff as is; ``code`` is stable for API clients."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The thing changed under you (someone else acted first): reload and try again."""

    code = "conflict"
    http_status = 409


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 422

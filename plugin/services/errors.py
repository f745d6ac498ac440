"""Service errors carry a message key, so each platform renders them in the reader's language."""

from __future__ import annotations

from liumai.i18n import t


class ServiceError(Exception):
    """A refusal with a clear reason; raising one always leaves the database unchanged."""

    code = "error"

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)


class InvalidInput(ServiceError):
    code = "invalid"


class NotFound(ServiceError):
    code = "not_found"


class PermissionDenied(ServiceError):
    code = "denied"


class Conflict(ServiceError):
    code = "conflict"


class Unavailable(ServiceError):
    """A transient fault (database connection lost, lock wait exhausted): nothing was saved; try again."""

    code = "unavailable"

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

    def __reduce__(self) -> tuple:
        """Pickled with its key and parameters (an error raised in a worker process is re-raised
        in the parent; the default would rebuild it from the English message)."""
        return (_rebuild, (type(self), self.key, self.params))


def _rebuild(cls: type[ServiceError], key: str, params: dict[str, object]) -> ServiceError:
    return cls(key, **params)


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

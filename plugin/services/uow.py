"""The unit of work every use case runs in: one transaction, and database faults made readable.

A connection dropped mid-request (a failover, `pg_terminate_backend`, a restart) or a lock wait
that ran out rolls the transaction back - nothing half-written - and reaches the user as
"try again" (`Unavailable`) instead of a stack trace. The engine's pool pre-ping replaces dead
connections, so the next request works without restarting the service.

`describe_failure` is how a failure is named in logs and stored error fields: one short line,
never the SQL parameters or row values a database error carries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, StatementError
from sqlmodel import Session

from liumai.services.errors import Unavailable
from liumai.storage.db import session_scope
from liumai.tagging.redact import redact

log = logging.getLogger(__name__)

MAX_FAILURE_CHARS = 240


def describe_failure(exc: BaseException) -> str:
    """`Class: first line of the message` (for a database error also the driver's class), for logs
    and `tag_job.last_error`. The first line only: SQLAlchemy appends the statement and its
    parameters, PostgreSQL a DETAIL line quoting row values. E-mail addresses, phone numbers and
    platform user ids left in that line are masked, so no contact detail is written out."""
    name, message = type(exc).__name__, str(exc)
    if isinstance(exc, StatementError) and exc.orig is not None:
        name, message = f"{name} ({type(exc.orig).__name__})", str(exc.orig)
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    text = redact(f"{name}: {first}" if first else name).text
    return text if len(text) <= MAX_FAILURE_CHARS else text[: MAX_FAILURE_CHARS - 1] + "…"


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    try:
        with session_scope(engine) as session:
            yield session
    except (OperationalError, InterfaceError) as exc:
        log.warning("database unavailable, transaction rolled back: %s", str(exc).splitlines()[0])
        raise Unavailable("db.unavailable") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            log.warning("database connection lost, transaction rolled back: %s", str(exc).splitlines()[0])
            raise Unavailable("db.unavailable") from exc
        raise

"""The unit of work every use case runs in: one transaction, and database faults made readable.

A connection dropped mid-request (a failover, `pg_terminate_backend`, a restart) or a lock wait
that ran out rolls the transaction back - nothing half-written - and reaches the user as
"try again" (`Unavailable`) instead of a stack trace. The engine's pool pre-ping replaces dead
connections, so the next request works without restarting the service.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

from plugin.services.errors import Unavailable
from storage.db import session_scope

log = logging.getLogger(__name__)


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

"""The Feishu bot's worker pool: events are acknowledged at once and their work runs here.

Work is counted as pending from the moment it is queued (or, for `defer`, from when a card
callback promises it), so `wait_idle` is a reliable "everything answered" for tests and shutdown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, workers: int = 4) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feishu")
        self._pending = 0
        self._cv = threading.Condition()

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        with self._cv:
            self._pending += 1
        self._executor.submit(self._run, fn, *args)

    def defer(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Work counted as pending now but started later (after a callback's answer is sent)."""
        with self._cv:
            self._pending += 1

        def start() -> None:
            self._executor.submit(self._run, fn)

        return start

    def _run(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("feishu background work failed")
        finally:
            with self._cv:
                self._pending -= 1
                self._cv.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no queued or running work is left (tests; graceful shutdown)."""
        with self._cv:
            return self._cv.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)

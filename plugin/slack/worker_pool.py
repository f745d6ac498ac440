"""The lazy listeners' pool: where Slack work after the acknowledgement runs (as Feishu's
`liumai.feishu.worker_pool`), counted so shutdown and tests can wait until it is done."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

LAZY_WORKERS = 8


class TrackingExecutor(ThreadPoolExecutor):
    """The lazy listeners' pool: knows how many tasks are unfinished, so shutdown and tests can
    wait until background work is done instead of sleeping."""

    def __init__(self, max_workers: int = LAZY_WORKERS, name: str = "slack-lazy") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args: Any, **kwargs: Any) -> Future:
        with self._idle:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future | None) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    @property
    def pending(self) -> int:
        return self._pending

    def wait_idle(self, timeout: float) -> bool:
        """True when every submitted task has finished within `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

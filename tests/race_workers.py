"""Helpers for the race tests: worker processes released together, and a deterministic interleaving.

`Racer` starts `n` spawned processes - each with its own engine, the way replicas of `liumai serve`
share one database - that run the service call they are sent; every round all of them wait on one
`multiprocessing.Barrier` and then call at once. The functions live here (not in a test module) so
a spawned child imports only what it needs.

`PauseFirstWrite` holds the first write to the named tables, from whichever thread makes it, until
the test releases it: "A has read, B runs to the end, then A writes" - the interleaving that a
read-then-write check loses - happens every time instead of by timing luck.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import threading
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, event

from liumai.config import load_settings
from liumai.rubric import default_rubric
from liumai.services import digest as dg
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.context import AppContext
from liumai.services.errors import ServiceError
from liumai.slack.digest import SlackDigestPoster
from liumai.storage.db import make_engine

RESULT_TIMEOUT_S = 120.0


def _context(url: str, env: dict[str, str]) -> AppContext:
    settings = load_settings(LIUMAI_DATABASE_URL=url, **env)
    return AppContext(settings=settings, engine=make_engine(url), rubric=default_rubric(), tagger=None)  # type: ignore[arg-type]


class NoHistoryCheck(SlackDigestPoster):
    """The Slack poster without its channel-history check: only the database claim guards a post."""

    def already_posted(self, target: str, digest: dg.Digest) -> bool:
        return False


def _decide_in_threads(ctx: AppContext, threads: int, *call: Any) -> list[Any]:
    """`threads` concurrent decisions inside this process, released together."""
    gate = threading.Barrier(threads)
    out: list[Any] = []

    def one() -> None:
        gate.wait(timeout=RESULT_TIMEOUT_S)
        try:
            out.append(ev.decide(ctx, *call).changed)
        except Exception as exc:  # reported to the test, which fails on it
            out.append(f"{exc.__class__.__name__}: {exc}")

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(RESULT_TIMEOUT_S)
    return out


def _run(ctx: AppContext, name: str, args: tuple) -> Any:
    if name == "confirm":
        return nom.confirm(ctx, *args).id
    if name == "cancel":
        return nom.cancel(ctx, *args).status
    if name == "decide":
        return ev.decide(ctx, *args).changed
    if name == "decide_threads":
        return _decide_in_threads(ctx, *args)
    if name == "post_digest":
        team, week, base_url, token = args
        poster = NoHistoryCheck(ctx, lambda: WebClient(token=token, base_url=base_url))
        return dg.post_digest(ctx, team, week, [poster], owner=f"pid-{mp.current_process().pid}").status
    raise ValueError(name)


def serve(url: str, env: dict[str, str], barrier, inbox, outbox) -> None:
    """Run each (name, args) sent on `inbox` as soon as every peer is ready; answer on `outbox`."""
    ctx = _context(url, env)
    outbox.put(("ready", None))
    while (task := inbox.get()) is not None:
        name, args = task
        try:
            barrier.wait(timeout=RESULT_TIMEOUT_S)
            outbox.put(("ok", _run(ctx, name, args)))
        except ServiceError as exc:
            outbox.put(("refused", exc.key))
        except Exception as exc:  # reported to the test, which fails on it
            outbox.put(("error", f"{exc.__class__.__name__}: {exc}"))
    ctx.engine.dispose()


class Racer:
    """`n` worker processes released together by a barrier, one task each per round."""

    def __init__(self, url: str, n: int, env: dict[str, str] | None = None) -> None:
        spawn = mp.get_context("spawn")  # no fork of a process that runs servers in threads
        self.barrier = spawn.Barrier(n)
        self.inboxes = [spawn.Queue() for _ in range(n)]
        self.outboxes = [spawn.Queue() for _ in range(n)]
        self.procs = [
            spawn.Process(target=serve, args=(url, env or {}, self.barrier, i, o), daemon=True)
            for i, o in zip(self.inboxes, self.outboxes, strict=True)
        ]
        for p in self.procs:
            p.start()
        for o in self.outboxes:
            assert o.get(timeout=RESULT_TIMEOUT_S) == ("ready", None)

    def round(self, *tasks: tuple[str, tuple]) -> list[tuple[str, Any]]:
        """Send one task to each worker (in order); return their answers in the same order."""
        assert len(tasks) == len(self.procs)
        for inbox, task in zip(self.inboxes, tasks, strict=True):
            inbox.put(task)
        return [o.get(timeout=RESULT_TIMEOUT_S) for o in self.outboxes]

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for p in self.procs:
            p.join(30)
            if p.is_alive():  # pragma: no cover - a hung worker must not hang the suite
                p.kill()
                p.join(5)

    def __enter__(self) -> Racer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PauseFirstWrite:
    """Holds the first UPDATE / INSERT of one of `tables` on `engine` until `release()`."""

    def __init__(self, engine: Engine, tables: tuple[str, ...] = ("nomination", "evidence", "audit_log")) -> None:
        self.engine = engine
        self.pattern = re.compile(rf"^\s*(UPDATE|INSERT INTO)\s+\"?({'|'.join(tables)})\b", re.IGNORECASE)
        self.reached = threading.Event()
        self.paused_statement = ""
        self._go = threading.Event()
        self._armed = True
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        if not self.pattern.match(statement):
            return
        with self._lock:
            if not self._armed:
                return
            self._armed = False
        self.paused_statement = statement
        self.reached.set()
        self._go.wait(RESULT_TIMEOUT_S)

    def wait_reached(self, timeout: float = RESULT_TIMEOUT_S) -> None:
        assert self.reached.wait(timeout), "the paused write was never reached"

    def release(self) -> None:
        self._go.set()

    def close(self) -> None:
        self._go.set()
        event.remove(self.engine, "before_cursor_execute", self._hook)

    def __enter__(self) -> PauseFirstWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


BY = "bob@example.com"
CRITERION = "teamwork.3"
STORY = "Ann walked the on-call rota through the outage and wrote up what each of us should do next time"


def new_nomination(ctx, i: int = 0) -> int:
    return nom.nominate(ctx, BY, "ann@example.com", f"{STORY} ({i}).", tag=False).nomination.id


def in_thread(fn, *args: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn(*args)
        except Exception as exc:
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    return t, out

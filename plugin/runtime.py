"""Wiring in one place: the running Liumai built from settings (docs/architecture.md, "Runtime").

`liumai serve` asks for a `Runtime` and runs its ASGI app; everything it assembles lives here: the
platform integrations the settings ask for (each validates its own settings), the one ASGI app with
their routes and /healthz, the tag worker thread, the integrations' background connections, and the
scheduler for weekly digests and the daily retention purge. `close()` undoes it in reverse order.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler
from starlette.applications import Starlette

from liumai.services import tag_worker
from liumai.services.context import AppContext
from liumai.services.digest import DigestPoster
from liumai.services.scheduler import start_digest_scheduler
from liumai.web import Integration, create_app


def build_integrations(ctx: AppContext) -> list[Integration]:
    """The platform adapters the configuration asks for; a bad setting raises ConfigError naming it."""
    s = ctx.settings
    out: list[Integration] = []
    if s.slack_bot_token or s.slack_client_id or s.slack_app_token or s.slack_signing_secret:
        from liumai.slack import build_slack

        out.append(build_slack(ctx))
    if s.feishu_app_id:
        from liumai.feishu import build_feishu

        out.append(build_feishu(ctx))
    return out


def digest_posters(integrations: list[Integration]) -> list[DigestPoster]:
    """The integrations' digest posters (an integration may have none)."""
    return [p for p in (i.digest_poster() for i in integrations) if p is not None]


@dataclass
class Runtime:
    """The app `serve` runs and the background work around it."""

    ctx: AppContext
    integrations: list[Integration]
    app: Starlette
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    scheduler: BackgroundScheduler | None = None

    def start(self, *, worker: bool = True) -> None:
        """Start the tag worker (if asked), the integrations' connections and the scheduler.

        A bad scheduler setting raises ConfigError after stopping whatever had started.
        """
        if worker:
            t = threading.Thread(
                target=tag_worker.run_forever,
                args=(self.ctx, self.stop),
                # The LLM tagger's own offline fallback (already indexed), or the offline tagger itself.
                kwargs={"fallback": getattr(self.ctx.tagger, "fallback", self.ctx.tagger)},
                name="tag-worker",
                daemon=True,
            )
            t.start()
            self.threads.append(t)
        for integration in self.integrations:
            background = integration.start_background(self.stop)
            if background is not None:
                self.threads.append(background)
        try:
            self.scheduler = start_digest_scheduler(self.ctx, digest_posters(self.integrations))
        except Exception:
            self.stop.set()
            raise

    def close(self) -> None:
        """Stop the background work and let the integrations finish in-flight replies."""
        self.stop.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        for integration in self.integrations:
            integration.close()

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.integrations]


def build_runtime(ctx: AppContext) -> Runtime:
    """Integrations and the ASGI app for `ctx.settings`; nothing runs until `start()`."""
    integrations = build_integrations(ctx)
    return Runtime(ctx=ctx, integrations=integrations, app=create_app(ctx, integrations))

"""Liumai in Slack (slack-bolt): `/nominate`, the nomination form, the message shortcut,
`/values`, reviews, concerns and the App Home - thin translators onto `liumai.services`.

`build_slack(ctx)` validates the Slack settings (one line naming the variable on error), builds
the Bolt app and returns a `SlackIntegration` that `liumai serve` mounts:

- HTTP mode (`SLACK_SIGNING_SECRET`): routes `/slack/events` and, with OAuth install
  (`SLACK_CLIENT_ID`/`SLACK_CLIENT_SECRET`), `/slack/install` and `/slack/oauth_redirect`.
- Socket Mode (`SLACK_APP_TOKEN`): a background connection started by `start_background`
  (OAuth routes are still served when OAuth install is configured).

`digest_poster()` gives `liumai digest --post` and the scheduler in `serve` the Slack
`DigestPoster` (a team's `slack_channel_id`; see `liumai.slack.digest`).

Where things are. Both adapters use one vocabulary of module names, so a feature is found in the
same place on Slack and on Feishu (`liumai.feishu` has the same modules; docs/architecture.md,
"Adapters", lists both side by side):

- `dispatch`: where the platform's requests go (de-duplication, then one module per entry point);
- `commands`: the `/nominate` and `/values` entry handlers (the `/values` words are the shared
  `liumai.commands`, read in `parsing`);
- `nomination_flow`: nominating after the command - the form, its steps, the nominee's DM;
- `actions`: buttons, selects and form callbacks (reply buttons, review decisions, concern form, erase);
- `reports` and `records`: the report subcommands (summary, team, digest) and the record ones
  (evidence, export, erase);
- `views` (primitives, ids, limits), `nomination_views`, `review_views` and `report_blocks`: rendering;
- `digest`: the weekly digest poster; `texts`: the words (the message catalogue);
- `base`: what every handler shares (the reader's language, refusals and apologies);
- `settings` (validated at start), `security` (request verification), `asgi` (the HTTP routes),
  `logs` (redaction), `worker_pool` (work after the acknowledgement).
Slack-only: `app` (the Bolt app), `body` (signed but malformed bodies), `home` (the App Home tab)
and `manifest`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import select
from starlette.routing import BaseRoute

from liumai.services.context import AppContext
from liumai.services.deliveries import prune
from liumai.slack.app import check_app_token, create_bolt_app, secret_engine, web_client
from liumai.slack.asgi import bolt_routes
from liumai.slack.base import PLATFORM, Deps
from liumai.slack.digest import SlackDigestPoster
from liumai.slack.security import RequestGuard
from liumai.slack.settings import SlackConfig, slack_config
from liumai.slack.worker_pool import TrackingExecutor

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger(__name__)

KEEP_DELIVERY_DAYS = 30  # de-duplication claims kept; Slack stops retrying within minutes


class SlackIntegration:
    """What `serve` needs from Slack: HTTP routes and, in Socket Mode, a background connection."""

    name = "slack"

    def __init__(self, app: App, deps: Deps, config: SlackConfig, executor: TrackingExecutor) -> None:
        self.app = app
        self.deps = deps
        self.config = config
        self.executor = executor
        self._socket: SocketModeHandler | None = None
        # Forged or stale requests are refused before Bolt, each with a WARNING line and a count.
        self.guard = RequestGuard(config.signing_secret, deps.logger) if config.signing_secret else None

    def routes(self) -> Sequence[BaseRoute]:
        return bolt_routes(self.app, events=self.config.http_events, guard=self.guard)

    def digest_poster(self) -> SlackDigestPoster:
        """Posts weekly digests to each team's Slack channel (`liumai digest --post` and `serve`).

        One workspace: the bot token. OAuth install: the most recently installed workspace's bot
        (a team names a channel, not a workspace; with several workspaces installed the digest
        goes to the newest one - see `_installed_bot_client`).
        """
        return SlackDigestPoster(self.deps.ctx, self._digest_client, logger=self.deps.logger)

    def _digest_client(self) -> WebClient | None:
        if self.config.bot_token:
            return web_client(self.config, self.deps.logger, self.config.bot_token)
        return self._installed_bot_client()

    def _installed_bot_client(self) -> WebClient | None:
        """OAuth mode: a client with the newest installation's bot token, or None before any install.

        The one database read left in the Slack adapter, on purpose: the `bots` table belongs to
        slack-sdk's `SQLAlchemyInstallationStore` (wired in `liumai.slack.app._oauth_settings`), not
        to Liumai's storage, and has no service - it is OAuth infrastructure, like the store itself.
        """
        store = self.app.installation_store
        bots = getattr(store, "bots", None)
        if store is None or bots is None:
            return None
        # Installation-store wiring (slack-sdk's table, through `secret_engine`), not a query of ours.
        with secret_engine(self.deps.ctx.engine).connect() as conn:
            row = conn.execute(
                select(bots.c.bot_token, bots.c.team_id)
                .where(bots.c.client_id == self.config.client_id)
                .order_by(bots.c.installed_at.desc())
                .limit(1)
            ).first()
        if row is None or not row.bot_token:
            self.deps.logger.warning("slack: no workspace has installed the app yet; digests cannot be posted")
            return None
        return web_client(self.config, self.deps.logger, row.bot_token)

    def start_background(self, stop: threading.Event) -> threading.Thread | None:
        """Socket Mode only: connect, keep the connection until `stop`, then close it."""
        if self.config.mode != "socket":
            return None
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(
            self.app,
            app_token=self.config.app_token,
            logger=self.deps.logger,
            web_client=web_client(self.config, self.deps.logger),
        )
        self._socket = handler

        def run() -> None:
            try:
                handler.connect()
                stop.wait()
            except Exception:
                self.deps.logger.exception("slack socket mode connection failed")
            finally:
                try:
                    handler.close()
                finally:
                    self.executor.wait_idle(30)

        thread = threading.Thread(target=run, name="slack-socket-mode", daemon=True)
        thread.start()
        return thread

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every lazy listener (tagging, replies) has finished; True if it did."""
        return self.executor.wait_idle(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish in-flight work and stop the lazy listener pool."""
        self.executor.wait_idle(timeout)
        if self._socket is not None:
            self._socket.close()
        self.executor.shutdown(wait=False)


def build_slack(ctx: AppContext, *, settle_s: float = 0.5) -> SlackIntegration:
    """Validate the Slack settings in `ctx.settings` and build the integration.

    Raises `liumai.config.ConfigError` (one line naming the variable) when a setting is missing,
    contradictory, or refused by Slack (the bot token is checked with auth.test, the app token
    with apps.connections.open). `settle_s` is how long the form's progress screen stays up at
    least, so Slack has applied it before the suggestions replace it (tests pass 0).
    """
    config = slack_config(ctx.settings)
    executor = TrackingExecutor()
    app, deps = create_bolt_app(config, ctx, executor=executor, settle_s=settle_s)
    if config.mode == "socket":
        check_app_token(config, deps.logger)
    try:
        prune(ctx, PLATFORM, KEEP_DELIVERY_DAYS)
    except Exception as exc:  # housekeeping must never stop the start
        log.warning("could not prune old slack deliveries: %s", exc.__class__.__name__)
    return SlackIntegration(app, deps, config, executor)


__all__ = ["SlackConfig", "SlackIntegration", "build_slack", "slack_config"]

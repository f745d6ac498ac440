"""Where Slack's requests go: `register_all` puts the event de-duplication in front and attaches
every listener, one module per kind of entry point - the slash commands (`commands`), the form of
the nomination (`nomination_flow`), buttons and form callbacks (`actions`) and the App Home (`home`)."""

from __future__ import annotations

from slack_bolt import App, BoltResponse

from liumai.services.deliveries import claim
from liumai.slack import actions, commands, home, nomination_flow
from liumai.slack.base import PLATFORM, Deps


def register_all(app: App, deps: Deps) -> None:
    """Every listener of the Liumai Slack app, plus event de-duplication in front of them."""

    @app.middleware
    def skip_repeated_events(body: dict, next, logger) -> BoltResponse | None:
        """Slack re-sends an event it thinks was lost (X-Slack-Retry-Num); act on each event id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not claim(deps.ctx, PLATFORM, f"event:{event_id}"):
            logger.info("skipping repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    if not deps.config.oauth:  # with OAuth, Bolt's token revocation listeners handle these

        @app.event("app_uninstalled")
        @app.event("tokens_revoked")
        def note_uninstall(event: dict, logger) -> None:
            """Acknowledge (so Slack does not retry) and leave a trace for the operator."""
            logger.warning("slack: %s received; the bot token no longer works", event.get("type"))

    commands.register(app, deps)
    nomination_flow.register(app, deps)
    actions.register(app, deps)
    home.register(app, deps)


__all__ = ["Deps", "register_all"]

"""Which Slack set-up the configuration asks for, checked once before anything starts.

Slack can be wired four ways (Socket Mode or HTTP; one workspace with a bot token or many with
OAuth install), and most mistakes only show up when the first colleague types `/nominate`. So
every combination is checked here, at start-up, and a mistake fails with one line naming the
variable to fix (a `liumai.config.ConfigError`) - never with a token's value in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from liumai.config import ConfigError, Settings

DEFAULT_API_URL = "https://slack.com/api/"
_COMMAND_RE = re.compile(r"^/[a-z0-9_\-]{1,31}$")
_SECRET_RE = re.compile(r"^[0-9a-fA-F]{16,}$")
_CLIENT_ID_RE = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True)
class SlackConfig:
    """The validated Slack settings; `mode` and `oauth` say how the app runs."""

    mode: Literal["socket", "http"]
    oauth: bool
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    client_id: str | None
    client_secret: str | None
    api_url: str
    nominate_command: str = "/nominate"
    values_command: str = "/values"
    notify_nominee: bool = True

    @property
    def http_events(self) -> bool:
        """Whether Slack sends requests over HTTP (needs the signing secret to verify them)."""
        return bool(self.signing_secret)

    def secrets(self) -> list[str]:
        """Every configured secret, so log redaction can remove them verbatim."""
        return [s for s in (self.bot_token, self.signing_secret, self.app_token, self.client_secret) if s]


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def slack_config(settings: Settings, env: Mapping[str, str] | None = None) -> SlackConfig:
    """Validate Slack settings; raises ConfigError naming the first variable that is wrong.

    The command names come from `SLACK_NOMINATE_COMMAND` / `SLACK_VALUES_COMMAND` (defaults
    `/nominate`, `/values`) so a workspace that already has a `/values` command can rename ours.
    """
    # `env` overrides the settings (tests, `liumai slack manifest`); normally the settings hold them.
    env = (
        env
        if env is not None
        else {
            "SLACK_NOMINATE_COMMAND": settings.slack_nominate_command,
            "SLACK_VALUES_COMMAND": settings.slack_values_command,
        }
    )
    bot_token = _clean(settings.slack_bot_token)
    secret = _clean(settings.slack_signing_secret)
    app_token = _clean(settings.slack_app_token)
    client_id = _clean(settings.slack_client_id)
    client_secret = _clean(settings.slack_client_secret)
    oauth = bool(client_id or client_secret)
    _check_install(bot_token, client_id, client_secret)
    _check_tokens(bot_token, app_token, client_id)
    mode: Literal["socket", "http"] = "socket" if app_token else "http"
    _check_signing_secret(secret, mode)
    api_url = _api_url(settings.slack_api_url)
    nominate, values = _commands(env)
    return SlackConfig(
        mode=mode,
        oauth=oauth,
        bot_token=bot_token,
        signing_secret=secret,
        app_token=app_token,
        client_id=client_id,
        client_secret=client_secret,
        api_url=api_url,
        nominate_command=nominate,
        values_command=values,
        notify_nominee=settings.notify_nominee,
    )


def _check_install(bot_token: str | None, client_id: str | None, client_secret: str | None) -> None:
    """One workspace (a bot token) or many (OAuth install: client id and secret), never both or neither."""
    if client_secret and not client_id:
        raise ConfigError.of("SLACK_CLIENT_ID", "required_for_oauth", other="SLACK_CLIENT_SECRET")
    if client_id and not client_secret:
        raise ConfigError.of("SLACK_CLIENT_SECRET", "required_for_oauth", other="SLACK_CLIENT_ID")
    oauth = bool(client_id or client_secret)
    if oauth and bot_token:
        raise ConfigError.of("SLACK_BOT_TOKEN", "slack_install_both")
    if not oauth and not bot_token:
        raise ConfigError.of("SLACK_BOT_TOKEN", "slack_install_none")


def _check_tokens(bot_token: str | None, app_token: str | None, client_id: str | None) -> None:
    """Each credential has the shape of its kind (a user token pasted as the bot token fails here)."""
    if bot_token and not bot_token.startswith("xoxb-"):
        raise ConfigError.of("SLACK_BOT_TOKEN", "slack_bot_token_shape")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError.of("SLACK_APP_TOKEN", "slack_app_token_shape")
    if client_id and not _CLIENT_ID_RE.match(client_id):
        raise ConfigError.of("SLACK_CLIENT_ID", "slack_client_id_shape")


def _check_signing_secret(secret: str | None, mode: str) -> None:
    """HTTP mode cannot verify requests without the signing secret; a set one must look like one."""
    if mode == "http" and not secret:
        raise ConfigError.of("SLACK_SIGNING_SECRET", "slack_signing_required")
    if secret and not _SECRET_RE.match(secret):
        raise ConfigError.of("SLACK_SIGNING_SECRET", "slack_signing_shape")


def _api_url(value: str | None) -> str:
    """The Web API base URL, ending in a slash (slack-sdk joins method names onto it)."""
    api_url = _clean(value) or DEFAULT_API_URL
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise ConfigError.of("SLACK_API_URL", "http_url", example="https://slack.com/api/")
    return api_url if api_url.endswith("/") else api_url + "/"


def _commands(env: Mapping[str, str | None]) -> tuple[str, str]:
    """The two slash command names: well-formed and different from each other."""
    nominate = _clean(env.get("SLACK_NOMINATE_COMMAND")) or "/nominate"
    values = _clean(env.get("SLACK_VALUES_COMMAND")) or "/values"
    for var, cmd in (("SLACK_NOMINATE_COMMAND", nominate), ("SLACK_VALUES_COMMAND", values)):
        if not _COMMAND_RE.match(cmd):
            raise ConfigError.of(var, "slash_command")
    if nominate == values:
        raise ConfigError.of("SLACK_VALUES_COMMAND", "must_differ", other="SLACK_NOMINATE_COMMAND")
    return nominate, values

"""The Bolt app factory: settings and services in, a configured `slack_bolt.App` out.

Choices made here, once, for every way the app runs:
- `process_before_response=True`: the acknowledging function runs in the request thread and
  returns the HTTP response itself; only lazy listeners run afterwards, on their own pool. An
  acknowledgement therefore never queues behind slow work (tagging), and Socket Mode and HTTP
  behave the same.
- Lazy listeners run on a `TrackingExecutor` (`liumai.slack.worker_pool`), so shutdown (and tests)
  can wait until in-flight work is done instead of guessing with sleeps.
- One `WebClient` (base URL from `SLACK_API_URL`) with slack-sdk's retry handlers: connection
  errors and HTTP 429 (honouring Retry-After). Bolt copies its base URL and retry handlers into
  every per-request client, and OAuth uses it for `oauth.v2.access`.
- The OAuth stores (which hold bot tokens) use the database through `secret_engine`, so SQL
  logging never shows a token.
- A bot token is checked with `auth.test` at start, so a wrong token fails the start-up with a
  line naming `SLACK_BOT_TOKEN` instead of failing the first colleague's request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from liumai.config import ConfigError
from liumai.services.context import AppContext
from liumai.slack.base import Deps
from liumai.slack.body import bolt_error_handler
from liumai.slack.dispatch import register_all
from liumai.slack.logs import slack_logger
from liumai.slack.manifest import BOT_SCOPES
from liumai.slack.settings import DEFAULT_API_URL, SlackConfig
from liumai.slack.texts import tx
from liumai.slack.worker_pool import TrackingExecutor

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
OAUTH_STATE_TTL_S = 600
# Shown by Bolt when a workspace that never installed the app sends a request (OAuth mode); the
# reader's language is unknown at that point, so both.
NOT_INSTALLED = f":warning: {tx('not_installed', 'en')} / {tx('not_installed', 'zh')}"


def retry_handlers() -> list:
    """slack-sdk's own retry handlers: one owner for retries, Retry-After honoured on 429."""
    return [ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=2)]


def web_client(config: SlackConfig, logger: logging.Logger, token: str | None = None) -> WebClient:
    return WebClient(
        token=token,
        base_url=config.api_url,
        logger=logger,
        timeout=15,
        retry_handlers=retry_handlers(),
    )


def secret_engine(engine: Engine) -> Engine:
    """The same engine (one pool) with SQL parameters kept out of logs and error messages.

    The installation store writes and reads bot tokens; with the root logger at INFO or DEBUG,
    SQLAlchemy logs every statement's parameters - the tokens among them. An option engine shares
    the pool and differs only in `hide_parameters`, so nothing else changes.
    """
    hidden = engine.execution_options()
    hidden.hide_parameters = True
    return hidden


def _oauth_settings(config: SlackConfig, ctx: AppContext, logger: logging.Logger) -> OAuthSettings:
    assert config.client_id and config.client_secret
    engine = secret_engine(ctx.engine)
    return OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=SQLAlchemyInstallationStore(config.client_id, engine=engine, logger=logger),
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_TTL_S, engine=engine, logger=logger),
        state_expiration_seconds=OAUTH_STATE_TTL_S,
        logger=logger,
    )


def create_bolt_app(
    config: SlackConfig,
    ctx: AppContext,
    *,
    executor: TrackingExecutor | None = None,
    logger: logging.Logger | None = None,
    settle_s: float = 0.5,
) -> tuple[App, Deps]:
    """Build the Bolt app for `config` on the services in `ctx`; raises ConfigError on bad settings."""
    logger = logger or slack_logger(config.secrets())
    client = web_client(config, logger, config.bot_token)
    executor = executor or TrackingExecutor()
    try:
        with _env_token_ignored(logger):
            app = _bolt_app(config, ctx, client, executor, logger)
    except BoltError as exc:
        raise ConfigError.of("SLACK_BOT_TOKEN", "slack_refused", reason=_reason(exc)) from None
    except SlackApiError as exc:
        raise ConfigError.of("SLACK_BOT_TOKEN", "slack_refused", reason=exc.response.get("error")) from None
    except OSError as exc:
        var = "SLACK_API_URL" if config.api_url != DEFAULT_API_URL else "SLACK_BOT_TOKEN"
        raise ConfigError.of(var, "slack_unreachable", url=config.api_url, error=exc.__class__.__name__) from None
    # A signed body whose fields Bolt chokes on is a 400 with one line, not a 500 and a traceback.
    app.error(bolt_error_handler)
    if config.oauth:
        app.enable_token_revocation_listeners()
    deps = Deps(ctx=ctx, config=config, logger=logger, retry_handlers=retry_handlers(), settle_s=settle_s)
    register_all(app, deps)
    return app, deps


def _bolt_app(
    config: SlackConfig, ctx: AppContext, client: WebClient, executor: TrackingExecutor, logger: logging.Logger
) -> App:
    return App(
        name="liumai",
        logger=logger,
        process_before_response=True,
        signing_secret=config.signing_secret or "",
        client=client,
        oauth_settings=_oauth_settings(config, ctx, logger) if config.oauth else None,
        listener_executor=executor,
        token_verification_enabled=True,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )


@contextmanager
def _env_token_ignored(logger: logging.Logger) -> Iterator[None]:
    """Bolt reads SLACK_BOT_TOKEN from the environment itself even when it is given a client, and then
    warns at every start that the token "will be unused". Our client carries that same token (and our
    API URL, timeouts and retries), so the warning says nothing: drop that one message while Bolt is built."""
    unused = warning_client_prioritized_and_token_skipped()

    def keep(record: logging.LogRecord) -> bool:
        return record.getMessage() != unused

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for word in ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"):
        if word in text:
            return word
    return text.splitlines()[0][:120] if text else exc.__class__.__name__


def check_app_token(config: SlackConfig, logger: logging.Logger) -> None:
    """Socket Mode: ask Slack for a connection URL once, so a wrong SLACK_APP_TOKEN fails at start."""
    client = web_client(config, logger)
    try:
        client.apps_connections_open(app_token=config.app_token or "")
    except SlackApiError as exc:
        raise ConfigError.of("SLACK_APP_TOKEN", "slack_refused", reason=exc.response.get("error")) from None
    except OSError as exc:
        raise ConfigError.of(
            "SLACK_APP_TOKEN", "slack_unreachable", url=config.api_url, error=exc.__class__.__name__
        ) from None

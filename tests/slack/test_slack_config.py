"""A missing, contradictory or refused Slack setting fails the start with one line naming it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from liumai.config import ConfigError
from liumai.slack import build_slack, slack_config
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN
from tests.slack.harness import SECRET, slack_ctx

CASES = [
    ({}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxp-123-user-token"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "not a secret!"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
    (
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "s3cret",
            "SLACK_SIGNING_SECRET": SECRET,
        },
        "SLACK_BOT_TOKEN",
    ),
    ({"SLACK_CLIENT_ID": "12345", "SLACK_CLIENT_SECRET": "s3cret", "SLACK_SIGNING_SECRET": SECRET}, "SLACK_CLIENT_ID"),
    ({"SLACK_CLIENT_SECRET": "s3cret", "SLACK_SIGNING_SECRET": SECRET}, "SLACK_CLIENT_ID"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
]


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: these are start-up checks, the same on either database (the flows run on both)."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


@pytest.mark.parametrize(("env", "variable"), CASES)
def test_bad_settings_name_the_variable_in_one_line(ctx, env, variable):
    with pytest.raises(ConfigError) as err:
        slack_config(slack_ctx(ctx, **env).settings, env={})
    message = str(err.value)
    assert message.startswith(f"{variable}:") and "\n" not in message
    assert BOT_TOKEN not in message and "s3cret" not in message


def test_command_names_are_configurable_and_checked(ctx):
    settings = slack_ctx(ctx, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET).settings
    cfg = slack_config(settings, env={"SLACK_NOMINATE_COMMAND": "/kudos", "SLACK_VALUES_COMMAND": "/lm"})
    assert (cfg.nominate_command, cfg.values_command, cfg.mode, cfg.oauth) == ("/kudos", "/lm", "http", False)
    with pytest.raises(ConfigError, match=r"^SLACK_VALUES_COMMAND:"):
        slack_config(settings, env={"SLACK_VALUES_COMMAND": "values"})
    socket = slack_config(slack_ctx(ctx, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN).settings, env={})
    assert (socket.mode, socket.http_events) == ("socket", False)


def test_tokens_refused_by_slack_fail_the_start(ctx, fake):
    wrong = "xoxb-0000-0000-wrongtoken"
    with pytest.raises(ConfigError) as err:
        build_slack(slack_ctx(ctx, SLACK_BOT_TOKEN=wrong, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.base_url))
    assert str(err.value) == "SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)"
    with pytest.raises(ConfigError) as err:
        build_slack(
            slack_ctx(ctx, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-wrong", SLACK_API_URL=fake.base_url)
        )
    assert str(err.value) == "SLACK_APP_TOKEN: Slack refused the token (invalid_auth)"
    with pytest.raises(ConfigError, match=r"^SLACK_API_URL: could not reach Slack"):
        build_slack(
            slack_ctx(
                ctx, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL="http://127.0.0.1:9/api/"
            )
        )


def test_serve_stops_with_one_line(ctx, fake, monkeypatch):
    from liumai.cli.main import app

    env = {
        "LIUMAI_DATABASE_URL": ctx.settings.database_url,
        "SLACK_BOT_TOKEN": "xoxb-0000-0000-wrongtoken",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
    }
    result = CliRunner().invoke(app, ["serve", "--no-worker", "--port", "0"], env=env)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "error: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)"
    assert "wrongtoken" not in result.output

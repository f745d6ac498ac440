"""A setting that cannot be used is refused with one line naming the variable, in the reader's
language: the words are the catalogue's `config` section (English by default)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from liumai.cli.main import app
from liumai.config import ConfigError, load_settings
from liumai.services.scheduler import digest_trigger
from tests.zh_text import english_lines

# Names and values that stay as they are in a Chinese line.
DATA_WORDS = ("SQLAlchemy", "URL", "OAuth", "IANA", "Asia/Shanghai", "crontab", "true", "false", "auto, http, ws, both")
BAD = [
    ({"LIUMAI_TIMEZONE": "Mars/Olympus"}, "LIUMAI_TIMEZONE: unknown time zone 'Mars/Olympus'", "未知的时区"),
    ({"LIUMAI_DATABASE_URL": "mysql://x/y"}, "LIUMAI_DATABASE_URL: unsupported database 'mysql'", "不支持的数据库"),
    ({"LIUMAI_DATABASE_URL": "no-url"}, "LIUMAI_DATABASE_URL: must be a SQLAlchemy URL", "必须是 SQLAlchemy URL"),
    ({"LIUMAI_RETENTION_DAYS": "0"}, "LIUMAI_RETENTION_DAYS: must be at least 1", "不能小于 1"),
    ({"LIUMAI_RETENTION_DAYS": "soon"}, "LIUMAI_RETENTION_DAYS: must be a whole number", "必须是整数"),
    ({"LIUMAI_NOTIFY_NOMINEE": "maybe"}, "LIUMAI_NOTIFY_NOMINEE: must be true or false", "必须是 true 或 false"),
    ({"FEISHU_MODE": "pigeon"}, "FEISHU_MODE: must be one of auto, http, ws, both", "必须是以下之一"),
    ({"LIUMAI_LLM_BASE_URL": "http://127.0.0.1:9/v1"}, "LIUMAI_LLM_MODEL: required when LIUMAI_LLM_BASE_URL", "时必填"),
    ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET: required when SLACK_CLIENT_ID is set (OAuth", "OAuth 安装"),
]


@pytest.mark.parametrize(("env", "en", "zh"), BAD, ids=[next(iter(b[0])) + ":" + b[2] for b in BAD])
def test_each_refusal_names_the_variable_in_both_languages(env, en, zh):
    with pytest.raises(ConfigError) as exc:
        load_settings(**env)
    var = en.split(":", 1)[0]
    assert str(exc.value).startswith(en) and exc.value.message("en") == str(exc.value)
    assert exc.value.message("zh").startswith(f"{var}：") and zh in exc.value.message("zh")
    assert english_lines(exc.value.message("zh"), DATA_WORDS) == []


def test_cli_under_lang_zh_says_it_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("LIUMAI_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("LIUMAI_TIMEZONE", "Mars/Olympus")
    res = CliRunner().invoke(app, ["--lang", "zh", "score", "--person", "a@x.io"])
    assert res.exit_code == 2
    assert (
        res.stderr.strip() == "错误：LIUMAI_TIMEZONE：未知的时区 'Mars/Olympus'（请使用 IANA 名称，例如 Asia/Shanghai）"
    )
    res = CliRunner().invoke(app, ["score", "--person", "a@x.io"], env={"LIUMAI_LANG": "en"})
    assert res.stderr.strip().startswith("error: LIUMAI_TIMEZONE: unknown time zone 'Mars/Olympus'")


def test_cron_and_plain_messages():
    with pytest.raises(ConfigError) as exc:
        digest_trigger("every monday", "UTC")
    assert str(exc.value).startswith("LIUMAI_DIGEST_CRON: 'every monday' is not a crontab expression (")
    assert "不是 crontab 表达式" in exc.value.message("zh")
    plain = ConfigError("SLACK_BOT_TOKEN: Slack refused the token (invalid_auth)")  # adapters' own checks
    assert plain.message("zh") == plain.message("en") == str(plain)

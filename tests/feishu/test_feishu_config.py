"""Start-up checks: missing credentials and bad domains fail with one line naming the variable."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from liumai.config import ConfigError, load_settings
from liumai.feishu import build_feishu
from liumai.feishu.client import resolve_domain
from liumai.web import create_app
from tests.fakes.feishu_api import LoopbackServer


def with_env(ctx, **env: str):
    return dataclasses.replace(ctx, settings=load_settings(LIUMAI_DATABASE_URL=ctx.settings.database_url, **env))


def test_missing_secret_names_the_variable(ctx):
    with pytest.raises(ConfigError, match=r"^FEISHU_APP_SECRET: "):
        build_feishu(with_env(ctx, FEISHU_APP_ID="cli_x"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "https://open.feishu.cn"),
        ("feishu", "https://open.feishu.cn"),
        ("lark", "https://open.larksuite.com"),
        ("https://open.larksuite.com/", "https://open.larksuite.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ],
)
def test_domains(value, expected):
    assert resolve_domain(value) == expected


@pytest.mark.parametrize("value", ["http://open.feishu.cn", "https://open.feishu.cn/open-apis", "ftp://x"])
def test_bad_domains_name_the_variable(value):
    with pytest.raises(ConfigError, match=r"^FEISHU_DOMAIN: "):
        resolve_domain(value)


def test_modes(ctx):
    creds = {"FEISHU_APP_ID": "cli_x", "FEISHU_APP_SECRET": "s"}
    ws = build_feishu(with_env(ctx, **creds))
    assert (ws.use_http, ws.use_ws) == (False, True)
    http = build_feishu(with_env(ctx, **creds, FEISHU_VERIFICATION_TOKEN="t", FEISHU_ENCRYPT_KEY="k"))
    assert (http.use_http, http.use_ws) == (True, False)
    assert [r.path for r in http.routes()] == ["/feishu/events", "/feishu/card"]
    assert http.start_background(None) is None  # type: ignore[arg-type]


def test_serve_mounts_feishu_and_healthz_lists_it(ctx):
    from liumai.runtime import build_integrations

    c = with_env(ctx, FEISHU_APP_ID="cli_x", FEISHU_APP_SECRET="s", FEISHU_VERIFICATION_TOKEN="t")
    integrations = build_integrations(c)
    assert [i.name for i in integrations] == ["feishu"]
    server = LoopbackServer(create_app(c, integrations)).start()
    try:
        assert httpx.get(server.url + "/healthz").json()["integrations"] == ["feishu"]
        r = httpx.post(
            server.url + "/feishu/events", json={"challenge": "c1", "token": "t", "type": "url_verification"}
        )
        assert r.json() == {"challenge": "c1"}
        assert httpx.get(server.url + "/feishu/events").status_code == 405
    finally:
        server.stop()
        integrations[0].bot.shutdown()


def test_feishu_mode_overrides_the_choice_when_the_settings_define_it():
    from types import SimpleNamespace

    from liumai.feishu.settings import feishu_mode

    def mode(m: str | None, token: str | None = None):
        s = SimpleNamespace(feishu_mode=m, feishu_verification_token=token, feishu_encrypt_key=None)
        return feishu_mode(s)  # type: ignore[arg-type]

    assert mode("both", "t") == (True, True)
    assert mode("ws", "t") == (False, True)
    assert mode(None, "t") == (True, False)
    with pytest.raises(ConfigError, match=r"^FEISHU_VERIFICATION_TOKEN: "):
        mode("http")
    with pytest.raises(ConfigError, match=r"^FEISHU_MODE: "):
        mode("carrier-pigeon")

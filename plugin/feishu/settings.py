"""Which Feishu set-up the configuration asks for, checked once before anything starts (as Slack's
`liumai.slack.settings`): a mistake fails the start with one line naming the variable to fix (a
`liumai.config.ConfigError`), never with a secret's value in it.
"""

from __future__ import annotations

from liumai.config import ConfigError, Settings

MODES = ("auto", "http", "ws", "both")


def check_credentials(settings: Settings) -> None:
    if not settings.feishu_app_id:
        raise ConfigError.of("FEISHU_APP_ID", "feishu_app_id")
    if not settings.feishu_app_secret:
        raise ConfigError.of("FEISHU_APP_SECRET", "required_with", other="FEISHU_APP_ID")


def feishu_mode(s: Settings) -> tuple[bool, bool]:
    """(HTTP callbacks, long connection): `FEISHU_MODE`, or by what is configured (auto)."""
    mode = str(getattr(s, "feishu_mode", None) or "auto").lower()
    if mode not in MODES:
        raise ConfigError.of("FEISHU_MODE", "feishu_mode", value=repr(mode), choices=", ".join(MODES))
    webhook = bool(s.feishu_verification_token or s.feishu_encrypt_key)
    if mode == "auto":
        return webhook, not webhook
    if mode in ("http", "both") and not webhook:
        raise ConfigError.of("FEISHU_VERIFICATION_TOKEN", "feishu_http_token", mode=mode)
    return mode in ("http", "both"), mode in ("ws", "both")

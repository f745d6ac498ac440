"""Which Feishu set-up the configuration asks for, checked once before anything starts (as Slack's
`liumai.slack.settings`): a mistake fails the start with one line naming the variable to fix (a
`liumai.config.ConfigError`), never with a secret's value in it.
"""

from __future__ import annotations

from liumai.config import ConfigError, Settings

MODES = ("auto", "http", "ws", "both")


def check_credentials(settings: Settings) -> None:
    if not settings.feishu_app_id:
        raise ConfigError("FEISHU_APP_ID: required for Feishu/Lark (the app's App ID, like cli_a1b2c3)")
    if not settings.feishu_app_secret:
        raise ConfigError("FEISHU_APP_SECRET: required when FEISHU_APP_ID is set")


def feishu_mode(s: Settings) -> tuple[bool, bool]:
    """(HTTP callbacks, long connection): `FEISHU_MODE`, or by what is configured (auto)."""
    mode = str(getattr(s, "feishu_mode", None) or "auto").lower()
    if mode not in MODES:
        raise ConfigError(f"FEISHU_MODE: {mode!r} is not one of {', '.join(MODES)}")
    webhook = bool(s.feishu_verification_token or s.feishu_encrypt_key)
    if mode == "auto":
        return webhook, not webhook
    if mode in ("http", "both") and not webhook:
        raise ConfigError(
            "FEISHU_VERIFICATION_TOKEN: required for HTTP callbacks (FEISHU_MODE=" + mode + "), "
            "with FEISHU_ENCRYPT_KEY recommended"
        )
    return mode in ("http", "both"), mode in ("ws", "both")

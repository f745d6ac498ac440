"""The Slack app manifest: `plugin/slack/manifest.yml`, adapted for Socket Mode or HTTP mode.

The YAML file is the single source (it ships in the package and can be pasted as is for Socket
Mode); `render` fills in request URLs for HTTP mode and the configured command names, so what
Slack sends always matches what the app listens for.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import urlparse

import yaml

# The bot scopes OAuth install asks for; a test checks they equal the manifest's. Why each one:
#   commands         /nominate and /values
#   chat:write       replies, the nominee's DM, weekly digests in a team's channel (once invited)
#   im:write         open the DM with a nominee or a manager (summaries, their files)
#   users:read       tell a bot from a person, and a user's locale for the reply language
#   files:write      the summary's radar chart, CSV and HTML report, uploaded to the manager's DM
#   channels:history read a public digest channel's recent messages, to find a digest already
#                    posted before a crash (message metadata) instead of posting it twice
#   groups:history   the same for a private digest channel
BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "files:write",
    "channels:history",
    "groups:history",
)


@cache
def _base() -> dict[str, Any]:
    text = resources.files("liumai.slack").joinpath("manifest.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def base_manifest() -> dict[str, Any]:
    return copy.deepcopy(_base())


def render(
    mode: Literal["socket", "http"],
    url: str | None = None,
    *,
    nominate_command: str = "/nominate",
    values_command: str = "/values",
    name: str | None = None,
) -> dict[str, Any]:
    """The manifest for `mode`; HTTP mode needs the public base URL Slack will call."""
    m = base_manifest()
    commands = m["features"]["slash_commands"]
    commands[0]["command"] = nominate_command
    commands[1]["command"] = values_command
    if name:
        m["display_information"]["name"] = name[:35]
        m["features"]["bot_user"]["display_name"] = name[:80]
    settings = m["settings"]
    if mode == "socket":
        settings["socket_mode_enabled"] = True
        return m
    if mode != "http":
        raise ValueError("mode must be socket or http")
    if not url:
        raise ValueError("HTTP mode needs --url, the public https base URL Slack will call")
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise ValueError(f"--url must be an absolute URL such as https://liumai.example.com, not {url!r}")
    if parsed.scheme != "https":
        raise ValueError("--url must use https: Slack only calls https request URLs")
    base = url.rstrip("/")
    events = f"{base}/slack/events"
    for cmd in commands:
        cmd["url"] = events
    settings["socket_mode_enabled"] = False
    settings["interactivity"]["request_url"] = events
    settings["event_subscriptions"]["request_url"] = events
    m["oauth_config"]["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return m


def to_yaml(manifest: dict[str, Any]) -> str:
    return yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=100)

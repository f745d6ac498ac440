"""Request bodies shaped like Slack's documented payloads, and Slack's request signing.

References (api.slack.com / docs.slack.dev): slash commands are `application/x-www-form-urlencoded`
with `command`, `text`, `user_id`, `team_id`, `channel_id`, `response_url`, `trigger_id`, ...;
interactions (block_actions, view_submission, view_closed, message_action) are a form field
`payload` holding JSON; the Events API posts JSON `event_callback` envelopes. Requests carry
`X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM = {"id": "T0TEST", "domain": "liumai-test"}
APP_ID = "A0APP"
_seq = itertools.count(1000)


def sign(secret: str, body: bytes, ts: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    base = b"v0:" + str(ts).encode() + b":" + body
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig}


def trigger_id() -> str:
    n = next(_seq)
    return f"{n}.1111111111.{n:x}abcdef0123456789"


def slash_command(
    command: str, text: str, user: str, response_url: str, *, channel: str = "C0GENERAL", team: str = TEAM["id"]
) -> bytes:
    return urlencode(command_fields(command, text, user, response_url, channel=channel, team=team)).encode()


def command_fields(
    command: str, text: str, user: str, response_url: str, *, channel: str = "C0GENERAL", team: str = TEAM["id"]
) -> dict[str, str]:
    """A slash command's fields (the form body over HTTP, the envelope payload in Socket Mode)."""
    n = next(_seq)
    return {
        "token": "deprecated-verification-token",
        "team_id": team,
        "team_domain": TEAM["domain"],
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id(),
        "command_ts": str(n),
    }


def form_payload(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]}


def block_actions(
    user: str,
    action: dict[str, Any],
    *,
    response_url: str | None = None,
    view: dict[str, Any] | None = None,
    message_ts: str = "1763285400.000100",
    channel: str = "C0GENERAL",
) -> dict[str, Any]:
    """A click in a message (ephemeral, with response_url) or in a view (modal / Home tab)."""
    now = f"{time.time():.6f}"
    action = {"action_ts": now, **action}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": trigger_id(),
        "team": TEAM,
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": True,
        }
        payload["channel"] = {"id": channel, "name": "general"}
        payload["response_url"] = response_url
        payload["message"] = {"type": "message", "ts": message_ts, "text": ""}
    return payload


def button(action_id: str, value: str, block_id: str = "b") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "text": {"type": "plain_text", "text": "x"},
    }


def select(action_id: str, value: str, block_id: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": action_id,
        "block_id": block_id,
        "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
    }


def submitted_view(opened: dict[str, Any], view_id: str, values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The `view` of a view_submission: what the app opened, plus the user's input state."""
    return {
        **opened,
        "id": view_id,
        "team_id": TEAM["id"],
        "state": {"values": values},
        "hash": f"{next(_seq)}.abcdef",
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "bot_id": "B0LIUMAI",
    }


def view_submission(user: str, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(user: str, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_closed",
        "team": TEAM,
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "view": view,
        "is_cleared": False,
        "is_enterprise_install": False,
    }


def message_action(
    user: str, message: dict[str, Any], response_url: str, *, channel: str = "C0GENERAL", callback_id: str
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "token": "deprecated-verification-token",
        "action_ts": f"{time.time():.6f}",
        "team": TEAM,
        "user": _user(user),
        "channel": {"id": channel, "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id(),
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }


def event_callback(event: dict[str, Any], event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM["id"],
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_seq):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"enterprise_id": None, "team_id": TEAM["id"], "user_id": "U0LIUMAIBOT", "is_bot": True}
            ],
            "is_ext_shared_channel": False,
        }
    ).encode()


# ------------------------------------------------------------------ view state values
def users_value(user: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user}


def text_value(text: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": text}


def option_value(value: str | None, kind: str = "static_select") -> dict[str, Any]:
    opt = {"text": {"type": "plain_text", "text": value}, "value": value} if value else None
    return {"type": kind, "selected_option": opt}


def checkbox_value(values: list[str]) -> dict[str, Any]:
    return {
        "type": "checkboxes",
        "selected_options": [{"text": {"type": "plain_text", "text": v}, "value": v} for v in values],
    }

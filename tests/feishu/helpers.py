"""Feishu-shaped callbacks for tests: payloads as documented, encrypted and signed like Feishu does.

Encryption is implemented here independently of the app (pycryptodome directly, not lark-oapi's
`AESCipher`), so a mistake on one side cannot cancel out a mistake on the other:
AES-256-CBC, key = sha256(encrypt key), random IV prepended, PKCS#7 padding, base64.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from Crypto.Cipher import AES

from liumai.services.context import AppContext

VERIFICATION_TOKEN = "v-token-for-tests"
ENCRYPT_KEY = "encrypt-key-for-tests"
TENANT = "tenant_fake"


def encrypt(plaintext: str, key: str = ENCRYPT_KEY) -> str:
    raw = plaintext.encode()
    pad = 16 - len(raw) % 16
    raw += bytes([pad]) * pad
    iv = os.urandom(16)
    cipher = AES.new(hashlib.sha256(key.encode()).digest(), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(raw)).decode()


def sign(timestamp: str, nonce: str, body: bytes, key: str = ENCRYPT_KEY) -> str:
    return hashlib.sha256(f"{timestamp}{nonce}{key}".encode() + body).hexdigest()


def sign_legacy(timestamp: str, nonce: str, body: bytes, token: str = VERIFICATION_TOKEN) -> str:
    return hashlib.sha1(f"{timestamp}{nonce}{token}".encode() + body).hexdigest()


def header(event_type: str, event_id: str | None = None, token: str = VERIFICATION_TOKEN) -> dict:
    return {
        "event_id": event_id or uuid.uuid4().hex,
        "token": token,
        "create_time": "1794821400000",
        "event_type": event_type,
        "tenant_key": TENANT,
        "app_id": "cli_fake_app",
    }


def message_event(
    sender: str,
    text: str,
    mentions: list[tuple[str, str, str]] = (),
    *,
    chat_type: str = "p2p",
    event_id: str | None = None,
    message_id: str | None = None,
    message_type: str = "text",
    content: dict | None = None,
    sender_type: str = "user",
) -> dict:
    """im.message.receive_v1 (schema 2.0); `mentions`: (placeholder key, open_id, name)."""
    return {
        "schema": "2.0",
        "header": header("im.message.receive_v1", event_id),
        "event": {
            "sender": {
                "sender_id": {"union_id": "on_" + sender, "user_id": sender[3:], "open_id": sender},
                "sender_type": sender_type,
                "tenant_key": TENANT,
            },
            "message": {
                "message_id": message_id or "om_" + uuid.uuid4().hex[:20],
                "root_id": "",
                "parent_id": "",
                "create_time": "1794821400000",
                "update_time": "1794821400000",
                "chat_id": "oc_group_alpha" if chat_type == "group" else "oc_p2p_" + sender,
                "chat_type": chat_type,
                "message_type": message_type,
                "content": json.dumps(content if content is not None else {"text": text}, ensure_ascii=False),
                "mentions": [
                    {
                        "key": key,
                        "id": {"union_id": "on_" + oid, "user_id": oid[3:], "open_id": oid},
                        "name": name,
                        "tenant_key": TENANT,
                    }
                    for key, oid, name in mentions
                ],
                "user_agent": "Mozilla/5.0 Lark/7.30",
            },
        },
    }


def menu_event(operator: str, key: str = "nominate", event_id: str | None = None) -> dict:
    """application.bot.menu_v6 (schema 2.0)."""
    return {
        "schema": "2.0",
        "header": header("application.bot.menu_v6", event_id),
        "event": {
            "operator": {
                "operator_name": operator,
                "operator_id": {"union_id": "on_" + operator, "user_id": operator[3:], "open_id": operator},
            },
            "event_key": key,
            "timestamp": 1794821400,
        },
    }


def card_action(
    operator: str,
    value: dict,
    *,
    option: str | None = None,
    form_value: dict | None = None,
    message_id: str = "om_test_card",
    tag: str = "button",
) -> dict:
    """card.action.trigger (schema 2.0), as delivered to the callback URL."""
    action: dict[str, Any] = {"value": value, "tag": tag}
    if option is not None:
        action["option"] = option
        action["tag"] = "select_static"
    if form_value is not None:
        action["form_value"] = form_value
        action["name"] = "submit"
    return {
        "schema": "2.0",
        "header": header("card.action.trigger"),
        "event": {
            "operator": {"tenant_key": TENANT, "user_id": operator[3:], "open_id": operator, "union_id": "on_x"},
            "token": "c-" + uuid.uuid4().hex,
            "action": action,
            "host": "im_message",
            "context": {"open_message_id": message_id, "open_chat_id": "oc_p2p_" + operator},
        },
    }


def legacy_card_action(
    operator: str, value: dict, *, option: str | None = None, message_id: str = "om_test_card"
) -> dict:
    """The legacy card callback (消息卡片回传交互（旧）)."""
    action: dict[str, Any] = {"value": value, "tag": "button"}
    if option is not None:
        action["option"] = option
    return {
        "open_id": operator,
        "user_id": operator[3:],
        "open_message_id": message_id,
        "open_chat_id": "oc_p2p_" + operator,
        "tenant_key": TENANT,
        "token": "c-" + uuid.uuid4().hex,
        "action": action,
    }


@dataclass
class FeishuClient:
    """Posts callbacks to the app under test the way Feishu's servers do."""

    url: str
    ctx: AppContext
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    encrypt_key: str = ENCRYPT_KEY  # the app's FEISHU_ENCRYPT_KEY
    token: str = VERIFICATION_TOKEN  # the app's FEISHU_VERIFICATION_TOKEN, stamped on payloads built for the default

    def now(self) -> int:
        return int(self.ctx.now().timestamp())

    def post(
        self,
        payload: dict,
        *,
        path: str = "/feishu/events",
        encrypted: bool = True,
        timestamp: int | None = None,
        signature: str | None = None,
        legacy: bool = False,
    ) -> httpx.Response:
        if self.token != VERIFICATION_TOKEN:
            payload = json.loads(json.dumps(payload))
            holder = payload.get("header") if isinstance(payload.get("header"), dict) else payload
            if holder.get("token") == VERIFICATION_TOKEN:
                holder["token"] = self.token
        plain = json.dumps(payload)
        body = json.dumps({"encrypt": encrypt(plain, self.encrypt_key)} if encrypted else payload).encode()
        ts = str(self.now() if timestamp is None else timestamp)
        nonce = uuid.uuid4().hex[:16]
        if signature is None:
            signature = sign_legacy(ts, nonce, body, self.token) if legacy else sign(ts, nonce, body, self.encrypt_key)
        headers = {
            "Content-Type": "application/json",
            "X-Lark-Request-Timestamp": ts,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": signature,
        }
        return self.http.post(self.url + path, content=body, headers=headers)

    def card(self, payload: dict, **kw: Any) -> httpx.Response:
        return self.post(payload, path="/feishu/card", **kw)

    def close(self) -> None:
        self.http.close()

"""Verifying Feishu's HTTP callbacks (`liumai.feishu.asgi` serves the routes).

Every request is checked before anything is done with it, in the order Feishu's documentation
implies:
1. decrypt `{"encrypt": ...}` with the encrypt key (AES-256-CBC, key = sha256(encrypt key),
   IV = the first 16 bytes; lark-oapi's `AESCipher` does the work);
2. `url_verification` (the console's "save the URL" check) is answered with its challenge once
   its verification token matches - Feishu does not sign it;
3. the signature: `X-Lark-Signature` = sha256(timestamp + nonce + encrypt key + raw body) for
   events and `card.action.trigger`; legacy card callbacks are signed with
   sha1(timestamp + nonce + verification token + raw body) instead;
4. the replay window: `X-Lark-Request-Timestamp` must be within `replay_window_s` of the app's
   clock (injectable, so tests are deterministic), so a captured request cannot be replayed later;
5. the verification token in the payload (schema 2.0: `header.token`).
A request failing any check gets 4xx and changes nothing; a body that is not a JSON object of
valid text (garbage, an array, NaN, a lone surrogate, nesting too deep) is a 400. Re-pushed events
are then recognised by their `event_id` (see `FeishuBot.handle_event`), and a byte-for-byte replay
of a request already answered within the replay window (same timestamp, nonce and body - what an
attacker who captured one would send) is refused before it reaches the bot, so replayed card
clicks are stopped too.

Token-only mode (a verification token, no encrypt key) signs nothing: the token travels in the
plaintext body and the timestamp headers could be rewritten. So there every request (but the
console's URL check) must still carry `X-Lark-Request-Timestamp` and `X-Lark-Request-Nonce` within
the window, a schema 2.0 body's own `header.create_time` must be within it too, and the replay
cache keys on the body alone - a captured body is refused however its headers are dressed up.
Forging a new body needs only the token, which is why `build_feishu` warns at start-up that an
encrypt key should be set.

Every refusal is logged at WARNING as `feishu request refused: reason=<code> ...` with a running
count per reason (`liumai.feishu.asgi.FeishuHttp.refused`), so forged, stale and replayed traffic shows up in the logs
and can be alerted on. Reason codes: not_json, not_object, not_encrypted, no_encrypt_key,
undecryptable, bad_token, bad_signature, no_legacy_token, missing_timestamp, bad_timestamp,
stale_timestamp, replayed_request. Nothing secret - body, signature, token - is ever part of the line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping

log = logging.getLogger(__name__)

REPLAY_WINDOW_S = 300.0  # Slack's choice too; Feishu's own clock and ours are NTP-synchronised


class Rejected(Exception):
    """A refused request: the HTTP status, a reason code for logs and metrics, and words for the body."""

    def __init__(self, status: int, reason: str, code: str = "refused") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _loads(raw: str | bytes, what: str) -> dict:
    """A JSON object of valid text, or `Rejected` (400): Feishu sends nothing else."""
    try:
        value = json.loads(raw, parse_constant=_no_constant)  # NaN and Infinity are not JSON
    except (ValueError, RecursionError):
        raise Rejected(400, f"{what} is not JSON", "not_json") from None
    if not isinstance(value, dict):
        raise Rejected(400, f"{what} is not a JSON object", "not_object")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate (\ud800) cannot be stored
    except (UnicodeEncodeError, RecursionError):
        raise Rejected(400, f"{what} is not valid JSON text", "not_json") from None
    return value


def _decrypt(encrypt: str, key: str) -> dict:
    from lark_oapi.core.utils import AESCipher

    try:
        plain = AESCipher(key).decrypt_str(encrypt)
    except Exception:
        raise Rejected(400, "cannot decrypt the body with FEISHU_ENCRYPT_KEY", "undecryptable") from None
    return _loads(plain, "decrypted body")


def headers_signed(payload: dict, *, encrypt_key: str | None, legacy_card: bool) -> bool:
    """Whether the timestamp and nonce headers are covered by a signature for this request."""
    return bool(encrypt_key) or (legacy_card and payload.get("schema") != "2.0")


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def open_envelope(
    body: bytes,
    headers: Mapping[str, str],
    *,
    encrypt_key: str | None,
    verification_token: str | None,
    now_s: float,
    window_s: float = REPLAY_WINDOW_S,
    legacy_card: bool = False,
) -> dict:
    """The verified, decrypted payload of one callback request, or `Rejected`."""
    payload = _decrypted(body, encrypt_key=encrypt_key, legacy_card=legacy_card)
    if payload.get("type") == "url_verification":
        if verification_token and not _same(payload.get("token"), verification_token):
            raise Rejected(401, "invalid verification token", "bad_token")
        return payload
    schema2 = payload.get("schema") == "2.0"
    ts = headers.get("x-lark-request-timestamp")
    nonce = headers.get("x-lark-request-nonce") or ""
    signed = _check_signature(
        body,
        ts,
        nonce,
        headers.get("x-lark-signature"),
        encrypt_key=encrypt_key,
        verification_token=verification_token,
        legacy=legacy_card and not schema2,
    )
    _check_window(ts, nonce, signed=signed, now_s=now_s, window_s=window_s)
    if not signed and schema2:
        _check_create_time(payload, now_s, window_s)
    _check_token(payload, verification_token, schema2=schema2, legacy_card=legacy_card)
    return payload


def _decrypted(body: bytes, *, encrypt_key: str | None, legacy_card: bool) -> dict:
    """The body's JSON, decrypted when it is `{"encrypt": ...}`; plaintext where encryption is due is refused."""
    outer = _loads(body or b"{}", "body")
    if "encrypt" in outer:
        if not encrypt_key:
            raise Rejected(400, "encrypted body but FEISHU_ENCRYPT_KEY is not set", "no_encrypt_key")
        return _decrypt(str(outer["encrypt"]), encrypt_key)
    if encrypt_key and not legacy_card:
        # With an encrypt key configured Feishu encrypts events; plaintext is not from Feishu.
        raise Rejected(400, "expected an encrypted body", "not_encrypted")
    return outer


def _check_signature(
    body: bytes,
    ts: str | None,
    nonce: str,
    signature: str | None,
    *,
    encrypt_key: str | None,
    verification_token: str | None,
    legacy: bool,
) -> bool:
    """Whether the request is signed (and the signature right, else `Rejected`); False: token-only mode."""
    if not legacy:
        if not encrypt_key:
            return False
        expected = hashlib.sha256((f"{ts or ''}{nonce}{encrypt_key}").encode() + body).hexdigest()
    else:
        # Legacy card callbacks are signed with the verification token, and carry no other proof.
        if not verification_token:
            raise Rejected(401, "legacy card callbacks need FEISHU_VERIFICATION_TOKEN", "no_legacy_token")
        expected = hashlib.sha1((f"{ts or ''}{nonce}{verification_token}").encode() + body).hexdigest()
    if not _same(signature, expected):
        raise Rejected(401, "bad signature", "bad_signature")
    return True


def _check_window(ts: str | None, nonce: str, *, signed: bool, now_s: float, window_s: float) -> None:
    """The request timestamp is an integer within the replay window of the app's clock."""
    if not signed and (not ts or not nonce):
        # Token-only mode: nothing is signed, so the replay window is all there is; no exemptions.
        raise Rejected(401, "missing X-Lark-Request-Timestamp or X-Lark-Request-Nonce", "missing_timestamp")
    try:
        sent = int(ts or "")  # integer seconds; also refuses "nan" and "inf"
    except ValueError:
        raise Rejected(401, "bad timestamp", "bad_timestamp") from None
    if abs(now_s - sent) > window_s:
        raise Rejected(401, "stale request (outside the replay window)", "stale_timestamp")


def _check_token(payload: dict, verification_token: str | None, *, schema2: bool, legacy_card: bool) -> None:
    """The verification token inside the payload (schema 2.0: `header.token`), when one is configured."""
    if schema2:
        header = payload.get("header")
        token = header.get("token") if isinstance(header, dict) else None
        if verification_token and not _same(token, verification_token):
            raise Rejected(401, "invalid verification token", "bad_token")
    elif not legacy_card and verification_token and not _same(payload.get("token"), verification_token):
        raise Rejected(401, "invalid verification token", "bad_token")


def _check_create_time(payload: dict, now_s: float, window_s: float) -> None:
    """Token-only mode: the body's own creation time (ms), when present, is within the window too,
    so a captured body cannot be replayed later under fresh (unsigned) headers."""
    header = payload.get("header")
    created = header.get("create_time") if isinstance(header, dict) else None
    if created is None:
        return
    try:
        created_s = float(int(str(created)))
    except ValueError:
        raise Rejected(401, "bad create_time", "bad_timestamp") from None
    while created_s > 1e11:  # milliseconds (events) or microseconds: down to seconds by magnitude
        created_s /= 1000
    if abs(now_s - created_s) > window_s:
        raise Rejected(401, "stale request (created outside the replay window)", "stale_timestamp")


class ReplayGuard:
    """Requests answered within the replay window, by (timestamp, nonce, body digest).

    Memory is bounded by the window (entries expire) and by `max_entries`. Per process: across
    replicas, events are still de-duplicated by event_id in the database, and card actions are
    idempotent in the services.
    """

    def __init__(self, window_s: float, max_entries: int = 100_000) -> None:
        self.window_s = window_s
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(body: bytes, headers: Mapping[str, str], *, signed: bool = True) -> str | None:
        """Signed headers: (timestamp, nonce, body). Unsigned ones (token-only mode) could be
        rewritten by whoever replays, so there the body alone is the key."""
        if not signed:
            return hashlib.sha256(b"body\n" + body).hexdigest()
        ts = headers.get("x-lark-request-timestamp")
        if not ts:
            return None
        nonce = headers.get("x-lark-request-nonce") or ""
        return hashlib.sha256(f"{ts}\n{nonce}\n".encode() + body).hexdigest()

    def seen(self, key: str, now_s: float) -> bool:
        with self._lock:
            self._expire(now_s)
            return key in self._seen

    def remember(self, key: str, now_s: float) -> None:
        with self._lock:
            self._seen[key] = now_s + self.window_s
            self._expire(now_s)

    def _expire(self, now_s: float) -> None:
        while self._seen and (len(self._seen) > self.max_entries or next(iter(self._seen.values())) < now_s):
            self._seen.popitem(last=False)

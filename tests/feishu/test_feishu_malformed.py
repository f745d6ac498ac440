"""Signed but malformed callbacks: 400, one WARNING line, no traceback, nothing changed - both modes.

Each payload is encrypted and signed like Feishu does (encrypt key mode) or sent as plaintext with
current timestamp headers (token-only mode), so it passes every check but the last: is it a JSON
object of valid text? Before the fix a `NaN` made the URL check answer 500, a lone surrogate in an
event id crashed the event handler (500), and `Infinity` in a card value logged a traceback.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from liumai.storage.db import session_scope
from liumai.storage.models import Nomination, ProcessedEvent
from tests.feishu.conftest import App
from tests.feishu.helpers import VERIFICATION_TOKEN, encrypt, message_event, sign
from tests.malformed import NOT_A_JSON_OBJECT, Everything, everything_logged

TOKEN = json.dumps(VERIFICATION_TOKEN)
EVENT = '{"schema": "2.0", "header": {"event_id": %s, "token": ' + TOKEN + ', "event_type": "im.message.receive_v1"}}'
CARD = (
    '{"schema": "2.0", "header": {"token": ' + TOKEN + ', "event_type": "card.action.trigger"}, "event": '
    '{"operator": {"open_id": "ou_mgr"}, "action": {"value": {"a": "reject", "e": %s}}}}'
)
MALFORMED = {
    **NOT_A_JSON_OBJECT,
    "nan-challenge": '{"type": "url_verification", "token": ' + TOKEN + ', "challenge": NaN}',
    "lone-surrogate-event-id": EVENT % '"\\ud800"',
    "nan-event-id": EVENT % "NaN",
    "infinity-card-value": CARD % "Infinity",
}


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: transport-level behaviour, the same on either database."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


@pytest.fixture
def logs() -> Iterator[Everything]:
    with everything_logged() as handler:
        yield handler


@pytest.fixture(params=["encrypted", "token-only"])
def mode_app(request: pytest.FixtureRequest) -> App:
    return request.getfixturevalue("app" if request.param == "encrypted" else "token_only_app")


def send(app: App, plain: str, path: str) -> object:
    encrypted = app.integration.http.encrypt_key is not None
    body = json.dumps({"encrypt": encrypt(plain)}).encode() if encrypted else plain.encode()
    ts, nonce = str(app.client.now()), uuid.uuid4().hex[:16]
    h = {"X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": sign(ts, nonce, body)}
    return app.client.http.post(app.client.url + path, content=body, headers=h)


def count(app: App, model) -> int:
    with session_scope(app.ctx.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("path", ["/feishu/events", "/feishu/card"])
@pytest.mark.parametrize("plain", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_signed_malformed_callback_is_a_400_with_one_line(mode_app: App, logs: Everything, plain: str, path: str):
    app = mode_app
    r = send(app, plain, path)
    app.idle()
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert logs.tracebacks() == []
    [line] = logs.containing("feishu request refused")
    assert line.levelno == logging.WARNING and "status=400" in line.getMessage()
    assert app.fake.sent() == [] and count(app, Nomination) == 0 and count(app, ProcessedEvent) == 0
    # and the app carries on
    ok = app.client.post(message_event("ou_ann", "/values help"))
    assert ok.status_code == 200 and ok.json() == {"msg": "success"}

"""Signed but malformed Slack bodies are answered 400 with one WARNING line, never 500.

Bolt parses the body itself - JSON when the content type says so or the body starts with "{",
otherwise a form whose `payload` field holds JSON - and then trusts its shape: garbage, an array,
`payload=null`, `payload=[]`, a `%FF` that is not UTF-8, 10,000 nested brackets, or an object
whose fields have the wrong types made it raise, which Starlette or Bolt turned into a 500 and a
traceback. Slack never sends such bodies; whoever does holds the signing secret or replays a
capture, and deserves a plain refusal:

- `parse` mirrors Bolt's choice of format and insists on a JSON object (at most `MAX_DEPTH` deep)
  and on UTF-8 after percent-decoding, raising `Malformed` otherwise;
- `bolt_request` builds Bolt's request and runs every accessor of Bolt's `payload_utils` on it
  (the functions its matchers, kwargs and error handlers read the body with), turning their shape
  errors into `Malformed`;
- `bolt_error_handler`, installed with `App.error`, catches what is left: a shape error raised in
  Bolt's own code while it runs its middleware (e.g. `"event": []` in its authorization step). It
  answers 400 and marks the response with `REFUSED_HEADER`, so the route logs it like every other
  refusal; any other error keeps Bolt's behaviour (logged with its traceback, 500).
The fields are fuzzed in tests/slack/test_slack_malformed.py.
"""

from __future__ import annotations

import inspect
import json
import logging
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import slack_bolt
from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request
from slack_bolt.request import BoltRequest, payload_utils
from starlette.requests import Request

MAX_DEPTH = 64  # Slack's deepest payloads (view state, blocks) nest about 10 levels
REFUSED_HEADER = "x-liumai-refused"
SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError)
_BOLT_DIR = str(Path(slack_bolt.__file__).resolve().parent)


class Malformed(ValueError):
    """A signed body Slack would never send; the message says what is wrong, never what it holds."""


def parse(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt will read it, or `Malformed`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    if not text:
        return {}
    kind = (content_type or "").split(";")[0].strip()
    if kind == "application/json" or text.startswith("{"):
        data, what = _json(text, "body"), "body"
    else:
        try:
            fields = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
        except UnicodeDecodeError:
            raise Malformed("form field is not UTF-8 after percent-decoding") from None
        if "payload" not in text:
            data, what = fields, "body"
        elif "payload" in fields:  # an interaction: the field holds JSON
            data, what = _json(fields["payload"], "payload"), "payload"
        else:  # Bolt's own test is the substring; without the field it reads nothing
            data, what = {}, "body"
    if not isinstance(data, dict):
        raise Malformed(f"{what} is not a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise Malformed(f"JSON nested deeper than {MAX_DEPTH} levels")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)  # NaN and Infinity are not JSON
    except RecursionError:
        raise Malformed(f"{what} JSON nested too deep") from None
    except ValueError:
        raise Malformed(f"{what} is not JSON") from None


def _depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def _accessors() -> list[Any]:
    """Bolt's one-argument body readers (`is_event`, `to_action`, ...), found by signature."""
    found = []
    for name, fn in inspect.getmembers(payload_utils, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != payload_utils.__name__:
            continue
        params = list(inspect.signature(fn).parameters.values())
        if params and all(p.default is not p.empty for p in params[1:]):
            found.append(fn)
    return found


_ACCESSORS = _accessors()


def bolt_request(request: Request, body: bytes) -> BoltRequest:
    """Bolt's request for a checked body; `Malformed` when Bolt cannot make sense of its fields."""
    parse(body, request.headers.get("content-type"))
    try:
        bolt_req = to_bolt_request(request, body)
        for read in _ACCESSORS:
            read(bolt_req.body)
    except SHAPE_ERRORS as exc:
        raise Malformed(f"unexpected field types ({exc.__class__.__name__} in Bolt)") from None
    return bolt_req


def _raised_in_bolt(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and str(Path(frames[-1].filename).resolve()).startswith(_BOLT_DIR)


def bolt_error_handler(error: Exception, logger: logging.Logger) -> BoltResponse | None:
    """`App.error`: 400 for a body Bolt's own code choked on; otherwise Bolt's default (log, 500)."""
    if isinstance(error, SHAPE_ERRORS) and _raised_in_bolt(error):
        reason = f"unexpected field types ({error.__class__.__name__} in Bolt)"
        return BoltResponse(status=400, body={"error": "malformed request"}, headers={REFUSED_HEADER: reason})
    logger.exception("slack: Bolt failed to handle a request (%s)", error.__class__.__name__)
    return None

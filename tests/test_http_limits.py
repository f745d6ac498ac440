"""Bounded requests on a real `liumai serve` process, over raw sockets.

The server runs with a 64 KiB body limit and 1 s body and header timeouts (settings), Slack and
Feishu both mounted. Before the fix every route read the whole body before checking anything, and
nothing timed out: an oversize or endless body was buffered, a stalled client held its connection
for ever. Now: a declared oversize body is refused with 413 before any of it is sent; a chunked one
is refused while it is still streaming; a stalled or trickled body gets 408; a client that never
finishes its headers is disconnected. Deadlines are generous (the timeout plus 10 s); nothing here
waits on a fixed sleep - the trickling clients pace themselves with `select` timeouts.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator

import pytest

from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.feishu.helpers import VERIFICATION_TOKEN
from tests.serving import Served, clean_env, cli, serve

LIMIT = 64 * 1024
TIMEOUT_S = 1.0
MARGIN_S = 10.0
ROUTES = ("/slack/events", "/feishu/events", "/feishu/card")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("limits") / "serve.db"
    with FakeSlackAPI() as fake:
        env = clean_env(
            LIUMAI_DATABASE_URL=f"sqlite:///{db}",
            LIUMAI_MAX_BODY_BYTES=str(LIMIT),
            LIUMAI_BODY_TIMEOUT_S=str(TIMEOUT_S),
            LIUMAI_HEADER_TIMEOUT_S=str(TIMEOUT_S),
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET="8f742231b10e8888abcd12345678ef90",
            SLACK_API_URL=fake.base_url,
            FEISHU_APP_ID="cli_limits",
            FEISHU_APP_SECRET="limits-secret",
            FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN,
            FEISHU_ENCRYPT_KEY="limits-encrypt-key",
            FEISHU_DOMAIN="http://127.0.0.1:9",  # never called: no message is answered here
        )
        assert cli("migrate", env=env).returncode == 0
        with serve(env) as served:
            yield served


def connect(server: Served) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT_S + MARGIN_S)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * 1024)  # little slack between us and the server
    return sock


def head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: liumai.test", "Content-Type: application/json", *headers, "", ""]
    return "\r\n".join(lines).encode()


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or resets it)."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def status_of(response: bytes) -> int | None:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else None


@pytest.mark.parametrize("path", ROUTES)
def test_a_declared_oversize_body_is_refused_before_any_of_it_is_sent(server: Served, path: str):
    with connect(server) as sock:
        sock.sendall(head(path, f"Content-Length: {200 * 1024 * 1024}"))
        response = read_all(sock)  # not a byte of the body sent: the answer comes anyway, then the close
    assert status_of(response) == 413, response[:200]
    assert b"connection: close" in response.lower() and response.endswith(b'{"error": "request body too large"}')


@pytest.mark.parametrize("path", ROUTES)
def test_a_chunked_oversize_body_is_refused_while_it_streams(server: Served, path: str):
    total, chunk = 16 * 1024 * 1024, b"x" * 16 * 1024
    sent, response, cut_off = 0, b"", False
    with connect(server) as sock:
        sock.sendall(head(path, "Transfer-Encoding: chunked"))
        try:
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            cut_off = True  # the server closed while we were still sending
        response = read_all(sock)
    assert sent < total, "the server let the whole body through"
    assert status_of(response) == 413 or (cut_off and not response), response[:200]


def test_a_stalled_body_gets_408(server: Served):
    started = time.monotonic()
    with connect(server) as sock:
        sock.sendall(head("/feishu/events", "Content-Length: 1000") + b'{"type": "url_ver')
        response = read_all(sock)
    assert status_of(response) == 408, response[:200]
    assert time.monotonic() - started < TIMEOUT_S + MARGIN_S


def test_a_trickled_body_gets_408_before_it_is_complete(server: Served):
    body = json.dumps({"challenge": "x" * 500, "token": VERIFICATION_TOKEN, "type": "url_verification"}).encode()
    sent = 0
    with connect(server) as sock:
        sock.sendall(head("/feishu/events", f"Content-Length: {len(body)}"))
        while sent < len(body):  # one byte per 0.2 s: the whole body would take 100 s
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                break
            sock.sendall(body[sent : sent + 1])
            sent += 1
        response = read_all(sock)
    assert status_of(response) == 408, response[:200]
    assert sent < len(body)


@pytest.mark.parametrize(
    "opening",
    [b"", b"POST /slack/events HTTP/1.1\r\nHost: liumai.test\r\n", b"GET /healthz HTTP/1.1\r\nHost: liu"],
    ids=["nothing", "headers-unfinished", "request-line-unfinished"],
)
def test_a_client_that_never_finishes_its_headers_is_disconnected(server: Served, opening: bytes):
    started = time.monotonic()
    with connect(server) as sock:
        sock.sendall(opening)
        assert read_all(sock) == b""  # closed without an answer
    assert time.monotonic() - started < TIMEOUT_S + MARGIN_S


def test_headers_trickled_byte_by_byte_are_cut_off(server: Served):
    """Slowloris: every byte resets nothing; the headers as a whole must arrive in time."""
    headers = b"GET /healthz HTTP/1.1\r\nHost: liumai.test\r\n" + b"X-Padding: " + b"p" * 500 + b"\r\n\r\n"
    sent, closed = 0, False
    with connect(server) as sock:
        try:
            while sent < len(headers):
                readable, _, _ = select.select([sock], [], [], 0.2)
                if readable:
                    closed = sock.recv(1) == b""
                    break
                sock.sendall(headers[sent : sent + 1])
                sent += 1
        except (BrokenPipeError, ConnectionResetError):
            closed = True
    assert closed and sent < len(headers)


def test_requests_within_the_limits_are_served(server: Served):
    challenge = {"challenge": "c" * (LIMIT - 200), "token": VERIFICATION_TOKEN, "type": "url_verification"}
    body = json.dumps(challenge).encode()
    assert len(body) < LIMIT
    with connect(server) as sock:
        # declared length, then the same body chunked, then a GET - on one kept-alive connection
        # (/feishu/card: the console's URL check there may be plaintext even with an encrypt key)
        sock.sendall(head("/feishu/card", f"Content-Length: {len(body)}") + body)
        first = _one_response(sock)
        half = len(body) // 2
        chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:])
        sock.sendall(head("/feishu/card", "Transfer-Encoding: chunked") + chunks)
        second = _one_response(sock)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: liumai.test\r\n\r\n")
        third = _one_response(sock)
    assert status_of(first) == status_of(second) == 200
    assert json.loads(first.split(b"\r\n\r\n", 1)[1]) == {"challenge": challenge["challenge"]}
    assert status_of(third) == 200 and b'"status":"ok"' in third


def _one_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head_part, rest = data.split(b"\r\n\r\n", 1)
    fields = dict(line.lower().split(b": ", 1) for line in head_part.split(b"\r\n")[1:])
    length = int(fields[b"content-length"])
    while len(rest) < length:
        rest += sock.recv(65536)
    return head_part + b"\r\n\r\n" + rest


def test_refusals_are_logged_one_line_each(server: Served):
    with connect(server) as sock:
        sock.sendall(head("/slack/events", f"Content-Length: {LIMIT + 1}"))
        read_all(sock)
    deadline = time.monotonic() + MARGIN_S
    while time.monotonic() < deadline:
        lines = [line for line in server.output().splitlines() if "refused a request to /slack/events" in line]
        if lines:
            break
        time.sleep(0.05)  # polling the server's log file, with a deadline
    assert lines and "WARNING" in lines[-1] and f"declared body of {LIMIT + 1} bytes" in lines[-1]
    assert "Traceback" not in server.output()


def test_the_access_log_shows_no_query_string(server: Served):
    """An OAuth redirect carries a one-time `code` and a `state` in its query: not for the log."""
    status, _ = server.get("/healthz?code=c0de-SECRET-4f1e&state=st-SECRET-9a")
    assert status == 200
    deadline = time.monotonic() + MARGIN_S
    while "GET /healthz HTTP/1.1" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the server's log file, with a deadline
    log = server.output()
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert "SECRET" not in log

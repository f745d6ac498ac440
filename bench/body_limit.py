"""Memory under the oversize-body attack: concurrent unsigned 200 MB POSTs against `liumai serve`.

Before bounded requests, `/slack/events` and `/feishu/*` read the whole body before checking its
signature, so eight unsigned 200 MB POSTs took the server from 0.3 GB to 2.4 GB. This runs the
same attack against a real `liumai serve` child process (Slack HTTP mode against a local stand-in
for Slack's API, Feishu HTTP callbacks; SQLite; no tag worker) and prints the server's resident
memory (VmRSS) and its peak (VmHWM, from /proc/PID/status) before and after, and what each
attacker got back.

Half the attackers declare `Content-Length`, half send `Transfer-Encoding: chunked` with no
length; the routes alternate between `/slack/events`, `/feishu/events` and `/feishu/card`. Bodies
are streamed from a generator in 64 KiB pieces, so the attacker itself holds almost nothing.

    python bench/body_limit.py [--clients 8] [--mb 200] [--code DIR]

`--code DIR` runs the server from another checkout (e.g. an older commit unpacked with
`git archive`), to measure the same attack before the fix.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUTES = ("/slack/events", "/feishu/events", "/feishu/card")
PIECE = 64 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


@dataclass
class Attack:
    route: str
    chunked: bool
    size: int
    sent: int = 0
    answer: str = "-"
    seconds: float = 0.0


def pieces(size: int):
    """The body, generated: the attacker never holds more than one piece."""
    piece = b"x" * PIECE
    left = size
    while left > 0:
        yield piece[: min(PIECE, left)]
        left -= PIECE


def attack(port: int, a: Attack) -> None:
    started = time.monotonic()
    framing = "Transfer-Encoding: chunked" if a.chunked else f"Content-Length: {a.size}"
    head = f"POST {a.route} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        try:
            sock.sendall(head.encode())
            for piece in pieces(a.size):
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if a.chunked else piece)
                a.sent += len(piece)
            if a.chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError as exc:
            a.answer = f"connection closed while sending ({exc.__class__.__name__})"
        try:
            data = sock.recv(256)
            if data.startswith(b"HTTP/1.1 "):
                a.answer = data.split(b"\r\n", 1)[0].decode()
        except OSError:
            pass
    a.seconds = time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--mb", type=int, default=200, help="body size of each attacker, in MB")
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout the server runs from")
    args = ap.parse_args()

    from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI

    with FakeSlackAPI() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_"))}
        env.update(
            PYTHONPATH=str(args.code.resolve()),
            LIUMAI_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET="8f742231b10e8888abcd12345678ef90",
            SLACK_API_URL=fake.base_url,
            FEISHU_APP_ID="cli_bench",
            FEISHU_APP_SECRET="bench-secret",
            FEISHU_VERIFICATION_TOKEN="bench-token",
            FEISHU_ENCRYPT_KEY="bench-encrypt-key",
            FEISHU_DOMAIN="http://127.0.0.1:9",
        )
        cli = [sys.executable, "-m", "liumai.cli.main"]
        subprocess.run([*cli, "migrate"], env=env, cwd=tmp, check=True, capture_output=True)
        port = free_port()
        log = open(Path(tmp) / "serve.log", "w+")  # noqa: SIM115 - read back at the end
        server = subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start:\n" + Path(log.name).read_text()) from None
                    time.sleep(0.2)
            before = memory(server.pid)
            size = args.mb * 1_000_000
            attacks = [Attack(ROUTES[i % len(ROUTES)], chunked=i % 2 == 1, size=size) for i in range(args.clients)]
            threads = [threading.Thread(target=attack, args=(port, a)) for a in attacks]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            after = memory(server.pid)
        finally:
            server.terminate()
            server.wait(30)

    mb = 1024 * 1024
    print(f"server code: {args.code.resolve()}")
    print(f"attack: {args.clients} unsigned POSTs of {args.mb} MB each, {elapsed:.1f} s")
    print(f"server RSS before: {before['VmRSS'] / mb:7.1f} MiB   (peak so far {before['VmHWM'] / mb:7.1f} MiB)")
    print(f"server RSS after:  {after['VmRSS'] / mb:7.1f} MiB   (peak        {after['VmHWM'] / mb:7.1f} MiB)")
    for a in attacks:
        framing = "chunked" if a.chunked else "length "
        print(f"  {a.route:<15} {framing} sent {a.sent / mb:7.1f} MiB in {a.seconds:5.1f} s -> {a.answer}")


if __name__ == "__main__":
    main()

"""Ack latency of `/nominate @someone story` in HTTP mode, as ratios against a bare Bolt app.

Slack gives an app 3 s to acknowledge; Liumai's design promise is that acknowledging costs about
what Bolt itself costs, with tagging and replies in lazy listeners. This measures exactly that,
side by side in one run so the ratios hold on any machine:

- Liumai: `create_app(ctx, [build_slack(ctx)])` on uvicorn, SQLite, the offline tagger; a minimal
  stand-in for Slack's servers (`sink`) receives the replies its lazy listeners send.
- Bare: a Bolt app with a no-op `/nominate` listener (`ack()`), the same `App` options and the
  very same Starlette routes (plugin/slack/asgi.py) on uvicorn - the same server stack.

Each server and the sink run in their own process. For each concurrency (20 and 50 senders by
default) the two targets are measured in alternating rounds (A B, B A, ...) so drift cancels,
and after every Liumai round the bench waits until its lazy work has drained (every reply has
reached the sink), so Liumai's background work never overlaps a bare-app round. Every request
is signed like Slack's and carries a distinct story (no idempotency shortcut).

With `--diagnose` a third target runs: Liumai with its lazy listeners removed (`ackonly`), i.e.
the acknowledgement path alone - it separates what acknowledging costs from what the background
work of each nomination (storing, tagging, replying in the same process) costs under saturation.

    python bench/slack_ack.py [--requests 400] [--rounds 4] [--concurrency 20 50] [--diagnose]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "8f742231b10e8888abcd12345678ef90"
ORG = """email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale
boss@example.com,Boss Chen,lead,,U0BOSS,,false,zh-CN
ann@example.com,Ann,alpha,boss@example.com,U0ANN,,false,en-US
bob@example.com,Bob,alpha,boss@example.com,U0BOB,,false,en-US
wang@example.com,王芳,alpha,boss@example.com,U0WANG,,false,zh-CN
cat@example.com,Cat,alpha,boss@example.com,U0CAT,,false,en-US
"""
NOMINATORS = ["U0ANN", "U0WANG", "U0CAT", "U0BOSS"]
STORIES = [
    "walked the new hire through on-call and wrote the runbook up for the whole team",
    "主动把排障经验写成文档分享给全组，还带新同事处理了第一次值班告警",
    "stayed on the bridge call until every merchant refund was back, then wrote up the fix",
]


# ------------------------------------------------------------------ servers (child processes)
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(kind: str, port: int, api_url: str, db_url: str) -> None:
    import logging

    import uvicorn

    logging.basicConfig(level=logging.WARNING)
    if kind == "sink":
        asyncio.run(sink(port))
        return
    if kind in ("liumai", "ackonly"):
        from liumai.config import load_settings
        from liumai.rubric import default_rubric
        from liumai.services.context import AppContext
        from liumai.slack import build_slack
        from liumai.storage.db import open_database
        from liumai.tagging.offline import OfflineTagger
        from liumai.web import create_app
        from tests.fakes.slack_api import BOT_TOKEN

        settings = load_settings(
            LIUMAI_DATABASE_URL=db_url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api_url,
        )
        rubric = default_rubric()
        ctx = AppContext(settings, open_database(db_url), rubric, OfflineTagger(rubric))
        integration = build_slack(ctx)
        if kind == "ackonly":  # diagnostic: Liumai's acknowledgement path alone, no background work
            for listener in integration.app._listeners:
                listener.lazy_functions = []
        app = create_app(ctx, [integration])
    else:
        from slack_bolt import App
        from slack_sdk import WebClient
        from starlette.applications import Starlette

        from liumai.slack.app import retry_handlers
        from liumai.slack.asgi import bolt_routes
        from liumai.slack.worker_pool import TrackingExecutor
        from tests.fakes.slack_api import BOT_TOKEN

        bare = App(
            name="bare",
            process_before_response=True,
            signing_secret=SECRET,
            client=WebClient(token=BOT_TOKEN, base_url=api_url, retry_handlers=retry_handlers()),
            listener_executor=TrackingExecutor(),
        )

        @bare.command("/nominate")
        def noop(ack) -> None:
            ack()

        app = Starlette(routes=bolt_routes(bare))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


async def sink(port: int) -> None:
    """A minimal stand-in for Slack's side (Web API and response_url) on raw asyncio streams.

    The test fake (tests/fakes/slack_api.py) records and validates every call, which costs CPU
    on this same machine while Liumai is measured - Slack's servers would not. This sink does
    the least possible: `auth.test` gets an identity, anything else `{"ok": true}`, and
    `GET /_stats` reports how many response_url replies arrived (to wait for lazy work).
    """
    from tests.fakes.slack_api import BOT_USER, TEAM_ID

    replies = 0
    auth = json.dumps(
        {
            "ok": True,
            "team_id": TEAM_ID,
            "team": "Bench",
            "user_id": BOT_USER,
            "bot_id": "B0BENCH",
            "url": "https://bench.slack.com/",
            "user": "liumai",
            "is_enterprise_install": False,
        }
    ).encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal replies
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                path = head.split(b" ", 2)[1]
                if path.startswith(b"/hooks/"):
                    replies += 1
                    body = b"ok"
                elif path.startswith(b"/_stats"):
                    body = json.dumps({"response_url": replies}).encode()
                elif path.endswith(b"auth.test"):
                    body = auth
                else:
                    body = b'{"ok": true}'
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
                if b"connection: close" in head.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def spawn(kind: str, port: int, api_url: str, db_url: str) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--serve", kind, "--port", str(port), "--api", api_url, "--db", db_url]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_up(url: str, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit(f"server at {url} did not start")


# ------------------------------------------------------------------ load
def signed(body: bytes) -> dict[str, str]:
    from tests.slack.payloads import sign

    return {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}


def request_bytes(port: int, body: bytes) -> bytes:
    """One signed HTTP/1.1 request, prepared before the clock starts (keep-alive connection)."""
    headers = signed(body)
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    )
    return head.encode() + body


async def run_batch(port: int, hook: str, concurrency: int, total: int, tag: str) -> list[float]:
    """`concurrency` senders share `total` requests; returns each request's latency in seconds.

    A minimal keep-alive HTTP/1.1 client on asyncio streams: the load generator shares the
    machine with the servers, so it should spend as little CPU per request as possible.
    """
    from tests.slack.payloads import slash_command

    requests = []
    for i in range(total):
        text = f"<@U0BOB|bob> {STORIES[i % len(STORIES)]} ({tag} #{i})"
        requests.append(request_bytes(port, slash_command("/nominate", text, NOMINATORS[i % len(NOMINATORS)], hook)))
    latencies: list[float] = []
    queue = iter(requests)

    async def sender() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for raw in queue:
                t0 = time.perf_counter()
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if not head.startswith(b"HTTP/1.1 200"):
                    raise SystemExit(f"port {port}: {head.splitlines()[0].decode()}")
        finally:
            writer.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return latencies


def replies(api_root: str) -> int:
    import httpx

    return httpx.get(f"{api_root}/_stats", timeout=5).json().get("response_url", 0)


def drain(api_root: str, expected: int, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while replies(api_root) < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"Liumai's lazy replies did not drain ({replies(api_root)}/{expected})")
        time.sleep(0.05)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400, help="requests per target, concurrency and round")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[20, 50])
    ap.add_argument(
        "--diagnose",
        action="store_true",
        help="also measure Liumai with its lazy listeners removed (acknowledgement path alone; no replies)",
    )
    ap.add_argument("--serve", choices=["sink", "liumai", "bare", "ackonly"], help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--api", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.api, args.db)
        return

    from liumai.config import load_settings
    from liumai.rubric import default_rubric
    from liumai.services.context import AppContext
    from liumai.services.org import import_org
    from liumai.storage.db import make_engine, migrate
    from liumai.tagging.offline import OfflineTagger

    tmp = tempfile.TemporaryDirectory(prefix="liumai-bench-")
    db_url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    rubric = default_rubric()
    import_org(AppContext(load_settings(LIUMAI_DATABASE_URL=db_url), engine, rubric, OfflineTagger(rubric)), ORG)
    engine.dispose()

    targets = ["liumai", "bare"] + (["ackonly"] if args.diagnose else [])
    ports = {k: free_port() for k in ("sink", *targets)}
    api_root = f"http://127.0.0.1:{ports['sink']}"
    api_url = f"{api_root}/api/"
    procs = [spawn("sink", ports["sink"], api_url, db_url)]
    wait_up(f"{api_root}/_stats")
    procs += [spawn(k, ports[k], api_url, db_url) for k in targets]
    try:
        for k in targets:
            wait_up(f"http://127.0.0.1:{ports[k]}/slack/events")
        hook = f"{api_root}/hooks/commands/T0TEST/1/bench"
        sent = 0

        async def batch(kind: str, conc: int, n: int, tag: str) -> list[float]:
            nonlocal sent
            lat = await run_batch(ports[kind], hook, conc, n, tag)
            if kind == "liumai":
                sent += n
                drain(api_root, sent)
            return lat

        print(f"warming up ({os.cpu_count()} CPUs)...", flush=True)
        for kind in targets:
            asyncio.run(batch(kind, 10, 100, "warm"))
        results: dict[tuple[str, int], list[float]] = {}
        for conc in args.concurrency:
            for r in range(args.rounds):
                order = targets if r % 2 == 0 else targets[::-1]
                for kind in order:
                    lat = asyncio.run(batch(kind, conc, args.requests, f"c{conc}r{r}"))
                    results.setdefault((kind, conc), []).extend(lat)
        print()
        print(
            f"/nominate @someone story: ack latency, {args.rounds} alternating rounds x {args.requests} requests "
            "(percentiles pooled over the rounds)"
        )
        print(f"{'senders':>8} {'target':>8} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for conc in args.concurrency:
            for kind in ("bare", "liumai", "ackonly"):
                if (kind, conc) not in results:
                    continue
                lat = results[(kind, conc)]
                print(
                    f"{conc:>8} {kind:>8} {pct(lat, 0.5) * 1e3:8.1f} {pct(lat, 0.99) * 1e3:8.1f} "
                    f"{statistics.fmean(lat) * 1e3:8.1f}"
                )
        print()
        print(f"{'senders':>8} {'p50 ratio':>10} {'p99 ratio':>10}   Liumai / bare Bolt (aim: p99 ratio <= 1.5)")
        for conc in args.concurrency:
            a, b = results[("liumai", conc)], results[("bare", conc)]
            print(f"{conc:>8} {pct(a, 0.5) / pct(b, 0.5):10.2f} {pct(a, 0.99) / pct(b, 0.99):10.2f}")
        if args.diagnose:
            print()
            print(
                f"{'senders':>8} {'p50 ratio':>10} {'p99 ratio':>10}   ackonly / bare: the acknowledgement path alone"
            )
            for conc in args.concurrency:
                a, b = results[("ackonly", conc)], results[("bare", conc)]
                print(f"{conc:>8} {pct(a, 0.5) / pct(b, 0.5):10.2f} {pct(a, 0.99) / pct(b, 0.99):10.2f}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
        tmp.cleanup()


if __name__ == "__main__":
    main()

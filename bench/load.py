"""Load drill: 1,000 nominations from 100 concurrent Slack users into HTTP mode on PostgreSQL, with
the LLM failing 30% of its calls - nothing lost, nothing doubled, everything tagged in the end.

What runs, each piece where it would run in production:

- Liumai (child process): the real ASGI app - `create_app(ctx, [build_slack(ctx)])` on uvicorn,
  Slack HTTP mode, PostgreSQL (a scratch schema, created here and dropped at the end), the LLM
  tagger (with the offline tagger as its fallback) pointed at the fake LLM, and the tag worker
  (`tag_worker.run_forever`) in a thread, as `liumai serve` runs them. Beside it, on the same
  server and event loop, a bare Bolt app with a no-op `/nominate` (`/bare/slack/events`, the
  baseline of bench/slack_ack.py) and Liumai's own `/healthz`.
- Slack's side (child process): the minimal stand-in of bench/slack_ack.py (`sink`) answering the
  Web API and counting response_url replies.
- This process: the fake OpenAI-compatible server (tests/fakes/openai_server.py) with a seeded
  fault mix - 30% of calls answered by a fault: HTTP 429 with Retry-After, HTTP 500, or a hang
  beyond the tagger's request timeout - and valid answers from its `responder` otherwise; and the
  load: `--users` simulated people (asyncio + httpx), each sending its share of `--n` signed
  `/nominate @colleague story` commands back to back, every story distinct. A share of
  deliveries (`--retry-rate`) is delivered again as Slack does when it thinks one was lost: the
  same payload, re-signed, with `X-Slack-Retry-Num: 1` - half of them while the first delivery
  is still in flight, half after its acknowledgement. Meanwhile probes time the baseline under
  the very same load: the bare Bolt app's acknowledgement and `GET /healthz`.

Then, within a bounded wait, it checks in the database and prints: every nomination stored
exactly once (count == n, distinct idempotency keys == n, no duplicate from retries), none lost
(the stored stories are exactly the stories sent), every one tagged (no `pending_tag` left, no due
or running tag job), and how they were tagged (LLM, or offline fallback with an LLM retry queued).
Figures: throughput (acknowledged, and stored-and-tagged nominations per second), ack p50/p99
beside the bare-Bolt and /healthz baselines measured side by side, as ratios.

    python bench/load.py [--n 1000] [--users 100] [--pg URL] [--fail-rate 0.3] [--retry-rate 0.1] [--think 0]

The PostgreSQL URL comes from `--pg` or LIUMAI_TEST_POSTGRES_URL. Exit status 1 if a check fails.

Reading the latencies: by default every user sends back to back (a closed loop), so the one
Liumai process is saturated on purpose and acknowledgement latency is mostly queueing - which is
why the baselines are measured on the same server under the same load, and the ratios are the
figure to read. How many acknowledgements exceeded Slack's 3 s is printed too; `--think S` gives
each user a pause (exponential, mean S) between nominations, for an unsaturated run. A single
process acknowledges at most what one Python process can; HTTP mode scales with replicas.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "8f742231b10e8888abcd12345678ef90"
SCHEMA_PREFIX = "lmload_"
TEMPLATES = [
    "walked the new hire through on-call and wrote the runbook up for the whole team",
    "主动把排障经验写成文档分享给全组，还带新同事处理了第一次值班告警",
    "stayed on the bridge call until every merchant refund was back, then wrote up the fix",
    "split the release work fairly, checked on everyone and thanked each of them by name",
    "客户半夜投诉，他一直跟进到退款到账，并把流程改进建议提交给了产品",
]
_STORY_RE = re.compile(r"<<<(STORY-[0-9a-f]{8}) BEGIN>>>\n(.*)\n<<<\1 END>>>", re.DOTALL)
ACK_BUDGET_S = 3.0  # Slack's acknowledgement deadline
PROBES = 8  # concurrent baseline probes (a few percent of the load's own concurrency)


# ------------------------------------------------------------------ set-up
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_url(arg: str | None) -> str:
    url = arg or os.environ.get("LIUMAI_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("PostgreSQL needed: pass --pg URL or set LIUMAI_TEST_POSTGRES_URL")
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def org_csv(users: int) -> str:
    """`users` colleagues in teams of ten, each team with its manager; locales alternate en/zh."""
    lines = ["email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale"]
    teams = (users + 9) // 10
    for t in range(teams):
        lines.append(f"m{t}@bench.example,Manager {t},t{t},,U0M{t:03d},,false,zh-CN")
    for i in range(users):
        locale = "zh-CN" if i % 2 else "en-US"
        lines.append(f"u{i}@bench.example,User {i},t{i // 10},m{i // 10}@bench.example,{user_id(i)},,false,{locale}")
    return "\n".join(lines) + "\n"


def user_id(i: int) -> str:
    return f"U0L{i:04d}"


# ------------------------------------------------------------------ the Liumai server (child)
def serve_liumai(port: int, api_url: str, db_url: str, llm_url: str, timeout_s: float, deadline_s: float) -> None:
    """`liumai serve` as it runs in HTTP mode, plus a bare Bolt app beside it for the baseline."""
    import logging

    import uvicorn
    from slack_bolt import App
    from slack_sdk import WebClient

    from liumai.cli.common import build_tagger
    from liumai.config import load_settings
    from liumai.rubric import default_rubric
    from liumai.services import tag_worker
    from liumai.services.context import AppContext
    from liumai.slack import build_slack
    from liumai.slack.app import retry_handlers
    from liumai.slack.asgi import bolt_routes
    from liumai.slack.worker_pool import TrackingExecutor
    from liumai.storage.db import open_database
    from liumai.tagging.offline import OfflineTagger
    from liumai.web import create_app
    from tests.fakes.slack_api import BOT_TOKEN

    logging.basicConfig(level=logging.ERROR)  # tagging faults are expected here: keep the console readable
    settings = load_settings(
        LIUMAI_DATABASE_URL=db_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        LIUMAI_LLM_BASE_URL=llm_url,
        LIUMAI_LLM_MODEL="fake-model",
        LIUMAI_LLM_API_KEY="bench-not-a-real-key",
        LIUMAI_LLM_TIMEOUT_S=timeout_s,
        LIUMAI_LLM_DEADLINE_S=deadline_s,
    )
    rubric = default_rubric()
    engine = open_database(db_url)
    ctx = AppContext(settings, engine, rubric, build_tagger(settings, rubric, None, engine))
    integration = build_slack(ctx)
    app = create_app(ctx, [integration])
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

    app.router.routes.extend(bolt_routes(bare, events_path="/bare/slack/events"))
    stop = threading.Event()
    worker = threading.Thread(
        target=tag_worker.run_forever,
        args=(ctx, stop),
        kwargs={"poll_s": 1.0, "fallback": OfflineTagger(rubric)},
        name="tag-worker",
        daemon=True,
    )
    worker.start()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
    finally:
        stop.set()


def spawn(args: list[str]) -> subprocess.Popen:
    cmd = [sys.executable, __file__, *args]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_up(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


# ------------------------------------------------------------------ the faulty LLM (this process)
def faulty_llm(rate: float, seed: int, hang_s: float):
    """The fake OpenAI server with a seeded fault mix; valid answers come from its `responder`."""
    from tests.fakes.openai_server import FakeOpenAIServer, RecordedRequest, error_body

    class FaultyLLM(FakeOpenAIServer):
        def __init__(self) -> None:
            super().__init__()
            self.rng = random.Random(seed)
            self.faults: Counter[str] = Counter()
            self.responder = self.answer_for

        @staticmethod
        def answer_for(body: dict) -> dict:
            user = next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")
            m = _STORY_RE.search(user)
            story = m.group(2) if m else ""
            criteria = ["teamwork.3", "customer_first.2", "dedication.2", "passion.1", "integrity.1"]
            pick = criteria[sum(map(ord, story)) % len(criteria)]
            return {
                "abstain": False,
                "reason": "",
                "suggestions": [
                    {
                        "criterion": pick,
                        "polarity": "conforming",
                        "confidence": 0.8,
                        "quote": story[:24],
                        "rationale": "bench answer",
                    }
                ],
            }

        def _handle(self, h) -> None:  # the fault mix, in front of the fake's own handling
            with self._lock:
                fault = self.rng.choice(("429", "500", "hang")) if self.rng.random() < rate else None
                if fault:
                    self.faults[fault] += 1
            if fault is None:
                super()._handle(h)
                return
            length = int(h.headers.get("Content-Length") or 0)
            raw = h.rfile.read(length) if length else b""
            with self._lock:
                self.requests.append(
                    RecordedRequest(h.path, {"_fault": fault, "_size": len(raw)}, {}, time.monotonic())
                )
            if fault == "429":
                self._send(h, 429, error_body(429, "Rate limit reached"), {"Retry-After": "0.3"})
            elif fault == "500":
                self._send(h, 500, error_body(500, "upstream exploded"))
            else:
                self._release.wait(hang_s)  # the client times out long before
                self._send(h, 504, error_body(504, "hung"))

    return FaultyLLM().start()


# ------------------------------------------------------------------ the load (this process)
def signed_headers(body: bytes, retry: int = 0) -> dict[str, str]:
    from tests.slack.payloads import sign

    h = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    if retry:
        h |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return h


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid or os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


async def run_load(
    base: str, hook: str, n: int, users: int, retry_rate: float, seed: int, think_s: float = 0.0
) -> tuple[dict[str, list[float]], list[str], float, Counter[str]]:
    """Every user sends its share; probes time the baselines meanwhile. Returns latencies by kind,
    the stories sent, the send phase's duration and HTTP status counts."""
    import httpx

    from tests.slack.payloads import slash_command

    rng = random.Random(seed)
    plan: list[list[tuple[str, bytes, str | None, float]]] = [[] for _ in range(users)]
    stories: list[str] = []
    for k in range(n):
        sender = k % users
        nominee = (sender + 1 + rng.randrange(users - 1)) % users
        story = f"{TEMPLATES[k % len(TEMPLATES)]} (#{k})"
        stories.append(story)
        body = slash_command("/nominate", f"<@{user_id(nominee)}|u{nominee}> {story}", user_id(sender), hook)
        roll = rng.random()
        retry = None if roll >= retry_rate else ("concurrent" if roll < retry_rate / 2 else "after")
        pause = rng.expovariate(1 / think_s) if think_s > 0 else 0.0
        plan[sender].append((story, body, retry, pause))
    lat: dict[str, list[float]] = {"ack": [], "retry": [], "bare": [], "healthz": []}
    statuses: Counter[str] = Counter()
    done = asyncio.Event()
    limits = httpx.Limits(max_connections=users * 2 + 20, max_keepalive_connections=users * 2 + 20)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:

        async def deliver(body: bytes, kind: str, retry: int = 0) -> None:
            t0 = time.perf_counter()
            r = await http.post("/slack/events", content=body, headers=signed_headers(body, retry))
            lat[kind].append(time.perf_counter() - t0)
            statuses[f"{kind}:{r.status_code}"] += 1

        async def person(items: list[tuple[str, bytes, str | None, float]]) -> None:
            for _story, body, retry, pause in items:
                if pause:
                    await asyncio.sleep(pause)  # a person typing the next story
                if retry == "concurrent":
                    await asyncio.gather(deliver(body, "ack"), deliver(body, "retry", 1))
                else:
                    await deliver(body, "ack")
                    if retry == "after":
                        await deliver(body, "retry", 1)

        async def probe(i: int) -> None:
            """Bare-Bolt acks from every probe; /healthz from one only - it queries the database on
            the event loop itself, so probing it often would slow down what it measures beside."""
            bare = slash_command("/nominate", "<@U0L0001> a no-op", user_id(0), hook)
            while not done.is_set():
                t0 = time.perf_counter()
                r = await http.post("/bare/slack/events", content=bare, headers=signed_headers(bare))
                lat["bare"].append(time.perf_counter() - t0)
                statuses[f"bare:{r.status_code}"] += 1
                if i == 0:
                    t0 = time.perf_counter()
                    r = await http.get("/healthz")
                    lat["healthz"].append(time.perf_counter() - t0)
                    statuses[f"healthz:{r.status_code}"] += 1
                await asyncio.sleep(0.02)

        probes = [asyncio.create_task(probe(i)) for i in range(PROBES)]
        t0 = time.perf_counter()
        await asyncio.gather(*(person(items) for items in plan))
        elapsed = time.perf_counter() - t0
        done.set()
        await asyncio.gather(*probes)
    return lat, stories, elapsed, statuses


# ------------------------------------------------------------------ checks (database)
def db_state(engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as c:
        one = lambda sql: c.execute(text(sql)).scalar()  # noqa: E731
        return {
            "nominations": one("SELECT count(*) FROM nomination"),
            "distinct_keys": one("SELECT count(DISTINCT idempotency_key) FROM nomination"),
            "distinct_content": one(
                "SELECT count(*) FROM (SELECT DISTINCT nominator_id, nominee_id, story FROM nomination) d"
            ),
            "pending_tag": one("SELECT count(*) FROM nomination WHERE status = 'pending_tag'"),
            "suggested": one("SELECT count(*) FROM nomination WHERE status = 'suggested'"),
            "jobs_running": one("SELECT count(*) FROM tag_job WHERE status = 'running'"),
            "jobs_due": one("SELECT count(*) FROM tag_job WHERE status = 'queued' AND next_attempt_at <= now()"),
            "jobs_waiting": one("SELECT count(*) FROM tag_job WHERE status = 'queued' AND next_attempt_at > now()"),
            "jobs_done": one("SELECT count(*) FROM tag_job WHERE status = 'done'"),
            "by_tagger": dict(
                c.execute(
                    text("SELECT s.tagger, count(*) FROM suggestion s WHERE s.rank = 1 GROUP BY s.tagger ORDER BY 1")
                ).all()
            ),
            "abstained": one(
                "SELECT count(*) FROM nomination n WHERE status = 'suggested' "
                "AND NOT EXISTS (SELECT 1 FROM suggestion s WHERE s.nomination_id = n.id)"
            ),
        }


def stored_stories(engine) -> list[str]:
    from sqlalchemy import text

    with engine.connect() as c:
        return [r[0] for r in c.execute(text("SELECT story FROM nomination"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="nominations to send")
    ap.add_argument("--users", type=int, default=100, help="concurrent simulated Slack users")
    ap.add_argument("--pg", help="PostgreSQL URL (default: LIUMAI_TEST_POSTGRES_URL)")
    ap.add_argument("--fail-rate", type=float, default=0.3, help="share of LLM calls answered by a fault")
    ap.add_argument("--retry-rate", type=float, default=0.1, help="share of deliveries Slack delivers twice")
    ap.add_argument("--llm-timeout", type=float, default=1.0, help="the tagger's per-request timeout (s)")
    ap.add_argument("--llm-deadline", type=float, default=8.0, help="the tagger's total deadline (s)")
    ap.add_argument("--drain-timeout", type=float, default=120.0, help="bounded wait for tagging to finish (s)")
    ap.add_argument(
        "--think", type=float, default=0.0, help="mean pause of a user between nominations (s); 0: back to back"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--serve", choices=["sink", "liumai"], help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--api", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--llm", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve == "sink":
        from bench.slack_ack import sink

        asyncio.run(sink(args.port))
        return
    if args.serve == "liumai":
        serve_liumai(args.port, args.api, args.db, args.llm, args.llm_timeout, args.llm_deadline)
        return
    if args.users < 2 or args.n < 1:
        raise SystemExit("--users must be at least 2 and --n at least 1")

    import httpx
    from sqlalchemy import create_engine, text

    from liumai.config import load_settings
    from liumai.rubric import default_rubric
    from liumai.services.context import AppContext
    from liumai.services.org import import_org
    from liumai.storage.db import make_engine, migrate
    from liumai.tagging.offline import OfflineTagger

    base_pg = pg_url(args.pg)
    schema = f"{SCHEMA_PREFIX}{int(time.time())}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = schema_url(base_pg, schema)
    procs: list[subprocess.Popen] = []
    llm = None
    engine = None
    failed: list[str] = []
    try:
        engine = make_engine(db_url)
        migrate(engine)
        rubric = default_rubric()
        ctx = AppContext(load_settings(LIUMAI_DATABASE_URL=db_url), engine, rubric, OfflineTagger(rubric))
        import_org(ctx, org_csv(args.users))

        llm = faulty_llm(args.fail_rate, args.seed, hang_s=args.llm_timeout * 3)
        ports = {"sink": free_port(), "liumai": free_port()}
        api_root = f"http://127.0.0.1:{ports['sink']}"
        procs.append(spawn(["--serve", "sink", "--port", str(ports["sink"])]))
        wait_up(f"{api_root}/_stats")
        procs.append(
            spawn(
                [
                    "--serve",
                    "liumai",
                    "--port",
                    str(ports["liumai"]),
                    "--api",
                    f"{api_root}/api/",
                    "--db",
                    db_url,
                    "--llm",
                    llm.base_url,
                    "--llm-timeout",
                    str(args.llm_timeout),
                    "--llm-deadline",
                    str(args.llm_deadline),
                ]
            )
        )
        base = f"http://127.0.0.1:{ports['liumai']}"
        wait_up(f"{base}/healthz")
        hook = f"{api_root}/hooks/commands/T0TEST/1/load"
        print(
            f"load: {args.n} nominations from {args.users} users, LLM faults {args.fail_rate:.0%} "
            f"(429/500/hang > {args.llm_timeout:g} s), Slack retries {args.retry_rate:.0%}, "
            f"PostgreSQL schema {schema}, {os.cpu_count()} CPUs",
            flush=True,
        )
        cpu0 = {"liumai": cpu_seconds(procs[1].pid), "sink": cpu_seconds(procs[0].pid), "load+LLM": cpu_seconds()}
        t_start = time.perf_counter()
        lat, stories, send_s, statuses = asyncio.run(
            run_load(base, hook, args.n, args.users, args.retry_rate, args.seed, args.think)
        )
        # bounded wait: every nomination tagged (none pending_tag), no tag job running or due
        deadline = time.monotonic() + args.drain_timeout
        state = db_state(engine)
        while state["pending_tag"] or state["jobs_running"] or state["jobs_due"]:
            if time.monotonic() > deadline:
                failed.append(f"tagging did not drain within {args.drain_timeout:g} s: {state}")
                break
            time.sleep(0.25)
            state = db_state(engine)
        tagged_s = time.perf_counter() - t_start
        cpu = {
            "liumai": cpu_seconds(procs[1].pid) - cpu0["liumai"],
            "sink": cpu_seconds(procs[0].pid) - cpu0["sink"],
            "load+LLM": cpu_seconds() - cpu0["load+LLM"],
        }
        replies = httpx.get(f"{api_root}/_stats", timeout=5).json().get("response_url", 0)
        sent = set(stories)
        stored = stored_stories(engine)
        retries = len(lat["retry"])

        # ---------------------------------------------------------------- checks
        def check(ok: bool, what: str) -> str:
            if not ok:
                failed.append(what)
            return "ok  " if ok else "FAIL"

        bad_status = {k: v for k, v in statuses.items() if not k.endswith(":200")}
        rows = [
            (not bad_status, "every delivery answered 200", f"{dict(statuses)}"),
            (
                state["nominations"] == args.n,
                "stored exactly once",
                f"{state['nominations']} nominations for {args.n} sent + {retries} retried deliveries",
            ),
            (
                state["distinct_keys"] == args.n and state["distinct_content"] == args.n,
                "no duplicate from retries",
                f"{state['distinct_keys']} distinct keys, {state['distinct_content']} distinct "
                "(nominator, nominee, story)",
            ),
            (
                set(stored) == sent and len(stored) == len(sent),
                "none lost",
                f"{len(sent & set(stored))}/{len(sent)} stories stored verbatim, {len(set(stored) - sent)} unexpected",
            ),
            (
                state["pending_tag"] == 0 and not state["jobs_running"] and not state["jobs_due"],
                "every one tagged",
                f"pending_tag {state['pending_tag']}, suggested {state['suggested']}, "
                f"tag jobs running {state['jobs_running']}, due {state['jobs_due']}",
            ),
            (replies >= args.n, "every sender answered", f"{replies} response_url replies"),
        ]
        print()
        print("checks")
        for ok, what, detail in rows:
            if not ok:
                failed.append(what)
            print(f"  {'ok  ' if ok else 'FAIL'} {what:<28} {detail}")
        faults = dict(llm.faults)
        calls = len(llm.requests)
        print()
        print(
            f"LLM: {calls} calls, {sum(faults.values())} faults ({sum(faults.values()) / max(calls, 1):.0%}: "
            f"{faults}); top suggestion by tagger {state['by_tagger']}; abstained {state['abstained']}; "
            f"LLM retries still queued (backoff) {state['jobs_waiting']}, tag jobs done {state['jobs_done']}"
        )
        ack, bare, hz = lat["ack"], lat["bare"], lat["healthz"]
        slow = sum(x > ACK_BUDGET_S for x in ack + lat["retry"])
        print()
        print(
            f"throughput: {args.n / send_s:.1f} nominations/s acknowledged ({send_s:.1f} s), "
            f"{args.n / tagged_s:.1f} nominations/s stored and tagged ({tagged_s:.1f} s)"
        )
        print(f"{'latency':>22} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for name, values in (
            ("Liumai /nominate ack", ack),
            ("retried delivery ack", lat["retry"]),
            ("bare Bolt ack (same)", bare),
            ("GET /healthz (same)", hz),
        ):
            if values:
                print(
                    f"{name:>22} {len(values):>6} {pct(values, 0.5) * 1e3:8.1f} {pct(values, 0.99) * 1e3:8.1f} "
                    f"{statistics.fmean(values) * 1e3:8.1f}"
                )
        print(f"{'ratios':>22} {'':>6} {'p50':>8} {'p99':>8}")
        for name, values in (("Liumai / bare Bolt", bare), ("Liumai / healthz", hz)):
            if values:
                p50, p99 = pct(ack, 0.5) / pct(values, 0.5), pct(ack, 0.99) / pct(values, 0.99)
                print(f"{name:>22} {'':>6} {p50:8.2f} {p99:8.2f}")
        print(f"acks over Slack's 3 s: {slow} of {len(ack) + len(lat['retry'])} (slowest {max(ack) * 1e3:.0f} ms)")
        print(
            f"CPU seconds over the {tagged_s:.0f} s run ({os.cpu_count()} CPUs): "
            + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
        )
        print("result:", "ALL CHECKS PASSED" if not failed else "FAILED: " + "; ".join(failed))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if llm is not None:
            llm.stop()
        if engine is not None:
            engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Liumai at the size of a 10,000-person company: each figure as time, peak memory and ratio to a floor.

The data set (built in bulk, reproducible from `--seed`): `--people` people in teams of 25 under a
four-level manager chain (one head, 10 vice-presidents, 100 directors, then team leads), and
`--per-person` evidence items each, spread over the four quarters of 2026, every one from a
confirmed nomination (80% accepted, 10% pending, 10% rejected; 2% of nominations private).
Defaults: 10,000 people x 100 = 1,000,000 evidence items.

Figures, on SQLite and, with `--pg URL` (or LIUMAI_TEST_POSTGRES_URL), on PostgreSQL in a scratch
schema dropped afterwards. CLI figures run `liumai` as a child process (time and its own peak RSS,
from wait4), and their floors include starting Python (`python -c pass`); in-process figures are
the best of `--repeat` runs. Each floor runs in the same run:
- `liumai --help`                  vs `python -c pass`
- org import, first / unchanged    vs one executemany INSERT of the same rows into a scratch table
- whole-org summary (`liumai summary --org`: JSON Lines, CSV, XLSX, HTML), streamed team by team,
                                   vs one SQL query reading the four quarters' evidence of everyone
- all team digests of one week     vs one SQL query reading that week's stories
- one person's export              vs one SQL query per table reading that person's rows

    python bench/scale.py [--people 10000] [--per-person 100] [--pg URL] [--only import,digest]
    python bench/scale.py --no-sqlite --keep-pg ...        # keep the PostgreSQL data set, print its URL
    python bench/scale.py --no-sqlite --data URL --only summary   # measure again on a kept data set

Benchmarks stay out of the test run; tests/test_bench_scale.py runs this at 200 people.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, insert, text

from liumai.config import load_settings
from liumai.rubric import default_rubric
from liumai.services.context import AppContext
from liumai.services.data_rights import export_person
from liumai.services.digest import build_digests
from liumai.storage.db import make_engine, migrate
from liumai.storage.models import Evidence, Nomination, Person, Team
from liumai.tagging.offline import OfflineTagger

TEAM_SIZE = 25
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
QUARTER, WEEK = "2026Q4", "2026-W46"
CHUNK = 20_000
FIGURES = ("cli", "import", "summary", "digest", "export")


def managers(people: int) -> list[int | None]:
    """Index of each person's manager: a head, 10 VPs, 100 directors, one lead per team, members."""
    rnd = random.Random(people)
    chain: list[int | None] = [None]
    leads_from = 111
    for i in range(1, people):
        if i <= 10:
            chain.append(0)
        elif i < leads_from:
            chain.append(rnd.randint(1, 10))
        elif (i - leads_from) % TEAM_SIZE == 0:
            chain.append(rnd.randint(11, leads_from - 1))
        else:
            chain.append(leads_from + ((i - leads_from) // TEAM_SIZE) * TEAM_SIZE)
    return chain


def team_of(i: int) -> str:
    return "leadership" if i < 111 else f"team{(i - 111) // TEAM_SIZE:04d}"


def org_csv(people: int) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["email", "name", "team", "manager_email", "slack_user_id", "feishu_open_id", "is_admin", "locale"])
    for i, m in enumerate(managers(people)):
        boss = "" if m is None else f"p{m}@bench.io"
        locale = "zh-CN" if i % 2 else "en-US"
        w.writerow([f"p{i}@bench.io", f"Person {i}", team_of(i), boss, f"U{i:08d}", f"ou_{i:08d}", i == 0, locale])
    return out.getvalue()


def build(engine, people: int, per_person: int, seed: int) -> None:
    """The data set, in bulk: people and teams, then nominations and evidence in chunks."""
    rnd = random.Random(seed)
    ids = sorted(default_rubric().criterion_ids)
    chain = managers(people)
    keys = sorted({team_of(i) for i in range(people)})
    team_id = {k: n + 1 for n, k in enumerate(keys)}
    with engine.begin() as conn:
        conn.execute(insert(Team), [{"id": team_id[k], "key": k, "name_zh": k, "name_en": k} for k in keys])
        conn.execute(
            insert(Person),
            [
                {
                    "id": i + 1,
                    "email": f"p{i}@bench.io",
                    "display_name": f"Person {i}",
                    "locale": "zh-CN" if i % 2 else "en-US",
                    "team_id": team_id[team_of(i)],
                    "manager_id": None if m is None else m + 1,
                    "is_admin": i == 0,
                    "active": True,
                    "created_at": YEAR_START,
                    "updated_at": YEAR_START,
                }
                for i, m in enumerate(chain)
            ],
        )
    for noms, evs in _chunks(rnd, people, people * per_person, ids):
        with engine.begin() as conn:
            conn.execute(insert(Nomination), noms)
            conn.execute(insert(Evidence), evs)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _chunks(rnd: random.Random, people: int, total: int, ids: list[str]) -> Iterator[tuple[list, list]]:
    span = (NOW - YEAR_START).total_seconds()
    for start in range(0, total, CHUNK):
        noms, evs = [], []
        for n in range(start, min(start + CHUNK, total)):
            to = n % people + 1  # every person gets the same number of items
            frm = rnd.randrange(people) + 1
            frm = frm % people + 1 if frm == to else frm
            at = YEAR_START + timedelta(seconds=rnd.random() * span)
            r = rnd.random()
            noms.append(
                {
                    "id": n + 1,
                    "nominator_id": frm,
                    "nominee_id": to,
                    "story": f"Story {n}: helped a customer through a hard outage and followed up the next day.",
                    "source": "api",
                    "private": rnd.random() < 0.02,
                    "status": "confirmed",
                    "idempotency_key": f"s{n}",
                    "created_at": at,
                }
            )
            evs.append(
                {
                    "id": n + 1,
                    "subject_id": to,
                    "criterion": rnd.choice(ids),
                    "polarity": "conforming",
                    "mitigated": False,
                    "status": "accepted" if r < 0.8 else "pending" if r < 0.9 else "rejected",
                    "nominator_id": frm,
                    "nomination_id": n + 1,
                    "period": f"2026Q{(at.month - 1) // 3 + 1}",
                    "occurred_at": at,
                    "rubric_version": "bench",
                    "created_at": at,
                }
            )
        yield noms, evs


@dataclass
class Figure:
    name: str
    seconds: float
    peak_mb: float | None
    floor: float

    def row(self, label: str) -> str:
        rss = f"{self.peak_mb:7.0f} MB" if self.peak_mb is not None else "       -  "
        ratio = self.seconds / self.floor if self.floor > 0 else float("inf")
        return (
            f"[{label}] {self.name:<38} {self.seconds:8.2f} s  peak {rss}"
            f"  floor {self.floor:8.4f} s  ratio {ratio:6.1f}x"
        )


GNU_TIME = "/usr/bin/time"


def measured_child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one child process.

    A child forked from this (large) process carries this process's resident pages in its peak
    RSS (Linux keeps the high-water mark across exec), so the child is started by GNU time, a small
    process, which reports its child's own peak (`%M`); without GNU time, os.wait4's figure, which
    over-counts."""
    wrapped = [GNU_TIME, "-f", "peak-kb=%M", *args] if os.access(GNU_TIME, os.X_OK) else args
    t0 = time.perf_counter()
    proc = subprocess.Popen(wrapped, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[1:4])}... exited {proc.returncode}: {err[-1500:]}")
    peaks = [line.split("=", 1)[1] for line in err.splitlines() if line.startswith("peak-kb=")]
    return seconds, (int(peaks[-1]) if peaks else usage.ru_maxrss) / 1024  # KiB on Linux


def best(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches and connections
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


LIUMAI = [sys.executable, "-m", "liumai.cli.main"]


def start_floor(env: dict[str, str], repeat: int) -> float:
    """Starting Python and doing nothing: part of the floor of every CLI figure."""
    return min(measured_child([sys.executable, "-c", "pass"], env)[0] for _ in range(repeat))


def cli_figures(env: dict[str, str], repeat: int, start: float) -> list[Figure]:
    help_s, peak = min(measured_child([*LIUMAI, "--help"], env) for _ in range(repeat))
    return [Figure("liumai --help", help_s, peak, start)]


def import_figures(url: str, env: dict[str, str], people: int, work: Path, start: float) -> list[Figure]:
    """Org import into an empty database, then the same file again (nothing changes)."""
    path = work / "org.csv"
    path.write_text(org_csv(people), encoding="utf-8")
    engine = make_engine(url)
    migrate(engine)
    first = measured_child([*LIUMAI, "org", "import", str(path)], env)
    again = measured_child([*LIUMAI, "org", "import", str(path)], env)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch_org (email VARCHAR(320), name VARCHAR(200), team VARCHAR(64))"))
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO scratch_org VALUES (:email, :name, :team)"), rows)
    floor = time.perf_counter() - t0 + start
    engine.dispose()
    return [
        Figure(f"org import, {people:,} rows, first", *first, floor),
        Figure(f"org import, {people:,} rows, unchanged", *again, floor),
    ]


SUMMARY_FLOOR = """
SELECT e.subject_id, e.criterion, e.status, e.occurred_at, n.story, p.display_name
FROM evidence e LEFT JOIN nomination n ON e.nomination_id = n.id LEFT JOIN person p ON e.nominator_id = p.id
WHERE e.period IN ('2026Q1', '2026Q2', '2026Q3', :quarter) ORDER BY e.subject_id, e.occurred_at
"""  # the four quarters a summary reads: the quarter and its trend
DIGEST_FLOOR = """
SELECT e.id, e.subject_id, e.criterion, n.story, n.nominator_id, n.created_at
FROM evidence e JOIN nomination n ON e.nomination_id = n.id
WHERE e.polarity = 'conforming' AND e.status != 'rejected' AND NOT n.private
  AND n.created_at >= :w_start AND n.created_at < :w_end
"""


def summary_figures(
    engine, env: dict[str, str], work: Path, start: float, formats: str, sizes: list[str]
) -> list[Figure]:
    def floor() -> None:
        with engine.connect() as conn, (work / "floor.jsonl").open("w", encoding="utf-8") as out:
            for row in conn.execute(text(SUMMARY_FLOOR), {"quarter": QUARTER}):
                out.write(repr(tuple(row)) + "\n")

    floor_s = best(floor, 1) + start
    figures = []
    for run in formats.split(","):
        fmt, _, jobs = run.partition(":")  # "json:1": JSON with --jobs 1
        args = [*LIUMAI, "summary", "--org", "--quarter", QUARTER, *(["--jobs", jobs] if jobs else [])]
        out = work / f"org.{fmt}"
        seconds, peak = measured_child([*args, "--format", fmt, "--out", str(out)], env)
        name = f"whole-org summary, {fmt}" + (f", --jobs {jobs}" if jobs else "")
        figures.append(Figure(name, seconds, peak, floor_s))
        sizes.append(f"{name}: {out.stat().st_size / 2**20:,.1f} MiB written")
    return figures


def digest_figures(ctx: AppContext, engine, repeat: int) -> list[Figure]:
    from liumai.periods import week_bounds

    w_start, w_end = week_bounds(WEEK, ctx.settings.tz)

    def floor() -> None:
        with engine.connect() as conn:
            conn.execute(text(DIGEST_FLOOR), {"w_start": w_start, "w_end": w_end}).fetchall()

    t = best(lambda: build_digests(ctx, WEEK), repeat)
    return [Figure(f"all team digests of {WEEK}", t, None, best(floor, repeat))]


def export_figures(ctx: AppContext, engine, repeat: int) -> list[Figure]:
    who = 1234 % max(1, _count(engine, "person")) + 1

    def floor() -> None:
        with engine.connect() as conn:
            for q in (
                "SELECT * FROM evidence WHERE subject_id = :p",
                "SELECT * FROM nomination WHERE nominator_id = :p OR nominee_id = :p",
                "SELECT * FROM audit_log WHERE actor_id = :p",
            ):
                conn.execute(text(q), {"p": who}).fetchall()

    t = best(lambda: export_person(ctx, who, "bench"), repeat)
    return [Figure("one person's export", t, None, best(floor, repeat))]


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # fixed table names


def run(url: str, label: str, args: argparse.Namespace, work: Path) -> list[str]:
    env = {**os.environ, "LIUMAI_DATABASE_URL": url, "LIUMAI_LANG": "en"}
    lines: list[str] = []
    only = set(args.only.split(",")) if args.only else set(FIGURES)
    figures: list[Figure] = []
    start = start_floor(env, args.repeat)
    if "cli" in only:
        figures += cli_figures(env, args.repeat, start)
    if "import" in only:
        import_url = _scratch(url, work, "import")
        figures += import_figures(import_url, {**env, "LIUMAI_DATABASE_URL": import_url}, args.people, work, start)
    if only & {"summary", "digest", "export"}:
        if args.data and not url.startswith("sqlite"):
            data_url = args.data  # a data set kept by an earlier run (--keep-pg)
            engine = make_engine(data_url)
            lines.append(f"[{label}] data set: kept, {_count(engine, 'evidence'):,} evidence items")
        else:
            data_url = _scratch(url, work, "data")
            _kept.append(data_url)
            engine = make_engine(data_url)
            migrate(engine)
            t0 = time.perf_counter()
            build(engine, args.people, args.per_person, args.seed)
            lines.append(
                f"[{label}] data set: {args.people:,} people, {args.people * args.per_person:,} evidence "
                f"items, built in {time.perf_counter() - t0:.1f} s"
            )
        settings = load_settings(LIUMAI_DATABASE_URL=data_url)
        rubric = default_rubric()
        ctx = AppContext(
            settings=settings, engine=engine, rubric=rubric, tagger=OfflineTagger(rubric), clock=lambda: NOW
        )
        data_env = {**env, "LIUMAI_DATABASE_URL": data_url}
        if "summary" in only:
            sizes: list[str] = []
            figures += summary_figures(engine, data_env, work, start, args.summary_formats, sizes)
            lines += [f"[{label}] {x}" for x in sizes]
        if "digest" in only:
            figures += digest_figures(ctx, engine, args.repeat)
        if "export" in only:
            figures += export_figures(ctx, engine, args.repeat)
        engine.dispose()
    return lines + [f.row(label) for f in figures]


_schemas: list[str] = []
_kept: list[str] = []  # the data set's URL, for --keep-pg


def _scratch(url: str, work: Path, name: str) -> str:
    """A fresh database for one part of the run: a SQLite file, or a PostgreSQL schema."""
    if url.startswith("sqlite"):
        return f"sqlite:///{work / (name + '.db')}"
    schema = f"liumai_scale_{name}_{uuid.uuid4().hex[:8]}"
    with create_engine(url).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    _schemas.append(schema)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def _drop_schemas(url: str) -> None:
    with create_engine(url).begin() as conn:
        for schema in _schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _schemas.clear()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--per-person", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pg", default=os.environ.get("LIUMAI_TEST_POSTGRES_URL"), help="PostgreSQL URL")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    ap.add_argument("--keep-pg", action="store_true", help="keep the PostgreSQL data set (for bench/explain.py)")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(FIGURES)}")
    ap.add_argument(
        "--summary-formats",
        default="json,csv,xlsx,html,json:1",
        help="org summaries to run: format[:jobs], comma-separated",
    )
    ap.add_argument("--data", help="PostgreSQL: measure on this kept data set (its URL, from --keep-pg)")
    args = ap.parse_args(argv)
    print(f"liumai scale bench, {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs", flush=True)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            for line in run("sqlite:///", "sqlite", args, Path(tmp)):
                print(line, flush=True)
    if args.pg and not args.no_pg:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                for line in run(args.pg, "postgres", args, Path(tmp)):
                    print(line, flush=True)
            finally:
                if args.keep_pg:
                    print(f"kept: {_kept[-1]}" if _kept else "kept nothing", flush=True)
                else:
                    _drop_schemas(args.pg)


if __name__ == "__main__":
    main()

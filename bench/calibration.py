"""Calibration of a 10,000-person org over one quarter, on PostgreSQL, as a ratio against a plain-SQL floor.

The org: a CEO (admin), 10 VPs, ~500 teams of 20 under their leads. The quarter (2026Q4) holds
250,000 evidence items: ~247,500 confirmed nominations (70% inside the nominee's team; 80%
accepted, 10% pending, 10% rejected, decided by the nominee's lead, five of whom reject far more
often than their peers), each with three tagger suggestions, ~1% of them re-tagged by a manager
(audit rows), and 2,500 concerns; plus 50,000 items in 2026Q3 that the quarter filter must skip.
Seeded with COPY (no ORM) into a scratch schema that is dropped afterwards.

Measured, best of N, each in a fresh process so its peak RSS is its own:
- the floor: one plain SQL query streaming the same evidence columns of the quarter, discarded;
- `calibration(ctx, "2026Q4")`: the whole read model for the org (scores for every person through
  the engine, distributions, manager outliers, fairness signals, tagger health);
- the same for one VP's subtree (`under=`), ~1,000 people.

    python bench/calibration.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import create_engine, text

PEOPLE, TEAM_SIZE, EVIDENCE, CONCERNS, OTHER_QUARTER = 10_000, 20, 250_000, 2_500, 50_000
VPS = 10
Q4_START, Q3_START = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
QUARTER_S = 91 * 86400
HARSH_LEADS = 5  # leads who reject 60% of what they decide


def org_shape(i: int) -> tuple[int | None, int | None]:
    """(manager id, team index) of person id i (1-based)."""
    if i == 1:
        return None, None
    if i <= 1 + VPS:
        return 1, None
    team = (i - 2 - VPS) // TEAM_SIZE
    lead = 2 + VPS + team * TEAM_SIZE
    return (2 + team % VPS if i == lead else lead), team


def _copy(conn, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def seed(url: str, seed_no: int = 3) -> None:
    from liumai.rubric import default_rubric
    from liumai.storage.db import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    rnd = random.Random(seed_no)
    ids = sorted(default_rubric().criterion_ids)
    teams = (PEOPLE - 1 - VPS + TEAM_SIZE - 1) // TEAM_SIZE
    shape = {i: org_shape(i) for i in range(1, PEOPLE + 1)}
    members: dict[int, list[int]] = {}
    for i, (_, team) in shape.items():
        if team is not None:
            members.setdefault(team, []).append(i)
    raw = engine.raw_connection()
    conn = raw.driver_connection
    t0 = time.perf_counter()
    _copy(
        conn,
        "team",
        ("id", "key", "name_zh", "name_en"),
        ((t + 1, f"t{t:03d}", f"团队{t}", f"Team {t}") for t in range(teams)),
    )
    people = (
        (i, f"p{i}@bench.io", f"Person {i}", "en-US", m, None if t is None else t + 1, i == 1, True, Q3_START, Q3_START)
        for i, (m, t) in shape.items()
    )
    cols = (
        "id",
        "email",
        "display_name",
        "locale",
        "manager_id",
        "team_id",
        "is_admin",
        "active",
        "created_at",
        "updated_at",
    )
    _copy(conn, "person", cols, people)
    harsh = {2 + VPS + t * TEAM_SIZE for t in range(HARSH_LEADS)}
    noms, suggs, evs, audits = [], [], [], []
    nid = sid = 0
    total = EVIDENCE - CONCERNS + OTHER_QUARTER
    for n in range(total):
        q4 = n < EVIDENCE - CONCERNS
        to = rnd.randrange(2 + VPS, PEOPLE + 1)
        team = shape[to][1]
        frm = rnd.choice(members[team]) if rnd.random() < 0.7 and team is not None else rnd.randrange(1, PEOPLE + 1)
        if frm == to:
            frm = to - 1
        at = (Q4_START if q4 else Q3_START) + timedelta(seconds=rnd.random() * QUARTER_S)
        nid += 1
        noms.append((nid, frm, to, f"Story {n} " + "x" * 80, "slack", False, "confirmed", f"b{n}", at))
        picks = rnd.sample(ids, 3)
        tagger = rnd.choices(("llm", "offline", "llm_fallback"), (70, 25, 5))[0]
        for rank, crit in enumerate(picks, start=1):
            sid += 1
            suggs.append((sid, nid, rank, crit, "conforming", 0.5, "", "", tagger, "", "bench", "", at))
        r = rnd.random()
        crit = picks[0] if r < 0.7 else picks[1 + (r < 0.8)] if r < 0.9 else rnd.choice(ids)
        lead = shape[to][0]
        d = rnd.random()
        status = "pending" if d < 0.1 else ("rejected" if d < (0.7 if lead in harsh else 0.2) else "accepted")
        decided = None if status == "pending" else lead
        period = "2026Q4" if q4 else "2026Q3"
        evs.append(
            (
                nid,
                to,
                crit,
                "conforming",
                False,
                status,
                frm,
                nid,
                None,
                period,
                at,
                "bench",
                decided,
                None if decided is None else at,
                at,
            )
        )
        if q4 and rnd.random() < 0.01 and decided is not None:
            new = rnd.choice(ids)
            detail = json.dumps(
                {"old_criterion": crit, "new_criterion": new, "old_status": status, "new_status": "accepted"}
            )
            audits.append(
                (
                    len(audits) + 1,
                    at + timedelta(hours=1),
                    lead,
                    f"p{lead}@bench.io",
                    "evidence.retag",
                    "evidence",
                    str(nid),
                    detail,
                )
            )
            evs[-1] = (*evs[-1][:2], new, *evs[-1][3:])
    _copy(
        conn,
        "nomination",
        ("id", "nominator_id", "nominee_id", "story", "source", "private", "status", "idempotency_key", "created_at"),
        iter(noms),
    )
    scols = (
        "id",
        "nomination_id",
        "rank",
        "criterion",
        "polarity",
        "confidence",
        "quote",
        "rationale",
        "tagger",
        "model",
        "rubric_version",
        "prompt_version",
        "created_at",
    )
    _copy(conn, "suggestion", scols, iter(suggs))
    concerns, cevs = [], []
    for c in range(CONCERNS):
        to = rnd.randrange(2 + VPS, PEOPLE + 1)
        at = Q4_START + timedelta(seconds=rnd.random() * QUARTER_S)
        concerns.append((c + 1, to, shape[to][0], rnd.choice(ids), False, "note", at))
        cevs.append(
            (
                nid + c + 1,
                to,
                concerns[-1][3],
                "non_conforming",
                False,
                "accepted",
                None,
                None,
                c + 1,
                "2026Q4",
                at,
                "bench",
                shape[to][0],
                at,
                at,
            )
        )
    _copy(
        conn,
        "concern",
        ("id", "subject_id", "manager_id", "criterion", "mitigated", "note", "created_at"),
        iter(concerns),
    )
    ecols = (
        "id",
        "subject_id",
        "criterion",
        "polarity",
        "mitigated",
        "status",
        "nominator_id",
        "nomination_id",
        "concern_id",
        "period",
        "occurred_at",
        "rubric_version",
        "decided_by_id",
        "decided_at",
        "created_at",
    )
    _copy(conn, "evidence", ecols, iter(evs + cevs))
    _copy(conn, "audit_log", ("id", "at", "actor_id", "actor", "action", "entity", "entity_id", "detail"), iter(audits))
    conn.commit()
    raw.close()
    with engine.begin() as c:
        c.execute(text("ANALYZE"))
    engine.dispose()
    print(
        f"seeded {PEOPLE:,} people, {len(evs) + len(cevs):,} evidence items ({EVIDENCE:,} in 2026Q4), "
        f"{len(suggs):,} suggestions, {len(audits):,} re-tags in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


FLOOR = """SELECT subject_id, criterion, polarity, nominator_id, status, id, mitigated, concern_id
FROM evidence WHERE period = '2026Q4' ORDER BY subject_id"""


def measure(url: str, what: str) -> dict:
    """One measurement in this (fresh) process: seconds and peak RSS."""
    from liumai.config import load_settings
    from liumai.rubric import default_rubric
    from liumai.services.calibration import calibration
    from liumai.services.context import AppContext
    from liumai.storage.db import make_engine
    from liumai.tagging.offline import OfflineTagger

    engine = make_engine(url)
    rubric = default_rubric()
    ctx = AppContext(
        settings=load_settings(LIUMAI_DATABASE_URL=url), engine=engine, rubric=rubric, tagger=OfflineTagger(rubric)
    )
    with engine.connect() as c:
        c.execute(text("SELECT 1"))
    base = peak_rss_mib()
    t0, cpu0 = time.perf_counter(), time.process_time()
    info: dict = {}
    if what == "floor":
        with engine.connect() as c:
            n = sum(1 for _ in c.execution_options(yield_per=5000).execute(text(FLOOR)))
        info["rows"] = n
    else:
        res = calibration(ctx, "2026Q4", under="p2@bench.io" if what == "subtree" else None)
        info = {
            "people": res.people,
            "outliers": len(res.outliers),
            "signals": len(res.signals),
            "unrecognised": len(res.unrecognised),
        }
    seconds = time.perf_counter() - t0
    info["python_cpu_s"] = round(time.process_time() - cpu0, 2)
    peak = peak_rss_mib()
    engine.dispose()
    return {"what": what, "seconds": seconds, "rss_before_mib": base, "peak_rss_mib": peak, **info}


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM): unlike ru_maxrss it starts afresh at exec, so the
    seeding parent's memory is not counted."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def run_fresh(url: str, what: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--pg", url], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--keep", help="Reuse (or keep) this schema instead of a scratch one.")
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.pg, args.measure)))
        return
    schema = args.keep or f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg)
    with admin.begin() as c:
        exists = c.execute(
            text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"), {"s": schema}
        ).first()
        if not exists:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.pg else "?"
    url = f"{args.pg}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        if not exists:
            seed(url)
        results: dict[str, dict] = {}
        for what in ("floor", "org", "subtree"):
            runs = [run_fresh(url, what) for _ in range(args.repeat)]
            results[what] = min(runs, key=lambda r: r["seconds"])
        floor = results["floor"]["seconds"]
        for what, r in results.items():
            extra = {k: v for k, v in r.items() if k not in ("what", "seconds", "rss_before_mib", "peak_rss_mib")}
            print(
                f"{what:8s} {r['seconds']:6.2f} s  x{r['seconds'] / floor:5.1f} of the floor  "
                f"peak RSS {r['peak_rss_mib']:6.0f} MiB (after imports {r['rss_before_mib']:4.0f} MiB)  {extra}"
            )
    finally:
        if not args.keep:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()

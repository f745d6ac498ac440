"""Report timings on a synthetic organisation, as ratios against plain-SQL floors in the same run.

2,000 people in 40 teams of 50 and 200,000 confirmed nominations over the four quarters of 2026
(80% accepted, 10% pending, 10% rejected, 2% private), on SQLite and, when a URL is given, on
PostgreSQL (in a scratch schema that is dropped afterwards). Measured, best of N:
- a 50-person team summary (`team_summary`: evidence with stories and nominators, the engine for
  every person) beside one plain SQL query that reads the same rows;
- all 40 team digests of one week (`build_digest`) beside one plain SQL query that reads the same
  rows for every team.

    python bench/reports.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import create_engine, insert, text

from liumai.config import load_settings
from liumai.rubric import default_rubric
from liumai.services.context import AppContext
from liumai.services.digest import build_digest, build_digests
from liumai.services.summaries import team_summary
from liumai.storage.db import make_engine, migrate
from liumai.storage.models import Evidence, Nomination, Person, Team
from liumai.tagging.offline import OfflineTagger

PEOPLE, TEAM_SIZE, NOMINATIONS = 2000, 50, 200_000
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
WEEK = "2026-W46"


def populate(engine, people: int, nominations: int, seed: int = 11) -> None:
    rnd = random.Random(seed)
    ids = sorted(default_rubric().criterion_ids)
    teams = people // TEAM_SIZE
    with engine.begin() as conn:
        conn.execute(
            insert(Team),
            [{"id": t + 1, "key": f"team{t:02d}", "name_zh": f"团队{t}", "name_en": f"Team {t}"} for t in range(teams)],
        )
        rows = []
        for i in range(people):
            team = i // TEAM_SIZE
            lead = team * TEAM_SIZE + 1
            rows.append(
                {
                    "id": i + 1,
                    "email": f"p{i}@bench.io",
                    "display_name": f"Person {i}",
                    "locale": "en-US",
                    "team_id": team + 1,
                    "manager_id": None if i + 1 == lead else lead,
                    "is_admin": False,
                    "active": True,
                    "created_at": YEAR_START,
                    "updated_at": YEAR_START,
                }
            )
        conn.execute(insert(Person), rows)
        span = (NOW - YEAR_START).total_seconds()
        for start in range(0, nominations, 10_000):
            noms, evs = [], []
            for n in range(start, min(start + 10_000, nominations)):
                to = rnd.randrange(people) + 1
                frm = rnd.randrange(people) + 1
                if frm == to:
                    frm = frm % people + 1
                at = YEAR_START + timedelta(seconds=rnd.random() * span)
                noms.append(
                    {
                        "id": n + 1,
                        "nominator_id": frm,
                        "nominee_id": to,
                        "story": f"Story {n} " + "x" * 120,
                        "source": "api",
                        "private": rnd.random() < 0.02,
                        "status": "confirmed",
                        "idempotency_key": f"b{n}",
                        "created_at": at,
                    }
                )
                r = rnd.random()
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
            conn.execute(insert(Nomination), noms)
            conn.execute(insert(Evidence), evs)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


TEAM_FLOOR = """
SELECT e.id, e.subject_id, e.criterion, e.polarity, e.mitigated, e.status, e.nominator_id, e.occurred_at,
       n.story, n.source_link, c.note, p.display_name
FROM evidence e
LEFT JOIN nomination n ON e.nomination_id = n.id
LEFT JOIN concern c ON e.concern_id = c.id
LEFT JOIN person p ON e.nominator_id = p.id
WHERE e.subject_id IN (SELECT id FROM person WHERE team_id = 1 AND active) AND e.period = '2026Q4'
ORDER BY e.occurred_at, e.id
"""
DIGEST_FLOOR = """
SELECT e.id, e.subject_id, e.criterion, e.status, n.story, n.nominator_id, n.created_at, n.source_link
FROM evidence e JOIN nomination n ON e.nomination_id = n.id
WHERE e.polarity = 'conforming' AND e.status != 'rejected' AND NOT n.private
  AND n.created_at >= :q_start AND n.created_at < :w_end
ORDER BY n.created_at, n.id
"""


def best(fn, repeat: int) -> float:
    fn()  # warm caches and connections
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(url: str, label: str, repeat: int, people: int, nominations: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    t0 = time.perf_counter()
    populate(engine, people, nominations)
    print(f"\n[{label}] {people:,} people, {nominations:,} nominations loaded in {time.perf_counter() - t0:.1f} s")
    settings = load_settings(LIUMAI_DATABASE_URL=url)
    rubric = default_rubric()
    ctx = AppContext(settings=settings, engine=engine, rubric=rubric, tagger=OfflineTagger(rubric), clock=lambda: NOW)
    from liumai.periods import quarter_of, week_bounds

    w_start, w_end = week_bounds(WEEK, settings.tz)
    q_start, _ = quarter_of(w_start, settings.tz).bounds(settings.tz)
    teams = [f"team{t:02d}" for t in range(people // TEAM_SIZE)]

    def floor_team():
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(TEAM_FLOOR)
            cur.fetchall()
        finally:
            raw.close()

    def floor_digest():
        with engine.connect() as conn:
            conn.execute(text(DIGEST_FLOOR), {"q_start": q_start, "w_end": w_end}).fetchall()

    summary = team_summary(ctx, team="team00", quarter="2026Q4")
    rows = sum(len(p.evidence) + len(p.concerns) for p in summary.people)
    t_floor = best(floor_team, repeat)
    t_team = best(lambda: team_summary(ctx, team="team00", quarter="2026Q4"), repeat)
    t_dfloor = best(floor_digest, repeat)
    t_digest = best(lambda: build_digests(ctx, WEEK), repeat)
    t_one_by_one = best(lambda: [build_digest(ctx, k, WEEK) for k in teams], max(1, repeat // 2))
    print(
        f"[{label}] team summary, {len(summary.people)} people, {rows:,} evidence rows: {t_team * 1e3:7.1f} ms"
        f"  floor {t_floor * 1e3:6.1f} ms  ratio {t_team / t_floor:4.1f}x"
    )
    print(
        f"[{label}] all {len(teams)} digests of {WEEK}:            {t_digest * 1e3:7.1f} ms"
        f"  floor {t_dfloor * 1e3:6.1f} ms  ratio {t_digest / t_dfloor:4.1f}x"
        f"  (one team at a time: {t_one_by_one * 1e3:.0f} ms)"
    )
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (a scratch schema is created and dropped)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--people", type=int, default=PEOPLE)
    ap.add_argument("--nominations", type=int, default=NOMINATIONS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", "sqlite", args.repeat, args.people, args.nominations)
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in args.pg else "?"
            run(
                f"{args.pg}{sep}options={quote(f'-csearch_path={schema}')}",
                "postgresql",
                args.repeat,
                args.people,
                args.nominations,
            )
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()

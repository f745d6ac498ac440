"""EXPLAIN ANALYZE of the heavy queries on the 10,000-person data set (PostgreSQL).

Build the data set once and keep it, then point this at the URL that bench/scale.py prints:

    python bench/scale.py --no-sqlite --keep-pg --only digest
    python bench/explain.py --url 'postgresql+psycopg://...?options=-csearch_path%3Dliumai_scale_data_...'

For each service call it captures the SELECTs the call issues, runs EXPLAIN ANALYZE on each with
its own parameters (the planner's real choices: sequential scans are allowed), and prints the
execution time and the tables read whole. A read of a whole history table (evidence, nominations,
...) is expected only for the whole-org calls; tests/test_query_plans.py holds the rule for the
calls about one team or one person. Erasure changes data, so it runs last and only with --erase.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.query_plans

from liumai.config import load_settings
from liumai.rubric import default_rubric
from liumai.services.context import AppContext
from liumai.services.data_rights import erase_person, export_person
from liumai.services.digest import build_digests
from liumai.services.summaries import person_summary, team_summary
from liumai.storage.db import make_engine
from liumai.tagging.offline import OfflineTagger
from tests.query_plans import HISTORY_TABLES, plans_of

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
QUARTER, WEEK = "2026Q4", "2026-W46"


def calls(ctx: AppContext, erase: bool) -> dict[str, Callable[[], object]]:
    found: dict[str, Callable[[], object]] = {
        "team summary (team0001, 25 people)": lambda: team_summary(ctx, team="team0001", quarter=QUARTER),
        "person summary (p5000)": lambda: person_summary(ctx, "p5000@bench.io", QUARTER),
        "all team digests of a week": lambda: build_digests(ctx, WEEK),
        "one team's digest": lambda: build_digests(ctx, WEEK, ["team0001"]),
        "person export (p5000)": lambda: export_person(ctx, "p5000@bench.io", "bench"),
        "org summary (whole subtree)": lambda: team_summary(ctx, manager="p0@bench.io", subtree=True, quarter=QUARTER),
    }
    if erase:
        found["person erasure (p5001)"] = lambda: erase_person(ctx, "p5001@bench.io", "bench")
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--url", required=True, help="the kept PostgreSQL data set of bench/scale.py")
    ap.add_argument("--erase", action="store_true", help="also erase one person (changes the data set)")
    args = ap.parse_args()
    engine = make_engine(args.url)
    rubric = default_rubric()
    settings = load_settings(LIUMAI_DATABASE_URL=args.url)
    ctx = AppContext(settings=settings, engine=engine, rubric=rubric, tagger=OfflineTagger(rubric), clock=lambda: NOW)
    for name, call in calls(ctx, args.erase).items():
        plans = plans_of(engine, call, analyze=True, no_seqscan=False)
        total = sum(p.ms for p in plans)
        whole = sorted({t for p in plans for t in p.seq_scans if t in HISTORY_TABLES})
        print(f"{name:<40} {len(plans):3} statements {total:9.1f} ms   history tables read whole: {whole or '-'}")
        for p in sorted(plans, key=lambda p: -p.ms)[:3]:
            print(f"    {p.ms:9.1f} ms  seq: {','.join(p.seq_scans) or '-':<30} {' '.join(p.statement.split())[:110]}")
    engine.dispose()


if __name__ == "__main__":
    main()

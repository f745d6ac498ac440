"""bench/scale.py keeps working: a full run at 200 people (SQLite; PostgreSQL too when CI sets
LIUMAI_TEST_POSTGRES_URL) prints every figure with a time, a floor and a ratio. No figure is
asserted: timings belong to the benchmark, never to the tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^\[(sqlite|postgres)\] (.+?)\s+(\d+\.\d+) s  peak .*floor\s+(\d+\.\d+) s  ratio\s+(\S+)x$")
NAMES = (
    "liumai --help",
    "org import, 200 rows, first",
    "org import, 200 rows, unchanged",
    "whole-org summary, json",
    "whole-org summary, csv, --jobs 2",
    "all team digests of 2026-W46",
    "one person's export",
)


def test_scale_bench_runs_at_200_people() -> None:
    args = [sys.executable, str(ROOT / "bench" / "scale.py"), "--people", "200", "--per-person", "5", "--repeat", "1"]
    args += ["--summary-formats", "json,csv:2"]  # the forked workers too; every format is tested elsewhere
    env = {k: v for k, v in os.environ.items() if k != "LIUMAI_DATABASE_URL"}
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    labels = ["sqlite"] + (["postgres"] if os.environ.get("LIUMAI_TEST_POSTGRES_URL") else [])
    for label in labels:
        lines = [m for line in proc.stdout.splitlines() if (m := FIGURE.match(line)) and m.group(1) == label]
        assert [m.group(2) for m in lines] == list(NAMES), proc.stdout
        # a time may print as 0.00 (an export at 200 people): only that every figure parses
        assert all(float(m.group(3)) >= 0 and float(m.group(5)) >= 0 for m in lines), proc.stdout
        assert f"[{label}] data set: 200 people, 1,000 evidence items" in proc.stdout

"""Run `liumai` as a real process against a test database, and snapshot every table's rows.

Kept out of conftest.py so test modules import them as an ordinary module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select

ROOT = Path(__file__).resolve().parents[1]


def liumai(
    db_url: str, *args: str, lang: str = "en", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`liumai ARGS` in a fresh process (settings from a clean environment plus `env`)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_", "OPENAI_"))}
    base.update({"LIUMAI_DATABASE_URL": db_url, "LIUMAI_LANG": lang, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", *args],
        env=base,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def ok(res: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert res.returncode == 0, (res.args, res.returncode, res.stdout, res.stderr)
    return res


def as_json(res: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(res).stdout)


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), to assert that a command changed nothing at all."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted((tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr)
            for name, table in meta.tables.items()
        }

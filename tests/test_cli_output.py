"""What the CLI prints where people read it: the digest names its week; Markdown renders on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from liumai.periods import week_of
from tests.cli_subprocess import ROOT, liumai, ok
from tests.conftest import ORG_CSV

STORY = "Ann walked Bob through the reconciliation job and shared her notes with the whole team."


@pytest.fixture
def cli_db(tmp_path) -> str:
    """A migrated SQLite file with the test org chart and one accepted recognition made now."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    (tmp_path / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    ok(liumai(url, "migrate"))
    ok(liumai(url, "org", "import", str(tmp_path / "org.csv")))
    ok(
        liumai(
            url,
            "nominate",
            "--from",
            "bob@example.com",
            "--to",
            "ann@example.com",
            "--story",
            STORY,
            "--criterion",
            "customer_first.2",
        )
    )
    ok(liumai(url, "evidence", "accept", "1", "--by", "mgr@example.com"))
    return url


def _weeks_before(days: int) -> set[str]:
    """Last week's label now and a second later: the test must not depend on the moment it runs."""
    tz = ZoneInfo("UTC")
    now = datetime.now(UTC)
    return {week_of(now - timedelta(days=days), tz), week_of(now + timedelta(seconds=5) - timedelta(days=days), tz)}


def test_digest_preview_names_the_week_it_shows(cli_db):
    last_weeks = _weeks_before(7)
    en = ok(liumai(cli_db, "digest", "--team", "alpha", env={"LIUMAI_TIMEZONE": "UTC"})).stdout
    assert "this week" not in en
    assert any(f"No recognitions in {w} (" in en for w in last_weeks), en
    zh = ok(liumai(cli_db, "digest", "--team", "alpha", lang="zh", env={"LIUMAI_TIMEZONE": "UTC"})).stdout
    assert "本周" not in zh and any(f"{w}（" in zh and "没有认可" in zh for w in last_weeks), zh
    this_weeks = _weeks_before(0)
    week = sorted(this_weeks)[0]
    now = ok(liumai(cli_db, "digest", "--team", "alpha", "--week", week, env={"LIUMAI_TIMEZONE": "UTC"})).stdout
    assert f"1 recognitions in {week} (" in now or len(this_weeks) > 1, now


def _summary_on_a_terminal(cli_db: str) -> str:
    """`liumai summary` with its stdout on a pseudo-terminal, as a person at a shell sees it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_", "OPENAI_"))}
    env.update({"LIUMAI_DATABASE_URL": cli_db, "LIUMAI_LANG": "en", "PYTHONPATH": str(ROOT), "COLUMNS": "160"})
    env.pop("NO_COLOR", None)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "liumai.cli.main", "summary", "--person", "ann@example.com", "--format", "md"],
        stdout=child,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=180) == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


def test_summary_markdown_renders_on_a_terminal_and_stays_markdown_in_a_pipe(cli_db):
    piped = ok(liumai(cli_db, "summary", "--person", "ann@example.com", "--format", "md")).stdout
    assert piped.startswith("# ") and "\\(" in piped  # Markdown, escaped for a file or a renderer
    shown = _summary_on_a_terminal(cli_db)
    assert "Ann" in shown and "customer_first" in shown
    assert "\\_" not in shown and "\\." not in shown and "\\(" not in shown
    assert not any(line.startswith("# ") for line in shown.splitlines())

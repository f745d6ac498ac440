"""The README's checkable statements match the code and data: the demo's organisation and stories,
the Slack scopes paragraph, and the Feishu permissions table being one table."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _demo(name: str) -> str:
    return resources.files("liumai.data.demo").joinpath(name).read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def test_demo_paragraph_matches_the_bundled_data():
    text = " ".join(README.read_text(encoding="utf-8").split())
    m = re.search(r"(\d+)-person sample organisation in (\w+) teams, replays (\d+) bundled stories", text)
    assert m, "the README no longer states the demo's organisation and stories"
    people = list(csv.DictReader(io.StringIO(_demo("org.csv"))))
    teams = {row["team"] for row in csv.DictReader(io.StringIO(_demo("teams.csv")))}
    stories = [line for line in _demo("stories.jsonl").splitlines() if line.strip()]
    n_teams = int(m.group(2)) if m.group(2).isdigit() else NUMBERS[m.group(2)]
    assert (int(m.group(1)), n_teams, int(m.group(3))) == (len(people), len(teams), len(stories))


def test_slack_scopes_paragraph_does_not_deny_the_history_scopes():
    text = README.read_text(encoding="utf-8")
    assert "`channels:history`" in text
    assert "no channel history" not in text


def test_feishu_permissions_table_is_one_table():
    section = _section(README.read_text(encoding="utf-8"), "### 2. Permissions")
    lines = section.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("|")]
    assert rows and rows == list(range(rows[0], rows[-1] + 1)), "a paragraph breaks the permissions table"

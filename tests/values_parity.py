"""One `/values` scenario table for both chat platforms: the same subcommands, the same outcomes.

tests/slack/test_slack_values_parity.py and tests/feishu/test_feishu_values_parity.py each run
`ROWS` against their adapter over real HTTP and classify what the asker received as an `Outcome`;
both must equal the row's expected outcome, so Slack and Feishu agree with each other. People are
named by e-mail; each runner turns the mentioned person into its platform's mention syntax.
"""

from __future__ import annotations

from dataclasses import dataclass

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.context import AppContext

STORY = "Bob stayed late to walk the new hire through on-call and wrote the runbook up for the whole team."
CONCERN = "Promised the fix by Friday, shipped nothing."


@dataclass(frozen=True)
class Outcome:
    """What the asker got: `kind` is list | file:subject | file:full | confirm | refused."""

    kind: str
    concern_shown: bool = False


# (asker, subcommand word as typed, mentioned person or None, expected outcome)
ROWS: list[tuple[str, str, str | None, Outcome]] = [
    ("bob@example.com", "evidence", None, Outcome("list")),
    ("bob@example.com", "事例", None, Outcome("list")),
    ("mgr@example.com", "evidence", "bob@example.com", Outcome("list", concern_shown=True)),
    ("hr@example.com", "evidence", "bob@example.com", Outcome("list", concern_shown=True)),
    ("ann@example.com", "evidence", "bob@example.com", Outcome("refused")),
    ("bob@example.com", "export", None, Outcome("file:subject")),
    ("hr@example.com", "导出", "bob@example.com", Outcome("file:full", concern_shown=True)),
    ("ann@example.com", "export", "bob@example.com", Outcome("refused")),
    ("mgr@example.com", "export", "bob@example.com", Outcome("refused")),
    ("ann@example.com", "erase", "bob@example.com", Outcome("refused")),
    ("mgr@example.com", "erase", "bob@example.com", Outcome("refused")),
    ("hr@example.com", "erase", "hr@example.com", Outcome("refused")),
    ("ann@example.com", "erase", None, Outcome("refused")),
    ("hr@example.com", "删除", "bob@example.com", Outcome("confirm")),
]
IDS = [f"{asker.split('@')[0]}-{word}-{(who or '').split('@')[0]}" for asker, word, who, _ in ROWS]


def seed(ctx: AppContext) -> None:
    """Bob has pending evidence from Ann, and a concern his manager recorded."""
    res = nom.nominate(ctx, "ann@example.com", "bob@example.com", STORY, source="api", tag=False)
    nom.confirm(ctx, res.nomination.id, "ann@example.com", "teamwork.3")
    ev.add_concern(ctx, "mgr@example.com", "bob@example.com", "integrity.2", CONCERN)

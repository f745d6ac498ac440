"""The `/values` command model, shared by every chat adapter: command words, subcommands and aliases.

Slack has slash commands and Feishu has typed bot messages, but both offer the same subcommands
with the same Chinese and English aliases, so the vocabulary is written once, here; the words after
a subcommand follow the shared grammar of `liumai.command_args` (quarter, week, preview, all, a team
key). Mentions are platform syntax (`<@U123>`, Feishu's `@_user_1` placeholders) and stay with each
adapter. Pure functions, no I/O, no services.
"""

from __future__ import annotations

NOMINATE = frozenset({"nominate", "提名"})
VALUES = frozenset({"values", "价值观"})
# alias -> canonical subcommand
SUBCOMMANDS: dict[str, str] = {
    "me": "me",
    "我": "me",
    "review": "review",
    "审核": "review",
    "concern": "concern",
    "关注": "concern",
    "help": "help",
    "帮助": "help",
    "evidence": "evidence",
    "事例": "evidence",
    "summary": "summary",
    "小结": "summary",
    "总结": "summary",
    "team": "team",
    "团队": "team",
    "digest": "digest",
    "周报": "digest",
    "export": "export",
    "导出": "export",
    "erase": "erase",
    "删除": "erase",
    "calibration": "calibration",
    "校准": "calibration",
}
# Subcommands that take people (mentions) and plain words (quarter, team key, flags) in any order.
WITH_ARGS = frozenset({"evidence", "summary", "team", "digest", "export", "erase", "calibration"})


def subcommand(word: str) -> str | None:
    """The canonical subcommand a typed word names (`小结` -> `summary`), or None."""
    return SUBCOMMANDS.get(word.strip().lower().lstrip("/／"))

"""The words a person types after a Slack command, read into the shared command model.

Slack sends a command's text with mentions already resolved to `<@U123|name>`; the subcommand
words and their aliases are the shared `liumai.commands`, and the report words (quarter, week,
flags) the shared `liumai.command_args`, so `/values team 2026Q4 all` means the same as on Feishu
(`liumai.feishu.parsing`) and in the CLI. Pure functions: tested without Slack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liumai.command_args import parse_report_words

LEADING_MENTION_RE = re.compile(r"^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*(.*)$", re.DOTALL)
MENTION_RE = re.compile(r"<@([UW][A-Z0-9]{1,20})(?:\|[^<>]{0,100})?>")


def parse_mention(text: str) -> tuple[str | None, str]:
    """`<@U123|name> story` or `<@U123> story` -> ("U123", "story"); no leading mention -> (None, text)."""
    m = LEADING_MENTION_RE.match(text or "")
    if not m:
        return None, (text or "").strip()
    return m.group(1), m.group(2).strip()


@dataclass(frozen=True)
class Args:
    """The words after a subcommand, sorted into what they can mean; `bad` explains a malformed one."""

    mentions: tuple[str, ...] = ()
    quarter: str | None = None
    week: str | None = None
    preview: bool = False
    subtree: bool = False
    words: tuple[str, ...] = ()
    bad: tuple[str, str] | None = None  # (text key, the offending word)


def parse_args(text: str, *, fiscal_start: int = 1, tz=None) -> Args:
    """Mentions anywhere (`<@U123|name>`), then the shared grammar: quarter, week, flags, words."""
    mentions = tuple(MENTION_RE.findall(text or ""))
    a = parse_report_words(MENTION_RE.sub(" ", text or "").split(), fiscal_start=fiscal_start, tz=tz)
    return Args(mentions, a.quarter, a.week, a.preview, a.subtree, a.words, a.bad)

"""Block Kit for reports: summary pages and the weekly digest, within Slack's block and text limits.

The read models and their lines and labels are platform-neutral (`liumai.reports`); only the Block
Kit is built here, in the adapter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.digest_render import quiet_line, short_story, team_name, total_line
from liumai.reports.digest_render import tr as dtr
from liumai.reports.summary_render import tr
from liumai.rubric.model import Rubric
from liumai.services.digest import Digest
from liumai.services.summaries import PersonSummary, TeamSummary

SLACK_MAX_BLOCKS = 50
SLACK_MAX_TEXT = 3000
_INTRAWORD = re.compile(r"(?<=\w)_\u200b(?=\w)")


def _mrkdwn(text: str) -> str:
    """Inert mrkdwn where ids stay searchable (`customer_first.2`): Slack never reads an underscore
    between word characters as italics, so the zero-width break there is dropped."""
    return _INTRAWORD.sub("_", esc.slack_mrkdwn(text))


def chunks(lines: Iterable[str], limit: int) -> list[str]:
    out, cur = [], ""
    for line in lines:
        line = line[: limit - 1]
        if cur and len(cur) + len(line) + 1 > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out


def summary_slack_pages(p: PersonSummary, rubric: Rubric, lang: str, *, concerns: bool = True) -> list[list[dict]]:
    """Block Kit pages, each within Slack's 50-block and 3,000-character limits: per value the why line
    first, then its details, the stories (quoted, with nominator and date) and the concerns."""
    acc, pend = p.result.accepted, p.result.with_pending
    total = f"*{tr('total', lang)} {acc.total:g}/{acc.max_total}*" + (
        f" ({tr('with_pending', lang)} {pend.total:g})" if pend.total != acc.total else ""
    )
    note = why.quarter_line(p, lang)
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{p.name} · {p.quarter}"[:150]}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": total + (f"\n{_mrkdwn(note)}" if note else "")},
        },
    ]
    for block in why.person_blocks(p, rubric, lang, concerns=concerns):
        lines = [f"*{_mrkdwn(block.headline)}*"]
        lines += [f"· {_mrkdwn(d)}" for d in block.details]
        for e, text in zip(block.evidence, block.evidence_lines, strict=True):
            link = f" <{e.link}|{tr('link', lang)}>" if e.link and e.link.startswith("https://") else ""
            lines.append(f"• {_mrkdwn(text[:600])}{link}")
        lines += [_mrkdwn(c[:600]) for c in block.concern_lines]
        blocks.append({"type": "divider"})
        blocks += [
            {"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks(lines, SLACK_MAX_TEXT)
        ]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{tr('rubric', lang)}: `{p.rubric_version}`"}]}
    )
    return [blocks[i : i + SLACK_MAX_BLOCKS] for i in range(0, len(blocks), SLACK_MAX_BLOCKS)]


def _delta(d: float) -> str:
    return f"{d:+g}" if d else "±0"


def team_slack_pages(s: TeamSummary, rubric: Rubric, lang: str) -> list[list[dict]]:
    rows = [
        f"*{esc.slack_mrkdwn(p.name)}*: "
        + " · ".join(f"{v.names.get(lang)} {p.result.accepted.values[v.key].score:g}" for v in rubric.values)
        + f" · *{tr('total', lang)} {p.total:g}*"
        + (f" ({tr('change', lang)} {_delta(p.total - p.previous.total)})" if p.previous else "")
        for p in s.people
    ]
    names = {v.key: v.names.get(lang) for v in rubric.values}
    rows.append(
        f"{tr('no_evidence_values', lang)}: "
        + (", ".join(names[k] for k in s.values_without_evidence) or tr("none", lang))
    )
    rows.append(
        f"{tr('unrecognised', lang)}: "
        + (", ".join(esc.slack_mrkdwn(p.name) for p in s.people if p.email in s.unrecognised) or tr("none", lang))
    )
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"{s.title} · {s.quarter}"[:150]}}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks(rows, SLACK_MAX_TEXT)]
    return [blocks[i : i + SLACK_MAX_BLOCKS] for i in range(0, len(blocks), SLACK_MAX_BLOCKS)]


def digest_slack_blocks(d: Digest, rubric: Rubric, lang: str) -> list[dict]:
    names = {v.key: v.names.get(lang) for v in rubric.values}
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"{dtr('title', lang)} · {team_name(d, lang)} · {d.week}"[:150]},
        }
    ]
    if not d.total:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": quiet_line(d, lang)}})
    else:
        counts = " · ".join(f"{names[k]} {n}" for k, n in d.by_value.items() if n)
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (f"*{total_line(d, lang)}*\n{esc.slack_mrkdwn(counts)}"),
                },
            }
        )
        for s in d.highlights:
            crit = rubric.behaviour(s.criterion).statement.get(lang)
            blocks.append(
                {
                    "type": "section",
                    "text": {
                        "type": "plain_text",
                        "emoji": False,
                        "text": esc.slack_text(
                            f"🌟 {s.nominee} {dtr('for', lang)} {crit}\n{short_story(s.text)}\n— {s.nominator}"
                        )[:3000],
                    },
                }
            )
    extra = []
    if d.first_recognitions:
        extra.append(f"{dtr('firsts', lang)}: " + ", ".join(s.nominee for s in d.first_recognitions))
    if d.values_missing_this_quarter:
        extra.append(f"{dtr('missing', lang)}: " + ", ".join(names[k] for k in d.values_missing_this_quarter))
    if extra:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "plain_text", "emoji": False, "text": esc.slack_text(e)[:2000]} for e in extra],
            }
        )
    return blocks[:50]

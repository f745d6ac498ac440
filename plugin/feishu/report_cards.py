"""Feishu cards for reports: the quarterly summary card and the weekly digest card.

The read models and their lines and labels are platform-neutral (`liumai.reports`); only the card
is built here, in the adapter. User text goes into plain_text, never lark_md.
"""

from __future__ import annotations

from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.digest_render import quiet_line, short_story, team_name, total_line
from liumai.reports.digest_render import tr as dtr
from liumai.reports.summary_render import tr
from liumai.rubric.model import Rubric
from liumai.services.digest import Digest
from liumai.services.summaries import PersonSummary


def summary_feishu_card(p: PersonSummary, rubric: Rubric, lang: str, *, concerns: bool = True) -> dict:
    """A Feishu interactive card (schema 1.0 elements); user text as plain_text, never lark_md.

    Per value the why line first, then its details, the stories and the concerns. The card stays
    within Feishu's size limit: stories are cut at 600 characters here, and the adapter's `fit_card`
    trims what is left over.
    """
    acc, pend = p.result.accepted, p.result.with_pending
    elements: list[dict] = [
        {
            "tag": "div",
            "text": {
                "tag": "lark_md",
                "content": (
                    f"**{tr('total', lang)} {acc.total:g}/{acc.max_total}**"
                    + (f" ({tr('with_pending', lang)} {pend.total:g})" if pend.total != acc.total else "")
                ),
            },
        }
    ]
    note = why.quarter_line(p, lang)
    if note:
        elements.append({"tag": "div", "text": {"tag": "plain_text", "content": note}})
    for block in why.person_blocks(p, rubric, lang, concerns=concerns):
        elements.append({"tag": "hr"})
        elements.append({"tag": "div", "text": {"tag": "plain_text", "content": esc.feishu_text(block.headline)}})
        lines = [f"· {d}" for d in block.details]
        lines += [f"• {text[:600]}" for text in block.evidence_lines]
        lines += [c[:600] for c in block.concern_lines]
        if lines:
            elements.append({"tag": "div", "text": {"tag": "plain_text", "content": esc.feishu_text("\n".join(lines))}})
    elements.append(
        {"tag": "note", "elements": [{"tag": "plain_text", "content": f"{tr('rubric', lang)}: {p.rubric_version}"}]}
    )
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {"tag": "plain_text", "content": esc.feishu_text(f"{p.name} · {p.quarter}")},
            "template": "blue",
        },
        "elements": elements,
    }


def digest_feishu_card(d: Digest, rubric: Rubric, lang: str) -> dict:
    names = {v.key: v.names.get(lang) for v in rubric.values}
    elements: list[dict] = []
    if not d.total:
        elements.append({"tag": "div", "text": {"tag": "plain_text", "content": quiet_line(d, lang)}})
    else:
        counts = " · ".join(f"{names[k]} {n}" for k, n in d.by_value.items() if n)
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": f"**{total_line(d, lang)}**"}})
        elements.append({"tag": "div", "text": {"tag": "plain_text", "content": counts}})
        for s in d.highlights:
            crit = rubric.behaviour(s.criterion).statement.get(lang)
            elements.append({"tag": "hr"})
            elements.append(
                {
                    "tag": "div",
                    "text": {
                        "tag": "plain_text",
                        "content": esc.feishu_text(
                            f"🌟 {s.nominee} {dtr('for', lang)} {crit}\n{short_story(s.text)}\n— {s.nominator}"
                        ),
                    },
                }
            )
    notes = []
    if d.first_recognitions:
        notes.append(f"{dtr('firsts', lang)}: " + ", ".join(s.nominee for s in d.first_recognitions))
    if d.values_missing_this_quarter:
        notes.append(f"{dtr('missing', lang)}: " + ", ".join(names[k] for k in d.values_missing_this_quarter))
    if notes:
        elements.append(
            {"tag": "note", "elements": [{"tag": "plain_text", "content": esc.feishu_text(n)} for n in notes]}
        )
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {
                "tag": "plain_text",
                "content": esc.feishu_text(f"{dtr('title', lang)} · {team_name(d, lang)} · {d.week}"),
            },
            "template": "green",
        },
        "elements": elements,
    }

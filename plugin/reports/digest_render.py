"""Renderers of the weekly digest: text/Markdown preview, Slack blocks, Feishu card.

Stories are user text: they go into plain_text objects (no mentions, no formatting), cut to a
sensible length, with broadcast mentions defused, so a digest can never ping a channel.
"""

from __future__ import annotations

from liumai.messages import section
from liumai.reports import escape as esc
from liumai.rubric.model import Rubric
from liumai.services.digest import Digest

T: dict[str, dict[str, str]] = section("digest")
STORY_MAX = 280


def tr(key: str, lang: str, **kw: object) -> str:
    return T[key]["zh" if lang.startswith("zh") else "en"].format(**kw)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= STORY_MAX else text[: STORY_MAX - 1] + "…"


def _team_name(d: Digest, lang: str) -> str:
    return d.team_name_zh if lang.startswith("zh") else d.team_name_en


def digest_text(d: Digest, rubric: Rubric, lang: str, *, markdown: bool = True) -> str:
    """A Markdown preview (files), or plain text for a terminal (`markdown=False`)."""
    m = esc.markdown if markdown else esc.clean
    b = (lambda x: f"**{x}**") if markdown else (lambda x: x)
    names = {v.key: v.names.get(lang) for v in rubric.values}
    lines = [f"{'## ' if markdown else '== '}{tr('title', lang)} — {m(_team_name(d, lang))} — {d.week}", ""]
    if not d.total:
        lines += [tr("quiet", lang), ""]
    else:
        lines += [
            tr("week_total", lang, n=d.total),
            "",
            f"{b(tr('by_value', lang))}: " + ", ".join(f"{names[k]} {n}" for k, n in d.by_value.items() if n),
            "",
            b(tr("highlights", lang)),
        ]
        for s in d.highlights:
            value = names.get(s.criterion.split(".", 1)[0], s.criterion)
            lines.append(
                f"- {b(m(s.nominee))} · {value} ({s.criterion}) · {tr('by', lang)} {m(s.nominator)}: "
                f"{m(_short(s.text))}"
            )
        lines.append("")
    if d.first_recognitions:
        lines.append(f"{b(tr('firsts', lang))}: " + ", ".join(m(s.nominee) for s in d.first_recognitions))
    if d.values_missing_this_quarter:
        lines.append(f"{b(tr('missing', lang))}: " + ", ".join(names[k] for k in d.values_missing_this_quarter))
    return "\n".join(lines).rstrip() + "\n"


def digest_slack_blocks(d: Digest, rubric: Rubric, lang: str) -> list[dict]:
    names = {v.key: v.names.get(lang) for v in rubric.values}
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"{tr('title', lang)} · {_team_name(d, lang)} · {d.week}"[:150]},
        }
    ]
    if not d.total:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": tr("quiet", lang)}})
    else:
        counts = " · ".join(f"{names[k]} {n}" for k, n in d.by_value.items() if n)
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (f"*{tr('week_total', lang, n=d.total)}*\n{esc.slack_mrkdwn(counts)}"),
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
                            f"🌟 {s.nominee} {tr('for', lang)} {crit}\n{_short(s.text)}\n— {s.nominator}"
                        )[:3000],
                    },
                }
            )
    extra = []
    if d.first_recognitions:
        extra.append(f"{tr('firsts', lang)}: " + ", ".join(s.nominee for s in d.first_recognitions))
    if d.values_missing_this_quarter:
        extra.append(f"{tr('missing', lang)}: " + ", ".join(names[k] for k in d.values_missing_this_quarter))
    if extra:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "plain_text", "emoji": False, "text": esc.slack_text(e)[:2000]} for e in extra],
            }
        )
    return blocks[:50]


def digest_feishu_card(d: Digest, rubric: Rubric, lang: str) -> dict:
    names = {v.key: v.names.get(lang) for v in rubric.values}
    elements: list[dict] = []
    if not d.total:
        elements.append({"tag": "div", "text": {"tag": "plain_text", "content": tr("quiet", lang)}})
    else:
        counts = " · ".join(f"{names[k]} {n}" for k, n in d.by_value.items() if n)
        elements.append(
            {"tag": "div", "text": {"tag": "lark_md", "content": f"**{tr('week_total', lang, n=d.total)}**"}}
        )
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
                            f"🌟 {s.nominee} {tr('for', lang)} {crit}\n{_short(s.text)}\n— {s.nominator}"
                        ),
                    },
                }
            )
    notes = []
    if d.first_recognitions:
        notes.append(f"{tr('firsts', lang)}: " + ", ".join(s.nominee for s in d.first_recognitions))
    if d.values_missing_this_quarter:
        notes.append(f"{tr('missing', lang)}: " + ", ".join(names[k] for k in d.values_missing_this_quarter))
    if notes:
        elements.append(
            {"tag": "note", "elements": [{"tag": "plain_text", "content": esc.feishu_text(n)} for n in notes]}
        )
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {
                "tag": "plain_text",
                "content": esc.feishu_text(f"{tr('title', lang)} · {_team_name(d, lang)} · {d.week}"),
            },
            "template": "green",
        },
        "elements": elements,
    }

"""The weekly digest as text or Markdown, and its labels and lines for the adapters' renderers
(Slack Block Kit in `liumai.slack.report_blocks`, the Feishu card in `liumai.feishu.report_cards`).

Stories are user text: they go into plain_text objects (no mentions, no formatting), cut to a
sensible length, with broadcast mentions defused, so a digest can never ping a channel.
"""

from __future__ import annotations

from datetime import date

from liumai.messages import section
from liumai.periods import parse_week
from liumai.reports import escape as esc
from liumai.rubric.model import Rubric
from liumai.services.digest import Digest

T: dict[str, dict[str, str]] = section("digest")
STORY_MAX = 280


def tr(key: str, lang: str, **kw: object) -> str:
    return T[key]["zh" if lang.startswith("zh") else "en"].format(**kw)


def week_label(week: str, lang: str) -> str:
    """The ISO week with its dates, Monday to Sunday: a digest may show last week, never "this week"."""
    y, w = parse_week(week)
    first, last = date.fromisocalendar(y, w, 1), date.fromisocalendar(y, w, 7)
    if lang.startswith("zh"):
        return f"{week}（{first.month}月{first.day}日至{last.month}月{last.day}日）"
    return f"{week} ({first:%d %b} - {last:%d %b %Y})"


def total_line(d: Digest, lang: str) -> str:
    """A line such as "N recognitions in 2026-W47 (16 Nov - 22 Nov 2026)": the week named, never "this week"."""
    return tr("week_total", lang, n=d.total, week=week_label(d.week, lang))


def quiet_line(d: Digest, lang: str) -> str:
    """The quiet-week line, naming the week it is about."""
    return tr("quiet", lang, week=week_label(d.week, lang))


def short_story(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= STORY_MAX else text[: STORY_MAX - 1] + "…"


def team_name(d: Digest, lang: str) -> str:
    return d.team_name_zh if lang.startswith("zh") else d.team_name_en


def digest_text(d: Digest, rubric: Rubric, lang: str, *, markdown: bool = True) -> str:
    """A Markdown preview (files), or plain text for a terminal (`markdown=False`)."""
    m = esc.markdown if markdown else esc.clean
    b = (lambda x: f"**{x}**") if markdown else (lambda x: x)
    names = {v.key: v.names.get(lang) for v in rubric.values}
    lines = [f"{'## ' if markdown else '== '}{tr('title', lang)} — {m(team_name(d, lang))} — {d.week}", ""]
    if not d.total:
        lines += [quiet_line(d, lang), ""]
    else:
        lines += [
            total_line(d, lang),
            "",
            f"{b(tr('by_value', lang))}: " + ", ".join(f"{names[k]} {n}" for k, n in d.by_value.items() if n),
            "",
            b(tr("highlights", lang)),
        ]
        for s in d.highlights:
            value = names.get(s.criterion.split(".", 1)[0], s.criterion)
            lines.append(
                f"- {b(m(s.nominee))} · {value} ({s.criterion}) · {tr('by', lang)} {m(s.nominator)}: "
                f"{m(short_story(s.text))}"
            )
        lines.append("")
    if d.first_recognitions:
        lines.append(f"{b(tr('firsts', lang))}: " + ", ".join(m(s.nominee) for s in d.first_recognitions))
    if d.values_missing_this_quarter:
        lines.append(f"{b(tr('missing', lang))}: " + ", ".join(names[k] for k in d.values_missing_this_quarter))
    return "\n".join(lines).rstrip() + "\n"

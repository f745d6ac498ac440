"""Markdown rendering of quarterly scores with their reasons (used by the demo and exports)."""

from __future__ import annotations

from plugin.reports.explain import level_line, next_step
from plugin.services.scoring import PersonQuarterScore
from rubric.engine import Outcome
from rubric.model import Rubric


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def team_scores_markdown(title: str, scores: list[PersonQuarterScore], rubric: Rubric, lang: str) -> str:
    zh = lang.startswith("zh")
    heads = [v.names.get(lang) for v in rubric.values]
    lines = [f"## {title}", ""]
    if not scores:
        lines += ["(无成员)" if zh else "(no members)", ""]
        return "\n".join(lines)
    lines.append(
        "| "
        + " | ".join(
            ["成员" if zh else "Person", *heads, "总分" if zh else "Total", "含待审" if zh else "With pending"]
        )
        + " |"
    )
    lines.append("|" + "---|" * (len(heads) + 3))
    for s in scores:
        acc, pend = s.result.accepted, s.result.with_pending
        cells = [f"{acc.values[v.key].score:g}" for v in rubric.values]
        lines.append("| " + " | ".join([_cell(s.person_name), *cells, f"{acc.total:g}", f"{pend.total:g}"]) + " |")
    lines.append("")
    for s in scores:
        acc = s.result.accepted
        lines.append(f"### {_cell(s.person_name)} — {acc.total:g}/{acc.max_total}")
        lines.append("")
        for v in rubric.values:
            vs = acc.values[v.key]
            lines.append(f"- **{v.names.get(lang)} {vs.score:g}/{vs.max_score}**")
            for t in vs.levels:
                if t.outcome is not Outcome.NOT_REACHED:
                    lines.append(f"  - {_cell(level_line(t, lang))}")
            nxt = next_step(vs, rubric, lang)
            if nxt:
                lines.append(f"  - {'下一步' if zh else 'Next'}: {_cell(nxt)}")
        lines.append("")
    return "\n".join(lines)

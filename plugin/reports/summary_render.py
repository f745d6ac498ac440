"""Renderers of quarterly summaries in platform-neutral formats: JSON, CSV, Markdown, self-contained
HTML and charts, with the labels (`tr`) the adapters' Block Kit and Feishu cards also use
(`liumai.slack.report_blocks`, `liumai.feishu.report_cards`).

All take the same `PersonSummary` / `TeamSummary`, so every surface tells the same story; user
text goes through `liumai.reports.escape` for the target format.
"""

from __future__ import annotations

import base64
import csv
import io

from liumai.messages import section
from liumai.reports import escape as esc
from liumai.reports.chart import radar_png
from liumai.reports.explain import level_line, next_step, trace_dict
from liumai.reports.fonts import FAMILY, cjk_font_face
from liumai.rubric.engine import Outcome
from liumai.rubric.model import Rubric
from liumai.services.summaries import EvidenceLine, PersonSummary, TeamSummary

T: dict[str, dict[str, str]] = section("summary")


def tr(key: str, lang: str) -> str:
    return T[key]["zh" if lang.startswith("zh") else "en"]


def _people(s: PersonSummary | TeamSummary) -> list[PersonSummary]:
    return s.people if isinstance(s, TeamSummary) else [s]


def _line(e: EvidenceLine) -> dict:
    return {
        "id": e.id,
        "criterion": e.criterion,
        "polarity": e.polarity,
        "mitigated": e.mitigated,
        "status": e.status,
        "text": e.text,
        "nominator": e.nominator,
        "date": e.occurred_at.date().isoformat(),
        "link": e.link,
    }


# ---------------------------------------------------------------------------------------- JSON
def person_json(p: PersonSummary, rubric: Rubric, lang: str = "en", *, concerns: bool = True) -> dict:
    acc, pend = p.result.accepted, p.result.with_pending
    return {
        "person": p.email,
        "name": p.name,
        "quarter": p.quarter,
        "rubric_version": p.rubric_version,
        "total": acc.total,
        "total_with_pending": pend.total,
        "max_total": acc.max_total,
        "values": {
            v.key: {
                **trace_dict(acc.values[v.key]),
                "score_with_pending": pend.values[v.key].score,
                "next": next_step(acc.values[v.key], rubric, lang),
                "evidence": [_line(e) for e in p.evidence_for(v.key)],
                **({"concerns": [_line(e) for e in p.concerns_for(v.key)]} if concerns else {}),
            }
            for v in rubric.values
        },
    }


def summary_json(s: PersonSummary | TeamSummary, rubric: Rubric, lang: str = "en") -> dict:
    if isinstance(s, PersonSummary):
        return person_json(s, rubric, lang)
    return {
        "team": s.title,
        "quarter": s.quarter,
        "rubric_version": s.rubric_version,
        "values_without_evidence": s.values_without_evidence,
        "unrecognised": s.unrecognised,
        "people": [person_json(p, rubric, lang) for p in s.people],
    }


# ---------------------------------------------------------------------------------------- CSV
CSV_HEADER = [
    "quarter",
    "email",
    "name",
    "value",
    "score",
    "score_with_pending",
    "max",
    "stopped_at",
    "accepted_evidence",
    "pending_evidence",
    "concerns",
    "next",
    "rubric_version",
]


def summary_csv(s: PersonSummary | TeamSummary, rubric: Rubric, lang: str = "en") -> str:
    """One row per person and value; cells that look like formulas are neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for p in _people(s):
        acc, pend = p.result.accepted, p.result.with_pending
        for v in rubric.values:
            vs = acc.values[v.key]
            ev = p.evidence_for(v.key)
            row = [
                p.quarter,
                p.email,
                p.name,
                v.key,
                f"{vs.score:g}",
                f"{pend.values[v.key].score:g}",
                vs.max_score,
                vs.stopped_at or "",
                sum(e.status == "accepted" for e in ev),
                sum(e.status == "pending" for e in ev),
                len(p.concerns_for(v.key)),
                next_step(vs, rubric, lang) or "",
                p.rubric_version,
            ]
            w.writerow([esc.csv_cell(c) for c in row])
    return buf.getvalue()


# ---------------------------------------------------------------------------------------- Markdown
def _md_person(p: PersonSummary, rubric: Rubric, lang: str, level: int = 2) -> list[str]:
    acc, pend = p.result.accepted, p.result.with_pending
    h = "#" * level
    out = [
        f"{h} {esc.markdown(p.name)} — {acc.total:g}/{acc.max_total}"
        + (f" ({tr('with_pending', lang)} {pend.total:g})" if pend.total != acc.total else ""),
        "",
    ]
    for v in rubric.values:
        vs = acc.values[v.key]
        out.append(f"**{v.names.get(lang)} {vs.score:g}/{vs.max_score}**")
        out.append("")
        for t in vs.levels:
            if t.outcome is not Outcome.NOT_REACHED:
                out.append(f"- {esc.markdown(level_line(t, lang))}")
        nxt = next_step(vs, rubric, lang)
        if nxt:
            out.append(f"- {tr('next', lang)}: {esc.markdown(nxt)}")
        for e in p.evidence_for(v.key):
            link = f" ([{tr('link', lang)}]({e.link}))" if e.link else ""
            out.append(
                f"  - #{e.id} `{e.criterion}` {tr(e.status, lang)} · {e.occurred_at.date()} · "
                f"{tr('from', lang)} {esc.markdown(e.nominator)}: {esc.markdown(e.text)}{link}"
            )
        for e in p.concerns_for(v.key):
            mit = f" ({tr('mitigated', lang)})" if e.mitigated else ""
            out.append(
                f"  - ⚠ #{e.id} `{e.criterion}`{mit} · {e.occurred_at.date()} · "
                f"{esc.markdown(e.nominator)}: {esc.markdown(e.text)}"
            )
        out.append("")
    return out


def summary_markdown(s: PersonSummary | TeamSummary, rubric: Rubric, lang: str = "en") -> str:
    if isinstance(s, PersonSummary):
        lines = [
            f"# {tr('summary', lang)} — {esc.markdown(s.name)} — {s.quarter}",
            "",
            *_md_person(s, rubric, lang),
            f"{tr('rubric', lang)}: `{s.rubric_version}`",
            "",
        ]
        return "\n".join(lines)
    heads = [v.names.get(lang) for v in rubric.values]
    lines = [
        f"# {tr('summary', lang)} — {esc.markdown(s.title)} — {s.quarter}",
        "",
        "| " + " | ".join([tr("person", lang), *heads, tr("total", lang), tr("with_pending", lang)]) + " |",
        "|" + "---|" * (len(heads) + 3),
    ]
    for p in s.people:
        acc, pend = p.result.accepted, p.result.with_pending
        lines.append(
            "| "
            + " | ".join(
                [
                    esc.markdown(p.name),
                    *(f"{acc.values[v.key].score:g}" for v in rubric.values),
                    f"{acc.total:g}",
                    f"{pend.total:g}",
                ]
            )
            + " |"
        )
    names = {v.key: v.names.get(lang) for v in rubric.values}
    lines += [
        "",
        f"- {tr('no_evidence_values', lang)}: "
        + (", ".join(names[k] for k in s.values_without_evidence) or tr("none", lang)),
        f"- {tr('unrecognised', lang)}: "
        + (", ".join(esc.markdown(p.name) for p in s.people if p.email in s.unrecognised) or tr("none", lang)),
        "",
    ]
    for p in s.people:
        lines += _md_person(p, rubric, lang, level=2)
    lines.append(f"{tr('rubric', lang)}: `{s.rubric_version}`")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------- charts
def person_chart(p: PersonSummary, rubric: Rubric, lang: str) -> bytes:
    acc, pend = p.result.accepted, p.result.with_pending
    return radar_png(
        [v.names.get(lang) for v in rubric.values],
        [acc.values[v.key].score for v in rubric.values],
        title=f"{p.name} {p.quarter}",
        compare=[pend.values[v.key].score for v in rubric.values],
        label=tr("accepted", lang),
        compare_label=tr("with_pending", lang),
    )


def team_chart(s: TeamSummary, rubric: Rubric, lang: str) -> bytes:
    """The team's average per value (accepted, and with pending evidence) as one radar chart."""
    n = max(len(s.people), 1)
    acc = [sum(p.result.accepted.values[v.key].score for p in s.people) / n for v in rubric.values]
    pend = [sum(p.result.with_pending.values[v.key].score for p in s.people) / n for v in rubric.values]
    return radar_png(
        [v.names.get(lang) for v in rubric.values],
        acc,
        title=f"{s.title} {s.quarter}",
        compare=pend,
        label=f"{tr('team_avg', lang)} ({tr('accepted', lang)})",
        compare_label=tr("with_pending", lang),
    )


# ---------------------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:980px;color:#222;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}.person{display:flex;gap:1.5rem;align-items:flex-start}
.chart img{width:300px}.value{margin:.4rem 0}.met{color:#2e7d32}.half{color:#ef6c00}.not_met{color:#c62828}
ul{margin:.2rem 0 .4rem 1.1rem;padding:0}.ev{color:#444;font-size:.92rem}.concern{color:#8a4b00}
.muted{color:#777;font-size:.85rem}
"""


def _html_person(p: PersonSummary, rubric: Rubric, lang: str, charts: bool) -> str:
    acc, pend = p.result.accepted, p.result.with_pending
    h = esc.html_text
    parts = [
        f'<section class="person-summary" data-person="{h(p.email)}">',
        f"<h2>{h(p.name)} — {acc.total:g}/{acc.max_total}"
        + (
            f" <span class='muted'>({tr('with_pending', lang)} {pend.total:g})</span>"
            if pend.total != acc.total
            else ""
        )
        + "</h2>",
        '<div class="person">',
    ]
    if charts:
        png = base64.b64encode(person_chart(p, rubric, lang)).decode()
        parts.append(f'<div class="chart"><img alt="radar chart {h(p.name)}" src="data:image/png;base64,{png}"></div>')
    parts.append("<div>")
    for v in rubric.values:
        vs = acc.values[v.key]
        parts.append(f'<div class="value"><strong>{h(v.names.get(lang))} {vs.score:g}/{vs.max_score}</strong><ul>')
        for t in vs.levels:
            if t.outcome is not Outcome.NOT_REACHED:
                parts.append(f'<li class="{t.outcome.value}">{h(level_line(t, lang))}</li>')
        nxt = next_step(vs, rubric, lang)
        if nxt:
            parts.append(f"<li>{tr('next', lang)}: {h(nxt)}</li>")
        for e in p.evidence_for(v.key):
            link = f' <a href="{h(e.link)}">{tr("link", lang)}</a>' if e.link and e.link.startswith("https://") else ""
            parts.append(
                f'<li class="ev">#{e.id} {h(e.criterion)} · {tr(e.status, lang)} · {e.occurred_at.date()} · '
                f"{tr('from', lang)} {h(e.nominator)}: {h(e.text)}{link}</li>"
            )
        for e in p.concerns_for(v.key):
            mit = f" ({tr('mitigated', lang)})" if e.mitigated else ""
            parts.append(
                f'<li class="concern">⚠ #{e.id} {h(e.criterion)}{mit} · {e.occurred_at.date()} · '
                f"{h(e.nominator)}: {h(e.text)}</li>"
            )
        parts.append("</ul></div>")
    parts.append("</div></div></section>")
    return "\n".join(parts)


def _html_body(s: PersonSummary | TeamSummary, rubric: Rubric, lang: str, charts: bool) -> list[str]:
    h = esc.html_text
    title = s.title if isinstance(s, TeamSummary) else s.name
    body: list[str] = [f"<h1>{tr('summary', lang)} — {h(title)} — {s.quarter}</h1>"]
    if isinstance(s, TeamSummary):
        heads = "".join(f"<th>{h(v.names.get(lang))}</th>" for v in rubric.values)
        body.append(
            f"<table><tr><th>{tr('person', lang)}</th>{heads}<th>{tr('total', lang)}</th>"
            f"<th>{tr('with_pending', lang)}</th></tr>"
        )
        for p in s.people:
            acc, pend = p.result.accepted, p.result.with_pending
            cells = "".join(f"<td>{acc.values[v.key].score:g}</td>" for v in rubric.values)
            body.append(f"<tr><td>{h(p.name)}</td>{cells}<td>{acc.total:g}</td><td>{pend.total:g}</td></tr>")
        body.append("</table>")
        names = {v.key: v.names.get(lang) for v in rubric.values}
        missing = ", ".join(names[k] for k in s.values_without_evidence) or tr("none", lang)
        nobody = ", ".join(p.name for p in s.people if p.email in s.unrecognised) or tr("none", lang)
        body.append(f"<p>{tr('no_evidence_values', lang)}: {h(missing)}<br>{tr('unrecognised', lang)}: {h(nobody)}</p>")
    body.extend(_html_person(p, rubric, lang, charts) for p in _people(s))
    body.append(f"<p class='muted'>{tr('rubric', lang)}: {h(s.rubric_version)}</p>")
    return body


def report_html(
    sections: list[PersonSummary | TeamSummary],
    rubric: Rubric,
    lang: str = "en",
    *,
    title: str = "",
    charts: bool = True,
    embed_font: bool = True,
) -> str:
    """One self-contained file: inline CSS, charts as data URIs, a CJK font subset, no scripts."""
    h = esc.html_text
    content = "\n".join(line for s in sections for line in _html_body(s, rubric, lang, charts))
    title = title or " / ".join(s.title if isinstance(s, TeamSummary) else s.name for s in sections)
    quarter = sections[0].quarter if sections else ""
    font_face = cjk_font_face(content + title) if embed_font else ""
    css = font_face + _CSS.replace("font-family:", f'font-family:"{FAMILY}",' if font_face else "font-family:", 1)
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang.startswith("zh") else "en"}"><head><meta charset="utf-8">'
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{h(title)} {quarter}</title><style>{css}</style></head><body>\n" + content + "\n</body></html>\n"
    )


def summary_html(
    s: PersonSummary | TeamSummary, rubric: Rubric, lang: str = "en", *, charts: bool = True, embed_font: bool = True
) -> str:
    return report_html([s], rubric, lang, charts=charts, embed_font=embed_font)

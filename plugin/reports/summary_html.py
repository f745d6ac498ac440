"""The quarterly summary as one self-contained HTML file: the "why" first, charts people can read.

Per person: one why line per value (`liumai.reports.why`), the default levels collapsed, the stories
that count quoted, the radar chart at a readable size. Per team: the score table with the change
since last quarter, each value's score distribution and each member's total over the last four
quarters. Inline CSS, charts as data URIs, a CJK font subset, no scripts.
"""

from __future__ import annotations

import base64

from liumai.messages import t
from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.chart import distribution_png, radar_png, trend_png
from liumai.reports.fonts import FAMILY, cjk_font_face
from liumai.reports.labels import tr
from liumai.rubric.model import Rubric
from liumai.services.summaries import PersonSummary, TeamSummary

h = esc.html_text

CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1100px;color:#222;line-height:1.5;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.1rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}.person{display:flex;gap:1.8rem;align-items:flex-start;flex-wrap:wrap}
.chart img{width:380px;min-width:320px}.wide img{width:760px;max-width:100%}.values{flex:1;min-width:420px}
.value{margin:.2rem 0 1rem}.why{font-weight:600;margin:.1rem 0}
ul{margin:.1rem 0 .3rem 1.2rem;padding:0}.details{color:#555}.ev{color:#333;font-size:.94rem}
.concern{color:#8a4b00}.note{background:#fff7e0;border-left:4px solid #f0ad4e;padding:.4rem .8rem}
.muted{color:#777;font-size:.88rem}.up{color:#2e7d32}.down{color:#c62828}
"""


def _img(png: bytes, alt: str, cls: str) -> str:
    data = base64.b64encode(png).decode()
    return f'<div class="{cls}"><img alt="{h(alt)}" src="data:image/png;base64,{data}"></div>'


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


def value_html(block: why.ValueBlock, lang: str) -> list[str]:
    parts = [f'<div class="value" data-value="{h(block.key)}">', f'<p class="why">{h(block.headline)}</p>']
    if block.details:
        parts.append('<ul class="details">' + "".join(f"<li>{h(d)}</li>" for d in block.details) + "</ul>")
    items = []
    for e, text in zip(block.evidence, block.evidence_lines, strict=True):
        link = f' <a href="{h(e.link)}">{tr("link", lang)}</a>' if e.link and e.link.startswith("https://") else ""
        items.append(f'<li class="ev">{h(text)}{link}</li>')
    items += [f'<li class="concern">{h(c)}</li>' for c in block.concern_lines]
    if items:
        parts.append('<ul class="stories">' + "".join(items) + "</ul>")
    parts.append("</div>")
    return parts


def _html_person(p: PersonSummary, rubric: Rubric, lang: str, charts: bool) -> str:
    acc, pend = p.result.accepted, p.result.with_pending
    head = f"{h(p.name)} — {acc.total:g}/{acc.max_total}"
    if pend.total != acc.total:
        head += f" <span class='muted'>({tr('with_pending', lang)} {pend.total:g})</span>"
    parts = [f'<section class="person-summary" data-person="{h(p.email)}">', f"<h2>{head}</h2>"]
    note = why.quarter_line(p, lang)
    if note:
        parts.append(f'<p class="note">{h(note)}</p>')
    parts.append('<div class="person">')
    if charts:
        parts.append(_img(person_chart(p, rubric, lang), f"radar chart {p.name}", "chart"))
    parts.append('<div class="values">')
    for block in why.person_blocks(p, rubric, lang):
        parts += value_html(block, lang)
    parts.append("</div></div></section>")
    return "\n".join(parts)


def _change_cell(p: PersonSummary) -> str:
    if p.previous is None:
        return "<td></td>"
    d = p.total - p.previous.total
    cls = "up" if d > 0 else "down" if d < 0 else "muted"
    return f'<td class="{cls}">{f"{d:+g}" if d else "±0"}</td>'


def team_table(s: TeamSummary, rubric: Rubric, lang: str) -> list[str]:
    heads = "".join(f"<th>{h(v.names.get(lang))}</th>" for v in rubric.values)
    rows = [
        '<table class="team">'
        f"<tr><th>{tr('person', lang)}</th>{heads}<th>{tr('total', lang)}</th>"
        f"<th>{tr('with_pending', lang)}</th><th>{tr('change', lang)}</th></tr>"
    ]
    for p in s.people:
        acc, pend = p.result.accepted, p.result.with_pending
        cells = "".join(f"<td>{acc.values[v.key].score:g}</td>" for v in rubric.values)
        rows.append(
            f"<tr><td>{h(p.name)}</td>{cells}<td>{acc.total:g}</td><td>{pend.total:g}</td>{_change_cell(p)}</tr>"
        )
    rows.append("</table>")
    return rows


def trend_table(s: TeamSummary, lang: str) -> list[str]:
    heads = "".join(f"<th>{h(q)}</th>" for q in s.quarters)
    rows = [f'<table class="trend"><tr><th>{tr("person", lang)}</th>{heads}</tr>']
    for p in s.people:
        rows.append(f"<tr><td>{h(p.name)}</td>" + "".join(f"<td>{x.total:g}</td>" for x in p.history) + "</tr>")
    rows.append("</table>")
    return rows


def _team_charts(s: TeamSummary, rubric: Rubric, lang: str) -> list[str]:
    labels = [v.names.get(lang) for v in rubric.values]
    dist = distribution_png(
        labels,
        [[p.result.accepted.values[v.key].score for p in s.people] for v in rubric.values],
        title=t("why.distribution", lang),
        people=t("why.members", lang),
    )
    maximum = float(s.people[0].accepted.max_total) if s.people else 30.0
    trend = trend_png(list(s.quarters), [(p.name, [x.total for x in p.history]) for p in s.people], maximum=maximum)
    return [
        f"<h3>{h(t('why.distribution', lang))}</h3>",
        _img(dist, t("why.distribution", lang), "wide distribution"),
        f"<h3>{h(t('why.trend', lang))}</h3>",
        _img(trend, t("why.trend", lang), "wide trend"),
    ]


def _html_body(s: PersonSummary | TeamSummary, rubric: Rubric, lang: str, charts: bool) -> list[str]:
    title = s.title if isinstance(s, TeamSummary) else s.name
    body: list[str] = [f"<h1>{tr('summary', lang)} — {h(title)} — {s.quarter}</h1>"]
    people = s.people if isinstance(s, TeamSummary) else [s]
    if isinstance(s, TeamSummary):
        body += team_table(s, rubric, lang)
        names = {v.key: v.names.get(lang) for v in rubric.values}
        missing = ", ".join(names[k] for k in s.values_without_evidence) or tr("none", lang)
        nobody = ", ".join(p.name for p in s.people if p.email in s.unrecognised) or tr("none", lang)
        body.append(f"<p>{tr('no_evidence_values', lang)}: {h(missing)}<br>{tr('unrecognised', lang)}: {h(nobody)}</p>")
        if charts and s.people:
            body += _team_charts(s, rubric, lang)
        if s.quarters:
            if not charts:
                body.append(f"<h3>{h(t('why.trend', lang))}</h3>")
            body += trend_table(s, lang)
    body.extend(_html_person(p, rubric, lang, charts) for p in people)
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
    content = "\n".join(line for s in sections for line in _html_body(s, rubric, lang, charts))
    title = title or " / ".join(s.title if isinstance(s, TeamSummary) else s.name for s in sections)
    quarter = sections[0].quarter if sections else ""
    font_face = cjk_font_face(content + title) if embed_font else ""
    css = font_face + CSS.replace("font-family:", f'font-family:"{FAMILY}",' if font_face else "font-family:", 1)
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang.startswith("zh") else "en"}"><head><meta charset="utf-8">'
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{h(title)} {quarter}</title><style>{css}</style></head><body>\n" + content + "\n</body></html>\n"
    )


def summary_html(
    s: PersonSummary | TeamSummary, rubric: Rubric, lang: str = "en", *, charts: bool = True, embed_font: bool = True
) -> str:
    return report_html([s], rubric, lang, charts=charts, embed_font=embed_font)

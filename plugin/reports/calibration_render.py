"""Calibration in platform-neutral formats: blocks (for the CLI), Markdown, self-contained HTML, JSON.

Every format is built from the same `blocks`, so the CLI, a file sent in chat and the HTML report
say the same things with the same labels (the catalogue's `calibration` and `fairness` sections,
Chinese and English). Names and team labels are user data: escaped for the target format.
Concerns appear as counts only; the read model carries no note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from liumai.messages import t
from liumai.reports import escape as esc
from liumai.reports.fonts import FAMILY, cjk_font_face
from liumai.rubric.model import Rubric
from liumai.services.calibration import Calibration, SignalView, Who
from liumai.services.calibration_stats import Distribution
from liumai.services.tagger_health import HealthCounts

KINDS = ("kept_first", "other_suggestion", "outside")


def tr(key: str, lang: str, **params: object) -> str:
    return t(f"calibration.{key}", lang, **params)


@dataclass
class Block:
    """One section of the report: a heading, sentences, an optional table and an optional list."""

    key: str  # stable id (HTML section id, tests)
    heading: str
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _person(w: Who) -> str:
    return f"{w.name} ({w.email})" if w.email else w.name


def signal_text(s: SignalView, lang: str) -> str:
    """A fairness signal in plain words, with the counts behind it."""
    names = [w.name for w in s.people]
    counts = {k: (f"{v:.0%}" if k == "share" else f"{v:g}") for k, v in s.counts.items()}
    sep = "、" if lang.startswith("zh") else ", "
    params: dict[str, object] = {**counts, "a": names[0] if names else "", "b": names[1] if len(names) > 1 else ""}
    params.update(people=sep.join(names), names=sep.join(names), team=s.team or "")
    kind = "one_person_outside" if s.kind == "one_person_only" and len(names) < 2 else s.kind
    return t(f"fairness.{kind}", lang, **params)


def _cell(d: Distribution) -> str:
    spread = " ".join(f"{s:g}×{c}" for s, c in sorted(d.counts.items()))
    return f"{d.mean:g} ({spread})"


def _dist_block(
    key: str, groups: list[tuple[str, dict[str, Distribution]]], first: str, rubric: Rubric, lang: str
) -> Block:
    values = [v.key for v in rubric.values]
    b = Block(key, tr(key, lang), notes=[tr("cell_note", lang)])
    b.headers = [tr(first, lang), tr("col.people", lang), *(rubric.value(v).names.get(lang) for v in values)]
    for group, row in groups:
        n = next(iter(row.values())).n if row else 0
        b.rows.append([group, str(n), *(_cell(row[v]) for v in values if v in row)])
    return b


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _tagger_rows(label: str, first: str, c: HealthCounts, lang: str) -> list[str]:
    return [
        tr(f"tagger.{label}", lang) if label in _TAGGERS else label,
        first,
        str(c.total),
        *(f"{getattr(c, k)} ({_pct(c.rate(k))})" for k in KINDS),
        f"{c.retagged} ({_pct(c.retagged / c.total) if c.total else _pct(0)})",
    ]


_TAGGERS = {"llm", "offline", "llm_fallback", "none"}


def blocks(c: Calibration, rubric: Rubric, lang: str) -> list[Block]:
    scope = tr("scope_org", lang) if c.scope is None else tr("scope_under", lang, name=c.scope.name)
    head = Block("header", tr("header", lang, title=tr("title", lang), scope=scope, quarter=c.quarter, people=c.people))
    head.notes.append(tr("policy", lang, n=c.min_distinct_nominators, count=c.policy_applied))
    out = [head]
    out.append(_dist_block("by_team", list(c.by_team.items()), "col.team", rubric, lang))
    names = {f.manager.email: f.manager.name for f in c.managers}
    by_manager = [(names.get(k, k), v) for k, v in c.by_manager.items()]
    out.append(_dist_block("by_manager", by_manager, "col.manager", rubric, lang))
    out += [_manager_block(c, lang), _outlier_block(c, lang)]
    u = Block("unrecognised", tr("unrecognised", lang), items=[_person(w) for w in c.unrecognised])
    if not u.items:
        u.notes.append(tr("none", lang))
    out.append(u)
    gaps = Block("missing", tr("missing", lang), headers=[tr("col.team", lang), tr("missing", lang)])
    gaps.rows = [[team, ", ".join(ids) or tr("none", lang)] for team, ids in c.missing_behaviours.items()]
    out.append(gaps)
    fair = Block("fairness", tr("fairness", lang), notes=[tr("fairness.note", lang)])
    fair.items = [signal_text(s, lang) for s in c.signals]
    if not fair.items:
        fair.notes.append(tr("none", lang))
    out.append(fair)
    out.append(_tagger_block(c, lang))
    return out


def _manager_block(c: Calibration, lang: str) -> Block:
    m = Block("managers", tr("managers", lang))
    keys = ("manager", "reports", "accepted", "rejected", "acceptance", "avg_score", "concerns")
    m.headers = [tr(f"col.{k}", lang) for k in keys]
    for f in c.managers:
        rate = _pct(f.accepted / f.decisions) if f.decisions else "-"
        avg = "-" if f.avg_score is None else f"{f.avg_score:g}"
        m.rows.append([f.manager.name, str(f.reports), str(f.accepted), str(f.rejected), rate, avg, str(f.concerns)])
    return m


def _outlier_block(c: Calibration, lang: str) -> Block:
    o = Block("outliers", tr("outliers", lang, z=f"{c.thresholds.get('z', 0):g}", n=c.thresholds.get("min_count", 0)))
    if not c.outliers:
        o.notes.append(tr("outliers.none", lang))
        return o
    o.headers = [tr(f"col.{k}", lang) for k in ("manager", "metric", "figure", "peer_median", "z", "count", "peers")]
    for x in c.outliers:
        metric = tr(f"metric.{x.metric}", lang)
        o.rows.append(
            [_person(x.manager), metric, f"{x.value:g}", f"{x.median:g}", f"{x.z:g}", str(x.count), str(x.peers)]
        )
    return o


def _tagger_block(c: Calibration, lang: str) -> Block:
    b = Block("tagger", tr("tagger", lang), notes=[tr("tagger.note", lang)])
    b.headers = [tr(f"col.{k}", lang) for k in ("tagger", "behaviour", "total", *KINDS, "retagged")]
    for name, counts in sorted(c.tagger.by_tagger.items()):
        b.rows.append(_tagger_rows(name, "*", counts, lang))
    for (name, first), counts in sorted(c.tagger.by_behaviour.items()):
        b.rows.append(_tagger_rows(name, first or "-", counts, lang))
    return b


def calibration_json(c: Calibration, lang: str = "en") -> dict[str, Any]:
    """The language-neutral read model, plus each fairness signal explained in `lang`."""
    d = c.to_dict()
    for row, s in zip(d["fairness_signals"], c.signals, strict=True):
        row["text"] = signal_text(s, lang)
    return d


def calibration_markdown(c: Calibration, rubric: Rubric, lang: str = "en") -> str:
    md = esc.markdown
    lines: list[str] = []
    for i, b in enumerate(blocks(c, rubric, lang)):
        lines += [("# " if i == 0 else "## ") + md(b.heading), ""]
        lines += [md(n) + "  " for n in b.notes]
        if b.headers:
            lines += ["", "| " + " | ".join(md(h) for h in b.headers) + " |", "|" + "---|" * len(b.headers)]
            lines += ["| " + " | ".join(md(x) for x in r) + " |" for r in b.rows]
        lines += [f"- {md(item)}" for item in b.items]
        lines.append("")
    return "\n".join(lines)


_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1100px;color:#222;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#555}
"""


def calibration_html(c: Calibration, rubric: Rubric, lang: str = "en", *, embed_font: bool = True) -> str:
    """One self-contained file: inline CSS, a CJK font subset, no scripts, no external resources."""
    h = esc.html_text
    body: list[str] = []
    for i, b in enumerate(blocks(c, rubric, lang)):
        tag = "h1" if i == 0 else "h2"
        body.append(f"<section id='{b.key}'><{tag}>{h(b.heading)}</{tag}>")
        body += [f"<p class='note'>{h(n)}</p>" for n in b.notes]
        if b.headers:
            body.append("<table><tr>" + "".join(f"<th>{h(x)}</th>" for x in b.headers) + "</tr>")
            body += ["<tr>" + "".join(f"<td>{h(x)}</td>" for x in r) + "</tr>" for r in b.rows]
            body.append("</table>")
        if b.items:
            body.append("<ul>" + "".join(f"<li>{h(x)}</li>" for x in b.items) + "</ul>")
        body.append("</section>")
    content = "\n".join(body)
    title = f"{tr('title', lang)} {c.quarter}"
    font_face = cjk_font_face(content + title) if embed_font else ""
    css = font_face + _CSS.replace("font-family:", f'font-family:"{FAMILY}",' if font_face else "font-family:", 1)
    return (
        f'<!doctype html><html lang="{"zh-CN" if lang.startswith("zh") else "en"}"><head><meta charset="utf-8">'
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{h(title)}</title><style>{css}</style></head><body>\n{content}\n</body></html>\n"
    )


def calibration_file(c: Calibration, rubric: Rubric, lang: str = "en") -> tuple[str, bytes]:
    """(file name, HTML bytes): what a chat adapter sends to the asker only."""
    scope = esc.file_slug(c.scope.email, "scope") if c.scope else "org"
    return f"calibration-{c.quarter}-{scope}.html", calibration_html(c, rubric, lang).encode("utf-8")


__all__ = [
    "Block",
    "blocks",
    "calibration_file",
    "calibration_html",
    "calibration_json",
    "calibration_markdown",
    "signal_text",
]

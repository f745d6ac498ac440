"""Renderers of quarterly summaries in platform-neutral formats: JSON, CSV and Markdown here, HTML in
`liumai.reports.summary_html`, XLSX in `liumai.reports.xlsx`, with the labels (`tr`) the adapters'
Block Kit and Feishu cards also use (`liumai.slack.report_blocks`, `liumai.feishu.report_cards`).

All take the same `PersonSummary` / `TeamSummary` and word its "why" with `liumai.reports.why`, so
every surface tells the same story; user text goes through `liumai.reports.escape` for the format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.chart import radar_png
from liumai.reports.explain import next_step, trace_dict
from liumai.reports.labels import T, tr
from liumai.reports.summary_html import person_chart, report_html, summary_html
from liumai.rubric.model import Rubric
from liumai.services.summaries import EvidenceLine, PersonSummary, TeamSummary

__all__ = [
    "BOM",
    "CSV_HEADER",
    "T",
    "csv_bytes",
    "csv_rows",
    "evidence_json",
    "person_chart",
    "person_json",
    "report_html",
    "summary_csv",
    "summary_html",
    "summary_json",
    "summary_markdown",
    "team_chart",
    "tr",
]


def _people(s: PersonSummary | TeamSummary) -> list[PersonSummary]:
    return s.people if isinstance(s, TeamSummary) else [s]


def evidence_json(e: EvidenceLine) -> dict:
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
    prev = p.previous.quarter if p.previous else None
    return {
        "person": p.email,
        "name": p.name,
        "quarter": p.quarter,
        "rubric_version": p.rubric_version,
        "total": acc.total,
        "total_with_pending": pend.total,
        "max_total": acc.max_total,
        "all_default": p.all_default,
        "note": why.quarter_line(p, lang),
        "history": [{"quarter": x.quarter, "total": x.total, "values": x.values} for x in p.history],
        "values": {
            v.key: {
                **trace_dict(acc.values[v.key]),
                "score_with_pending": pend.values[v.key].score,
                "next": next_step(acc.values[v.key], rubric, lang),
                "why": why.why_line(p.why[v.key], rubric, lang, prev),
                "why_details": why.detail_lines(p.why[v.key], rubric, lang, concerns=concerns),
                "why_trace": why.why_dict(p.why[v.key]),
                "evidence": [evidence_json(e) for e in p.evidence_for(v.key)],
                **({"concerns": [evidence_json(e) for e in p.concerns_for(v.key)]} if concerns else {}),
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
        "quarters": list(s.quarters),
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
    "why",
    "previous_score",
]
BOM = "\ufeff"


def csv_rows(people: list[PersonSummary], rubric: Rubric, lang: str = "en") -> Iterator[list[object]]:
    """One row per person and value (CSV_HEADER's columns), cells neutralised for spreadsheets."""
    for p in people:
        acc, pend = p.result.accepted, p.result.with_pending
        prev = p.previous.quarter if p.previous else None
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
                why.why_line(p.why[v.key], rubric, lang, prev),
                "" if p.why[v.key].previous is None else f"{p.why[v.key].previous:g}",
            ]
            yield [esc.csv_cell(c) for c in row]


def summary_csv(s: PersonSummary | TeamSummary, rubric: Rubric, lang: str = "en") -> str:
    """One row per person and value; cells that look like formulas are neutralised. No BOM: see `csv_bytes`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    w.writerows(csv_rows(_people(s), rubric, lang))
    return buf.getvalue()


def csv_bytes(text: str) -> bytes:
    """A CSV file's bytes: UTF-8 with a byte-order mark, always.

    Excel on Windows reads a CSV without a BOM in the ANSI code page (GBK on Chinese Windows), which
    garbles every Chinese name; with it, Excel reads UTF-8. A flag people must remember would leave
    the default broken for the people who open these files most, and the readers that do not need the
    BOM skip it (Python's utf-8-sig, pandas, LibreOffice, Google Sheets). The chat uploads have carried
    one from the start; the CLI now writes the same bytes.
    """
    return (text if text.startswith(BOM) else BOM + text).encode("utf-8")


# ---------------------------------------------------------------------------------------- Markdown
_INTRAWORD = re.compile(r"(?<=\w)\\([._])(?=\w)")


def _md(text: str) -> str:
    """Markdown-escaped text where ids stay readable: `customer_first.2`, not `customer\\_first\\.2`
    (an underscore or a dot between word characters is never markup in CommonMark)."""
    return _INTRAWORD.sub(r"\1", esc.markdown(text))


def _md_person(p: PersonSummary, rubric: Rubric, lang: str, level: int = 2) -> list[str]:
    acc, pend = p.result.accepted, p.result.with_pending
    h = "#" * level
    out = [
        f"{h} {_md(p.name)} — {acc.total:g}/{acc.max_total}"
        + (f" ({tr('with_pending', lang)} {pend.total:g})" if pend.total != acc.total else ""),
        "",
    ]
    note = why.quarter_line(p, lang)
    if note:
        out += [f"> {_md(note)}", ""]
    for block in why.person_blocks(p, rubric, lang):
        out.append(f"**{_md(block.headline)}**")
        out.append("")
        out += [f"- {_md(d)}" for d in block.details]
        for e, text in zip(block.evidence, block.evidence_lines, strict=True):
            link = f" ([{tr('link', lang)}]({e.link}))" if e.link and e.link.startswith("https://") else ""
            out.append(f"- {_md(text)}{link}")
        out += [f"- {_md(c)}" for c in block.concern_lines]
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
        "| "
        + " | ".join([tr("person", lang), *heads, tr("total", lang), tr("with_pending", lang), tr("change", lang)])
        + " |",
        "|" + "---|" * (len(heads) + 4),
    ]
    for p in s.people:
        acc, pend = p.result.accepted, p.result.with_pending
        d = p.total - p.previous.total if p.previous else None
        cells = [
            esc.markdown(p.name),
            *(f"{acc.values[v.key].score:g}" for v in rubric.values),
            f"{acc.total:g}",
            f"{pend.total:g}",
            "" if d is None else (f"{d:+g}" if d else "±0"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
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

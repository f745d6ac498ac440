"""A team's or an organisation's quarterly summary as an XLSX workbook (openpyxl), one sheet per view.

Sheets: people (a row per person: scores per value, total, change since last quarter), values (a
row per person and value with the why line), evidence (the stories, quoted, with their behaviour's
statement), concerns (managers only, as the summary itself) and the trend (totals over the last four
quarters). Every sheet has its header row frozen; text cells that a spreadsheet would read as a
formula are neutralised the same way as in the CSV (`liumai.reports.escape.csv_cell`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.labels import tr
from liumai.rubric.model import Rubric
from liumai.services.summaries import PersonSummary, TeamSummary

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_CELL = 32_767  # Excel's limit on the characters of one cell


def _cell(value: object) -> object:
    if isinstance(value, str):
        value = esc.csv_cell(esc.clean(value)[:_MAX_CELL])
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: Iterable[list[object]], widths: list[int]) -> Worksheet:
    ws = wb.create_sheet(title[:31])
    ws.append([_cell(h) for h in header])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths):
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = width
    return ws


def _people_rows(people: list[PersonSummary], rubric: Rubric) -> Iterable[list[object]]:
    for p in people:
        d = p.total - p.previous.total if p.previous else None
        yield [
            p.quarter,
            p.name,
            p.email,
            *(p.accepted.values[v.key].score for v in rubric.values),
            p.total,
            p.result.with_pending.total,
            d,
        ]


def _value_rows(people: list[PersonSummary], rubric: Rubric, lang: str) -> Iterable[list[object]]:
    for p in people:
        prev = p.previous.quarter if p.previous else None
        for v in rubric.values:
            w = p.why[v.key]
            yield [
                p.name,
                p.email,
                v.names.get(lang),
                w.score,
                w.score_with_pending,
                w.max_score,
                w.stop_level,
                None if w.previous is None else w.score - w.previous,
                why.why_line(w, rubric, lang, prev),
                "\n".join(why.detail_lines(w, rubric, lang)),
            ]


def _evidence_rows(people: list[PersonSummary], rubric: Rubric, lang: str) -> Iterable[list[object]]:
    for p in people:
        for e in p.evidence:
            w = p.why.get(e.criterion.split(".", 1)[0])
            yield [
                p.name,
                e.id,
                e.criterion,
                why.statement(rubric, e.criterion, lang),
                why.evidence_status(e, w, lang) if w else e.status,
                e.occurred_at.date().isoformat(),
                e.nominator,
                e.text,
                e.link or "",
            ]


def _concern_rows(people: list[PersonSummary], rubric: Rubric, lang: str) -> Iterable[list[object]]:
    for p in people:
        for e in p.concerns:
            yield [
                p.name,
                e.id,
                e.criterion,
                why.statement(rubric, e.criterion, lang),
                tr("mitigated", lang) if e.mitigated else "",
                e.occurred_at.date().isoformat(),
                e.nominator,
                e.text,
            ]


def summary_xlsx(sections: list[PersonSummary | TeamSummary], rubric: Rubric, lang: str = "en") -> bytes:
    """The workbook's bytes for one or more summaries (a team, several teams: an organisation)."""
    people = [p for s in sections for p in (s.people if isinstance(s, TeamSummary) else [s])]
    quarters = next((list(s.quarters) for s in sections if isinstance(s, TeamSummary) and s.quarters), None)
    if quarters is None:
        quarters = [x.quarter for x in people[0].history] if people else []
    wb = Workbook()
    wb.remove(wb.active)
    L = lambda key: tr(key, lang)  # noqa: E731
    values = [v.names.get(lang) for v in rubric.values]
    _sheet(
        wb,
        L("sheet_people"),
        [L("quarter"), L("person"), L("email"), *values, L("total"), L("with_pending"), L("change")],
        _people_rows(people, rubric),
        [9, 18, 26, *[11] * len(values), 8, 10, 10],
    )
    _sheet(
        wb,
        L("sheet_values"),
        [
            L("person"),
            L("email"),
            L("value"),
            L("score"),
            L("with_pending"),
            L("max"),
            L("stopped_at"),
            L("change"),
            L("why"),
            L("details"),
        ],
        _value_rows(people, rubric, lang),
        [18, 26, 14, 7, 10, 6, 9, 10, 90, 60],
    )
    _sheet(
        wb,
        L("sheet_evidence"),
        [
            L("person"),
            L("id"),
            L("behaviour"),
            L("statement"),
            L("status"),
            L("date"),
            L("nominator"),
            L("story"),
            L("link"),
        ],
        _evidence_rows(people, rubric, lang),
        [18, 7, 18, 40, 16, 11, 16, 80, 30],
    )
    _sheet(
        wb,
        L("sheet_concerns"),
        [L("person"), L("id"), L("behaviour"), L("statement"), L("mitigated"), L("date"), L("nominator"), L("note")],
        _concern_rows(people, rubric, lang),
        [18, 7, 18, 40, 10, 11, 16, 80],
    )
    _sheet(
        wb,
        L("sheet_trend"),
        [L("person"), L("email"), *quarters],
        ([p.name, p.email, *(x.total for x in p.history)] for p in people),
        [18, 26, *[10] * len(quarters)],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

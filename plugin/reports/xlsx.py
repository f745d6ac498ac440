"""A team's or an organisation's quarterly summary as an XLSX workbook (openpyxl), one sheet per view.

Sheets: people (a row per person: scores per value, total, change since last quarter), values (a
row per person and value with the why line), evidence (the stories, quoted, with their behaviour's
statement), concerns (managers only, as the summary itself) and the trend (totals over the last four
quarters). Every sheet has its header row frozen; text cells that a spreadsheet would read as a
formula are neutralised the same way as in the CSV (`liumai.reports.escape.csv_cell`). An org's
workbook (`OrgWorkbook`) is written team by team in openpyxl's write-only mode.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.labels import tr
from liumai.rubric.model import Rubric
from liumai.services.org_summary import OrgPlan, TeamPlan
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


VALUE_HEADER_KEYS = (
    "person",
    "email",
    "value",
    "score",
    "with_pending",
    "max",
    "stopped_at",
    "change",
    "why",
    "details",
)
VALUE_WIDTHS = [18, 26, 14, 7, 10, 6, 9, 10, 90, 60]
EVIDENCE_HEADER_KEYS = ("person", "id", "behaviour", "statement", "status", "date", "nominator", "story", "link")
EVIDENCE_WIDTHS = [18, 7, 18, 40, 16, 11, 16, 80, 30]
CONCERN_HEADER_KEYS = ("person", "id", "behaviour", "statement", "mitigated", "date", "nominator", "note")
CONCERN_WIDTHS = [18, 7, 18, 40, 10, 11, 16, 80]


def _headers(keys: Iterable[str], lang: str) -> list[str]:
    return [tr(k, lang) for k in keys]


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
    _sheet(wb, L("sheet_values"), _headers(VALUE_HEADER_KEYS, lang), _value_rows(people, rubric, lang), VALUE_WIDTHS)
    _sheet(
        wb,
        L("sheet_evidence"),
        _headers(EVIDENCE_HEADER_KEYS, lang),
        _evidence_rows(people, rubric, lang),
        EVIDENCE_WIDTHS,
    )
    _sheet(
        wb,
        L("sheet_concerns"),
        _headers(CONCERN_HEADER_KEYS, lang),
        _concern_rows(people, rubric, lang),
        CONCERN_WIDTHS,
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


class OrgWorkbook:
    """The org summary as a workbook written as it is read (openpyxl's write-only mode: each sheet
    streams its rows to a temporary file), team by team, with the same sheets as a team's workbook
    and the team's key first on the people and trend sheets."""

    def __init__(self, out: IO[bytes], rubric: Rubric, lang: str) -> None:
        self.out, self.rubric, self.lang = out, rubric, lang
        self.wb = Workbook(write_only=True)

    def _sheet(self, key: str, header: list[str], widths: list[int]) -> WriteOnlyWorksheet:
        ws = self.wb.create_sheet(tr(key, self.lang)[:31])
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        bold = Font(bold=True)
        cells = []
        for text in header:
            c = WriteOnlyCell(ws, value=_cell(text))
            c.font = bold
            cells.append(c)
        ws.append(cells)
        return ws

    def begin(self, plan: OrgPlan) -> None:
        L = lambda key: tr(key, self.lang)  # noqa: E731
        values = [v.names.get(self.lang) for v in self.rubric.values]
        self.people = self._sheet(
            "sheet_people",
            [L("team"), L("quarter"), L("person"), L("email"), *values, L("total"), L("with_pending"), L("change")],
            [14, 9, 18, 26, *[11] * len(values), 8, 10, 10],
        )
        self.values = self._sheet("sheet_values", _headers(VALUE_HEADER_KEYS, self.lang), VALUE_WIDTHS)
        self.evidence = self._sheet("sheet_evidence", _headers(EVIDENCE_HEADER_KEYS, self.lang), EVIDENCE_WIDTHS)
        self.concerns = self._sheet("sheet_concerns", _headers(CONCERN_HEADER_KEYS, self.lang), CONCERN_WIDTHS)
        quarters = list(plan.quarters)
        self.trend = self._sheet(
            "sheet_trend", [L("team"), L("person"), L("email"), *quarters], [14, 18, 26, *[10] * len(quarters)]
        )

    def render(self, team: TeamPlan, s: TeamSummary) -> tuple[list[list[object]], ...]:
        """One team's rows for each sheet (a worker process can render them; `write` appends them)."""
        people, rubric, lang, key = s.people, self.rubric, self.lang, _cell(team.key)
        return (
            [[key, *(_cell(v) for v in row)] for row in _people_rows(people, rubric)],
            [[_cell(v) for v in row] for row in _value_rows(people, rubric, lang)],
            [[_cell(v) for v in row] for row in _evidence_rows(people, rubric, lang)],
            [[_cell(v) for v in row] for row in _concern_rows(people, rubric, lang)],
            [[key, _cell(p.name), _cell(p.email), *(x.total for x in p.history)] for p in people],
        )

    def write(self, chunk: tuple[list[list[object]], ...]) -> None:
        for sheet, rows in zip(
            (self.people, self.values, self.evidence, self.concerns, self.trend), chunk, strict=True
        ):
            for row in rows:
                sheet.append(row)

    def team(self, team: TeamPlan, s: TeamSummary) -> None:
        self.write(self.render(team, s))

    def end(self) -> None:
        self.wb.save(self.out)
        self.out.flush()

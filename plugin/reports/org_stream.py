"""An org summary written as it is read, team by team: JSON Lines, CSV and HTML (XLSX: `reports.xlsx`).

Each writer gets the plan first (what the file covers), then one team's `TeamSummary` at a time,
and writes it out before the next is read, so memory stays bounded by the largest team whatever
the size of the org. The output is the same read model as every other summary, worded by
`liumai.reports.why`:

- JSON Lines: an `org` record (quarter, trend quarters, the rubric's version, counts), then per
  team a `team` record and one `person` record per member. A person record carries what a reader
  of that person needs (scores, why lines and their structure, the stories that count, concerns,
  the four-quarter trend) and refers to the rubric by version instead of repeating it.
- CSV: one row per person and value, as a team's CSV, with the team's key first; UTF-8 with a BOM.
- HTML: a table of contents, then per team its score table, a radar of the team's average, the
  trend table, and each member's why lines in a collapsed section with a light inline SVG radar
  (`liumai.reports.svg`): no per-person matplotlib figure. The body goes to a temporary file while
  the characters it uses are collected, so the embedded CJK font subset covers exactly them.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import IO, Any

from liumai.messages import t
from liumai.reports import escape as esc
from liumai.reports import why
from liumai.reports.fonts import FAMILY, cjk_font_face
from liumai.reports.labels import tr
from liumai.reports.summary_html import CSS, team_table, trend_table, value_html
from liumai.reports.summary_render import BOM, CSV_HEADER, csv_rows, evidence_json
from liumai.reports.svg import radar_svg
from liumai.rubric.model import Rubric
from liumai.services.org_summary import OrgPlan, TeamPlan
from liumai.services.summaries import PersonSummary, TeamSummary

h = esc.html_text


def person_record(p: PersonSummary, team: str, rubric: Rubric, lang: str) -> dict[str, Any]:
    """One person of the org summary, without the rubric (the `org` record names its version)."""
    acc, pend = p.result.accepted, p.result.with_pending
    prev = p.previous.quarter if p.previous else None
    return {
        "kind": "person",
        "team": team,
        "person": p.email,
        "name": p.name,
        "total": acc.total,
        "total_with_pending": pend.total,
        "all_default": p.all_default,
        "history": [{"quarter": x.quarter, "total": x.total, "values": x.values} for x in p.history],
        "values": {
            v.key: {
                "score": acc.values[v.key].score,
                "score_with_pending": pend.values[v.key].score,
                "stopped_at": acc.values[v.key].stopped_at,
                "why": why.why_line(p.why[v.key], rubric, lang, prev),
                "why_trace": why.why_dict(p.why[v.key]),
                "evidence": [evidence_json(e) for e in p.evidence_for(v.key)],
                "concerns": [evidence_json(e) for e in p.concerns_for(v.key)],
            }
            for v in rubric.values
        },
    }


class _BytesWriter(ABC):
    """A writer whose chunks are bytes, written as they come (JSON Lines, CSV)."""

    out: IO[bytes]

    @abstractmethod
    def render(self, team: TeamPlan, s: TeamSummary) -> bytes:
        """One team's chunk (a worker process can render it; `write` appends it to the output)."""

    def write(self, chunk: bytes) -> None:
        self.out.write(chunk)

    def team(self, team: TeamPlan, s: TeamSummary) -> None:
        self.write(self.render(team, s))

    def end(self) -> None:
        self.out.flush()


class JsonLinesWriter(_BytesWriter):
    def __init__(self, out: IO[bytes], rubric: Rubric, lang: str) -> None:
        self.out, self.rubric, self.lang = out, rubric, lang

    @staticmethod
    def _encode(record: dict[str, Any]) -> bytes:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode() + b"\n"

    def _line(self, record: dict[str, Any]) -> None:
        self.out.write(self._encode(record))

    def begin(self, plan: OrgPlan) -> None:
        self._line(
            {
                "kind": "org",
                "quarter": plan.quarter,
                "quarters": list(plan.quarters),
                "rubric_version": plan.rubric_version,
                "max_total": sum(len(v.behaviours) for v in self.rubric.values),
                "scope": plan.scope,
                "teams": len(plan.teams),
                "people": plan.people,
                "lang": self.lang,
            }
        )

    def render(self, team: TeamPlan, s: TeamSummary) -> bytes:
        head = {
            "kind": "team",
            "team": team.key,
            "title": team.title,
            "people": len(s.people),
            "values_without_evidence": s.values_without_evidence,
            "unrecognised": s.unrecognised,
        }
        lines = [self._encode(head)]
        lines += [self._encode(person_record(p, team.key, self.rubric, self.lang)) for p in s.people]
        return b"".join(lines)


class CsvWriter(_BytesWriter):
    def __init__(self, out: IO[bytes], rubric: Rubric, lang: str, *, bom: bool = True) -> None:
        self.out, self.rubric, self.lang, self.bom = out, rubric, lang, bom

    def begin(self, plan: OrgPlan) -> None:
        self.out.write(self._csv([["team", *CSV_HEADER]], prefix=BOM if self.bom else ""))

    @staticmethod
    def _csv(rows: Iterable[list[object]], prefix: str = "") -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerows(rows)
        return (prefix + buf.getvalue()).encode("utf-8")

    def render(self, team: TeamPlan, s: TeamSummary) -> bytes:
        return self._csv([esc.csv_cell(team.key), *row] for row in csv_rows(s.people, self.rubric, self.lang))


class HtmlWriter:
    """The body goes to a temporary file first: the font subset in the head must cover its text."""

    def __init__(self, out: IO[bytes], rubric: Rubric, lang: str, *, embed_font: bool = True) -> None:
        self.out, self.rubric, self.lang, self.embed_font = out, rubric, lang, embed_font
        self.body: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115  # closed in end()
        self.chars: set[str] = set()
        self.title = ""
        self.labels = [v.names.get(lang) for v in rubric.values]

    def _emit(self, text: str) -> None:
        self.chars.update(c for c in text if ord(c) > 0x2E7F)
        self.body.write(text)
        self.body.write("\n")

    def begin(self, plan: OrgPlan) -> None:
        scope = plan.scope or tr("whole_org", self.lang)
        self.title = f"{tr('summary', self.lang)} — {scope} — {plan.quarter}"
        self._emit(f"<h1>{h(self.title)}</h1>")
        self._emit(
            f'<p class="muted">{h(t("summary.org_counts", self.lang, teams=len(plan.teams), people=plan.people))}</p>'
        )
        links = "".join(
            f'<li><a href="#{_anchor(team)}">{h(team.title)}</a> <span class="muted">({len(team.people)})</span></li>'
            for team in plan.teams
        )
        self._emit(f'<nav class="toc"><ul>{links}</ul></nav>')

    def render(self, team: TeamPlan, s: TeamSummary) -> str:
        """One team's section, as text (a worker process can render it; `write` adds it to the body)."""
        lang, rubric = self.lang, self.rubric
        out = [f'<section class="team-summary" id="{_anchor(team)}" data-team="{h(team.key)}">']
        out.append(f"<h2>{h(team.title)} — {s.quarter}</h2>")
        out.append('<div class="person">')
        if s.people:
            n = len(s.people)
            acc = [sum(p.accepted.values[v.key].score for p in s.people) / n for v in rubric.values]
            pend = [sum(p.result.with_pending.values[v.key].score for p in s.people) / n for v in rubric.values]
            chart = radar_svg(
                self.labels,
                [round(x, 1) for x in acc],
                compare=[round(x, 1) for x in pend],
                label=f"{tr('team_avg', lang)} ({tr('accepted', lang)})",
                compare_label=tr("with_pending", lang),
                title=f"{team.title} {s.quarter}",
            )
            out.append(f'<div class="chart">{chart}</div>')
        out.append('<div class="values">' + "\n".join(team_table(s, rubric, lang)))
        names = {v.key: v.names.get(lang) for v in rubric.values}
        missing = ", ".join(names[k] for k in s.values_without_evidence) or tr("none", lang)
        nobody = ", ".join(p.name for p in s.people if p.email in s.unrecognised) or tr("none", lang)
        out.append(f"<p>{tr('no_evidence_values', lang)}: {h(missing)}<br>{tr('unrecognised', lang)}: {h(nobody)}</p>")
        out.append("\n".join(trend_table(s, lang)) + "</div></div>")
        out += [self._person(p) for p in s.people]
        out.append("</section>")
        return "\n".join(out)

    def write(self, chunk: str) -> None:
        self._emit(chunk)

    def team(self, team: TeamPlan, s: TeamSummary) -> None:
        self.write(self.render(team, s))

    def _person(self, p: PersonSummary) -> str:
        lang, rubric = self.lang, self.rubric
        acc, pend = p.result.accepted, p.result.with_pending
        head = f"{h(p.name)} — {acc.total:g}/{acc.max_total}"
        if pend.total != acc.total:
            head += f" <span class='muted'>({tr('with_pending', lang)} {pend.total:g})</span>"
        chart = radar_svg(
            self.labels,
            [acc.values[v.key].score for v in rubric.values],
            compare=[pend.values[v.key].score for v in rubric.values],
            label=tr("accepted", lang),
            compare_label=tr("with_pending", lang),
            title=f"{p.name} {p.quarter}",
        )
        parts = [f'<details class="person-summary" data-person="{h(p.email)}"><summary>{head}</summary>']
        note = why.quarter_line(p, lang)
        if note:
            parts.append(f'<p class="note">{h(note)}</p>')
        parts.append(f'<div class="person"><div class="chart">{chart}</div><div class="values">')
        for block in why.person_blocks(p, rubric, lang):
            parts += value_html(block, lang)
        parts.append("</div></div></details>")
        return "\n".join(parts)

    def end(self) -> None:
        self._emit(f"<p class='muted'>{tr('rubric', self.lang)}: {h(self.rubric.version)}</p>")
        chars = "".join(sorted(self.chars)) + self.title
        font_face = cjk_font_face(chars) if self.embed_font else ""
        css = font_face + CSS.replace("font-family:", f'font-family:"{FAMILY}",' if font_face else "font-family:", 1)
        css += ORG_CSS
        html_lang = "zh-CN" if self.lang.startswith("zh") else "en"
        head = (
            f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{h(self.title)}</title><style>{css}</style></head><body>\n"
        )
        self.out.write(head.encode())
        self.body.seek(0)
        while chunk := self.body.read(1 << 20):
            self.out.write(chunk.encode())
        self.out.write(b"</body></html>\n")
        self.body.close()
        self.out.flush()


def _anchor(team: TeamPlan) -> str:
    return f"team-{team.key or 'none'}"  # team keys are [a-z0-9-]: safe in an id


ORG_CSS = """
details.person-summary{border-top:1px solid #eee;padding:.3rem 0}details.person-summary>summary{cursor:pointer;
font-weight:600;font-size:1.05rem}.toc ul{columns:3;list-style:none;margin:.4rem 0;padding:0}
svg.radar text{fill:#333}.chart svg{max-width:100%;height:auto}
"""

WRITERS = {"json": JsonLinesWriter, "csv": CsvWriter, "html": HtmlWriter}

__all__ = ["WRITERS", "CsvWriter", "HtmlWriter", "JsonLinesWriter", "person_record"]

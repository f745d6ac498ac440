"""Spreadsheet-ready exports and the HTML summary's structure, read back rather than snapshotted.

XLSX: one sheet per view in the reader's language, header frozen, formula-like text neutralised.
CSV files: a UTF-8 BOM (Excel on Chinese Windows) and a clean round trip. HTML: parsed, the why
line first in each value, default levels collapsed, the team's distribution and trend.
"""

from __future__ import annotations

import csv
import io
import stat
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from liumai.reports import summary_render as sr
from liumai.reports import why
from liumai.reports.xlsx import summary_xlsx
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.summaries import person_summary, team_summary
from tests.cli_org import cli_with_org

EVIL = '=HYPERLINK("http://x","click") @all <script>alert(1)</script>'


@pytest.fixture
def data(org):
    def accepted(frm, to, crit, story, at=None):
        r = nom.nominate(org, frm, to, story, at=at)
        e = nom.confirm(org, r.nomination.id, frm, crit)
        ev.decide(org, e.id, "mgr@example.com", "accepted")
        return e.id

    accepted("bob@example.com", "ann@example.com", "customer_first.3", "Ann took the angry caller's case end to end.")
    accepted("wang@example.com", "ann@example.com", "teamwork.3", EVIL)
    q3 = datetime(2026, 8, 3, tzinfo=UTC)
    accepted("bob@example.com", "ann@example.com", "teamwork.3", "Last quarter's help", at=q3)
    ev.add_concern(org, "mgr@example.com", "ann@example.com", "teamwork.4", "+SUM(A1) missed a handover")
    return org


def test_history_and_change_come_from_the_earlier_quarters(data):
    s = person_summary(data, "ann@example.com")
    assert [x.quarter for x in s.history] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert s.previous is not None and s.previous.values["teamwork"] == 3  # the 2026Q3 story
    assert s.why["teamwork"].previous == 3 and s.why["teamwork"].score == 3
    assert "(±0 since 2026Q3)" in why.why_line(s.why["teamwork"], data.rubric, "en", "2026Q3")
    assert s.why["customer_first"].waiting[0].level == 3  # the accepted cf.3 story waits for level 2
    t = team_summary(data, team="alpha")
    assert t.quarters == ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
    assert all(len(p.history) == 4 for p in t.people)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_xlsx_reads_back_with_sheets_frozen_headers_and_neutralised_cells(data, lang):
    wb = load_workbook(io.BytesIO(summary_xlsx([team_summary(data, team="alpha")], data.rubric, lang)))
    names = {
        "en": ["People", "Values", "Evidence", "Concerns", "Trend"],
        "zh": ["成员", "价值观", "事例", "关注事项", "趋势"],
    }
    assert wb.sheetnames == names[lang]
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)
    people, values, evidence, concerns, trend = wb.worksheets
    assert people.max_row == 1 + 4 and values.max_row == 1 + 4 * 6
    assert [c.value for c in trend[1]][2:] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    stories = [row[7] for row in evidence.iter_rows(min_row=2, values_only=True)]
    assert any(str(x).startswith("'=HYPERLINK(") for x in stories)  # neutralised: a spreadsheet shows it as text
    assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for ws in wb for r in ws.values for c in r)
    assert any(str(row[7]).startswith("'+SUM") for row in concerns.iter_rows(min_row=2, values_only=True))
    ann_cf = next(r for r in values.iter_rows(min_row=2, values_only=True) if r[1] == "ann@example.com" and r[6] == 2)
    assert ("the level-3 story" if lang == "en" else "第3级的事例") in ann_cf[8]


def test_csv_has_a_why_column_and_no_bom_in_the_text(data):
    text = sr.summary_csv(team_summary(data, team="alpha"), data.rubric, "zh")
    assert not text.startswith("\ufeff") and sr.csv_bytes(text).startswith(b"\xef\xbb\xbf")
    assert sr.csv_bytes(sr.BOM + text) == sr.csv_bytes(text)  # never two
    rows = list(csv.DictReader(io.StringIO(text)))
    ann = next(r for r in rows if r["email"] == "ann@example.com" and r["value"] == "customer_first")
    assert ann["why"].startswith("客户第一 1/5（较 2026Q3 ±0）：第2级需要")


def test_cli_csv_file_starts_with_the_bom_and_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("LIUMAI_LANG", "zh")
    run = cli_with_org(tmp_path, monkeypatch)
    run("summary", "--team", "alpha", "--format", "csv", "--out", "q.csv")
    raw = (tmp_path / "q.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 4 * 6 and {r["name"] for r in rows} >= {"王芳", "Ann"}
    assert stat.S_IMODE((tmp_path / "q.csv").stat().st_mode) == 0o600
    assert not run("summary", "--team", "alpha", "--format", "csv").stdout.startswith("\ufeff")  # pipes: plain
    run("summary", "--team", "alpha", "--format", "xlsx", code=2)  # a workbook needs --out
    run("summary", "--manager", "boss@example.com", "--subtree", "--format", "xlsx", "--out", "org.xlsx")
    wb = load_workbook(tmp_path / "org.xlsx")
    assert wb.sheetnames[0] == "成员" and wb.worksheets[0].max_row == 1 + 7


class _Tree(HTMLParser):
    """Text per element class, in document order: enough to check structure without a snapshot."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.imgs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("alt") or "")
        if tag not in ("br", "img", "meta"):
            self.stack.append(a.get("class") or tag)

    def handle_endtag(self, tag):
        if tag not in ("br", "img", "meta") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and self.stack:
            self.texts.append((self.stack[-1], data.strip()))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_summary_structure(data, lang):
    t = team_summary(data, team="alpha")
    tree = _Tree()
    tree.feed(sr.summary_html(t, data.rubric, lang, embed_font=False))
    whys = [text for cls, text in tree.texts if cls == "why"]
    assert len(whys) == 4 * 6  # one why line per person and value
    ann = next(p for p in t.people if p.email == "ann@example.com")
    expected = why.why_line(ann.why["customer_first"], data.rubric, lang, "2026Q3")
    assert expected in whys
    assert ("Levels 1–2 met by default (no concern)" if lang == "en" else "第1–2级默认达到（无关注事项）") in [
        x for _, x in tree.texts
    ]
    text = " ".join(x for _, x in tree.texts)
    assert "met unless a non-conforming case" not in text and "无不符合的案例" not in text  # collapsed
    assert data.rubric.behaviour("customer_first.3").statement.get(lang) in text  # statements next to ids
    assert "script" not in tree.tags
    assert ("Scores per value across the team" if lang == "en" else "全队各价值观的得分分布") in tree.imgs
    assert ("Totals over the last four quarters" if lang == "en" else "最近四个季度的总分") in tree.imgs
    notes = [x for cls, x in tree.texts if cls == "note"]
    assert len(notes) == 3  # Manager Li, Bob and 王芳 have no evidence this quarter: said plainly

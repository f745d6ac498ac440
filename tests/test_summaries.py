"""Quarterly summaries: content, permissions, and every renderer in both languages."""

from __future__ import annotations

import csv
import io
import json

import pytest

from liumai.feishu import report_cards
from liumai.reports import summary_render as sr
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.errors import PermissionDenied
from liumai.services.summaries import person_summary, team_summary
from liumai.slack import report_blocks

STORY = "Ann rebuilt the settlement report so finance could close the month two days early."
EVIL = '=HYPERLINK("http://x") <!channel> @all <script>alert(1)</script> *bold* | pipe'


@pytest.fixture
def data(org):
    r1 = nom.nominate(
        org, "bob@example.com", "ann@example.com", STORY, source_link="https://acme.slack.com/archives/C1/p1"
    )
    e1 = nom.confirm(org, r1.nomination.id, "bob@example.com", "teamwork.3")
    ev.decide(org, e1.id, "mgr@example.com", "accepted")
    r2 = nom.nominate(org, "wang@example.com", "ann@example.com", EVIL)
    nom.confirm(org, r2.nomination.id, "wang@example.com", "teamwork.4")  # stays pending
    r3 = nom.nominate(org, "ann@example.com", "bob@example.com", STORY)
    e3 = nom.confirm(org, r3.nomination.id, "ann@example.com", "customer_first.2")
    ev.decide(org, e3.id, "mgr@example.com", "rejected")
    ev.add_concern(
        org, "mgr@example.com", "ann@example.com", "customer_first.1", "Late to a customer call", mitigated=True
    )
    return org


def test_person_summary_content(data):
    s = person_summary(data, "ann@example.com")
    assert s.quarter == "2026Q4" and s.rubric_version == data.rubric.version
    assert s.accepted.values["teamwork"].score == 3 and s.result.with_pending.values["teamwork"].score == 4
    assert s.accepted.values["customer_first"].score == 0.5
    assert [(e.criterion, e.status, e.nominator) for e in s.evidence] == [
        ("teamwork.3", "accepted", "Bob"),
        ("teamwork.4", "pending", "王芳"),
    ]
    assert s.evidence[0].link == "https://acme.slack.com/archives/C1/p1"
    assert [(c.criterion, c.mitigated, c.text) for c in s.concerns] == [
        ("customer_first.1", True, "Late to a customer call")
    ]


def test_summary_permissions(data):
    assert person_summary(data, "ann@example.com", viewer="mgr@example.com")
    assert person_summary(data, "ann@example.com", viewer="boss@example.com")
    assert person_summary(data, "ann@example.com", viewer="hr@example.com")
    for viewer in ("ann@example.com", "bob@example.com", "mgr2@example.com", "cat@example.com"):
        with pytest.raises(PermissionDenied):
            person_summary(data, "ann@example.com", viewer=viewer)
    assert len(team_summary(data, manager="mgr@example.com", viewer="mgr@example.com").people) == 3
    assert len(team_summary(data, manager="boss@example.com", subtree=True, viewer="boss@example.com").people) == 7
    with pytest.raises(PermissionDenied):
        team_summary(data, manager="mgr@example.com", viewer="mgr2@example.com")
    with pytest.raises(PermissionDenied):
        team_summary(data, team="alpha", viewer="bob@example.com")
    assert team_summary(data, team="alpha", viewer="hr@example.com").people


def test_team_rollup(data):
    t = team_summary(data, team="alpha")
    assert [p.email for p in t.people] == ["mgr@example.com", "ann@example.com", "bob@example.com", "wang@example.com"]
    assert t.unrecognised == ["mgr@example.com", "bob@example.com", "wang@example.com"]  # bob's was rejected
    assert "teamwork" not in t.values_without_evidence
    assert set(t.values_without_evidence) == {"customer_first", "embrace_change", "integrity", "passion", "dedication"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renderers(data, lang):
    s = person_summary(data, "ann@example.com")
    t = team_summary(data, team="alpha")
    r = data.rubric
    md = sr.summary_markdown(s, r, lang)
    assert ("团队合作 3/5" if lang == "zh" else "Teamwork 3/5") in md
    assert ("teamwork.4：还需要" if lang == "zh" else "teamwork.4 needs") not in md  # pending does not count...
    assert "teamwork.4" in md and "<script>" not in md and "\\<script\\>" in md
    html = sr.summary_html(t, r, lang)
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert ("价值观季度小结" if lang == "zh" else "Values summary") in html
    rows = list(csv.DictReader(io.StringIO(sr.summary_csv(t, r, lang))))
    assert len(rows) == 4 * 6 and rows[0].keys() >= {"email", "value", "score", "next"}
    ann_tw = next(x for x in rows if x["email"] == "ann@example.com" and x["value"] == "teamwork")
    assert (ann_tw["score"], ann_tw["score_with_pending"], ann_tw["pending_evidence"]) == ("3", "4", "1")
    js = sr.summary_json(t, r, lang)
    json.dumps(js, ensure_ascii=False)
    assert js["people"][1]["values"]["customer_first"]["score"] == 0.5
    pages = report_blocks.summary_slack_pages(s, r, lang)
    assert all(len(p) <= 50 for p in pages)
    assert all(len(b["text"]["text"]) <= 3000 for p in pages for b in p if b["type"] == "section")
    flat = json.dumps(pages, ensure_ascii=False)
    assert "<!channel>" not in flat and "&lt;!channel&gt;" in flat
    card = report_cards.summary_feishu_card(s, r, lang)
    flat = json.dumps(card, ensure_ascii=False)
    assert "<at" not in flat and "@all" not in flat
    assert card["header"]["title"]["content"].startswith("Ann")


def test_csv_neutralises_formulas(data):
    from liumai.reports.escape import csv_cell

    assert csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")' and csv_cell("+1") == "'+1" and csv_cell(3) == 3


def test_slack_pages_split_long_summaries(data):
    for i in range(40):
        r = nom.nominate(data, "bob@example.com", "ann@example.com", f"{STORY} " + "x" * 250 + f" #{i}")
        nom.confirm(data, r.nomination.id, "bob@example.com", "teamwork.3")
    pages = report_blocks.summary_slack_pages(person_summary(data, "ann@example.com"), data.rubric, "en")
    for page in pages:
        assert len(page) <= 50
        for b in page:
            if b["type"] == "section":
                assert len(b["text"]["text"]) <= 3000
    text = "".join(b["text"]["text"] for p in pages for b in p if b["type"] == "section")
    assert text.count("#") >= 40


def test_radar_chart_has_chinese_font():
    from liumai.reports.chart import cjk_font, radar_png

    assert cjk_font() is not None
    png = radar_png(["客户第一", "团队合作", "拥抱变化", "诚信", "激情", "敬业"], [5, 3, 2, 2, 2.5, 1])
    assert png.startswith(b"\x89PNG") and len(png) > 10_000

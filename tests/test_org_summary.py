"""The whole org's summary, team by team: who may see what, the same figures as each team's summary,
and every format read back (JSON Lines, CSV, XLSX, HTML) - on SQLite and PostgreSQL.

Memory bounded by the largest team is checked deterministically: the first team is yielded after
one evidence query, before any other team is read (bench/scale.py measures time and peak RSS).
"""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from liumai.reports.org_stream import CsvWriter, HtmlWriter, JsonLinesWriter
from liumai.reports.xlsx import OrgWorkbook
from liumai.services.errors import PermissionDenied
from liumai.services.org_summary import NO_TEAM, org_plan, org_sections
from liumai.services.summaries import team_summary
from tests.cli_org import cli_with_org
from tests.org_seed import seed
from tests.statement_counter import counted

QUARTER = "2026Q4"


def _write(writer_cls, ctx, plan, **kw) -> bytes:
    buf = io.BytesIO()
    w = writer_cls(buf, ctx.rubric, kw.pop("lang", "en"), **kw)
    w.begin(plan)
    for team, s in org_sections(ctx, plan):
        w.team(team, s)
    w.end()
    return buf.getvalue()


@pytest.fixture
def big(ctx, engine):
    seed(engine, teams=3, size=4)  # a head (admin) and three teams of four, each led by its first member
    return ctx


# ------------------------------------------------------------------------------- who sees what


def test_the_operator_and_admins_see_every_team_managers_their_subtree(big):
    plan = org_plan(big, QUARTER)
    assert [t.key for t in plan.teams] == ["team0", "team1", "team2", NO_TEAM]
    assert plan.people == 13 and plan.scope is None and plan.quarters[-1] == QUARTER
    admin = org_plan(big, QUARTER, viewer="head@example.com")  # the head is an admin: everyone else
    assert admin.people == 12 and [t.key for t in admin.teams] == ["team0", "team1", "team2"]
    lead = org_plan(big, QUARTER, viewer="p2@example.com")  # leads team0: its other three members
    assert lead.scope == "P2" and [(t.key, t.people) for t in lead.teams] == [("team0", (3, 4, 5))]


def test_people_who_manage_nobody_are_refused_before_anything_is_read(big):
    with counted(big.engine) as seen, pytest.raises(PermissionDenied) as err:
        org_plan(big, QUARTER, viewer="p3@example.com")
    assert "admins" in err.value.message("en") and not any("evidence" in s.lower() for s in seen)


def test_each_section_is_that_teams_summary(big):
    plan = org_plan(big, QUARTER)
    for team, s in org_sections(big, plan):
        if team.key == NO_TEAM:
            assert [p.email for p in s.people] == ["head@example.com"]
            continue
        alone = team_summary(big, team=team.key, quarter=QUARTER)
        assert [(p.email, p.total, p.result.with_pending.total) for p in s.people] == [
            (p.email, p.total, p.result.with_pending.total) for p in alone.people
        ]
        assert s.unrecognised == alone.unrecognised and s.values_without_evidence == alone.values_without_evidence


def test_one_team_is_read_at_a_time(big):
    plan = org_plan(big, QUARTER)
    sections = org_sections(big, plan)
    try:
        with counted(big.engine) as seen:
            first_team, first = next(sections)
        # the quarter's rows and the earlier quarters' accepted ones: two reads, for this team only
        assert len([s for s in seen if "FROM evidence" in s]) == 2
        assert first_team.key == "team0" and len(first.people) == 4
        with counted(big.engine) as seen:
            rest = list(sections)
        assert len([s for s in seen if "FROM evidence" in s]) == 2 * len(rest) == 2 * 3
    finally:
        sections.close()  # a suspended generator holds its transaction open


# ------------------------------------------------------------------------------- formats


def test_json_lines_name_the_rubric_once_and_carry_each_person(big):
    plan = org_plan(big, QUARTER)
    lines = _write(JsonLinesWriter, big, plan).decode().splitlines()
    records = [json.loads(x) for x in lines]
    head, *rest = records
    assert head["kind"] == "org" and head["rubric_version"] == big.rubric.version and head["people"] == 13
    assert [r["team"] for r in rest if r["kind"] == "team"] == ["team0", "team1", "team2", NO_TEAM]
    people = [r for r in rest if r["kind"] == "person"]
    assert len(people) == 13 and {p["person"] for p in people} >= {"p2@example.com", "head@example.com"}
    ann = next(p for p in people if p["person"] == "p3@example.com")
    assert set(ann["values"]) == set(big.rubric.value_keys) and len(ann["history"]) == 4
    assert ann["values"]["teamwork"]["why"].startswith("Teamwork ")
    # the rubric is referenced, not repeated: no statement text and no version in a person record
    statement = big.rubric.behaviour("teamwork.2").statement.get("en")
    assert all(statement not in line for line in lines[1:] if '"kind":"person"' in line)
    assert all("rubric_version" not in line for line in lines[1:])


def test_csv_has_the_team_first_a_bom_and_one_row_per_person_and_value(big):
    raw = _write(CsvWriter, big, org_plan(big, QUARTER))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 13 * 6 and list(rows[0])[:3] == ["team", "quarter", "email"]
    assert {r["team"] for r in rows} == {"team0", "team1", "team2", ""}


def test_xlsx_streams_every_sheet_with_frozen_headers(big):
    wb = load_workbook(io.BytesIO(_write(OrgWorkbook, big, org_plan(big, QUARTER), lang="zh")))
    assert wb.sheetnames == ["成员", "价值观", "事例", "关注事项", "趋势"]
    people = wb.worksheets[0]
    assert people.freeze_panes == "A2" and people.max_row == 1 + 13
    assert people["A2"].value == "team0" and people["A1"].font.bold
    assert wb.worksheets[1].max_row == 1 + 13 * 6


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_data(self, data) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_has_a_section_per_team_a_light_chart_per_person_and_no_script(big, lang):
    html = _write(HtmlWriter, big, org_plan(big, QUARTER), lang=lang).decode()
    p = _Html()
    p.feed(html)
    assert p.tags["section"] == 4 and p.tags["details"] == 13
    assert p.tags["svg"] == 4 + 13  # a radar of each team's average (people in no team too), one per person
    assert "script" not in p.tags and "img" not in p.tags  # no matplotlib PNGs
    text = " ".join(p.text)
    assert ("价值观小结" in text or "总分" in text) if lang == "zh" else "Total" in text
    if lang == "zh":
        assert "@font-face" in html  # Chinese renders without system CJK fonts


# ------------------------------------------------------------------------------- the command


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    return cli_with_org(tmp_path, monkeypatch)


def test_cli_json_lines_on_stdout_and_files_private(cli_db, tmp_path):
    res = cli_db("summary", "--org", "--format", "json", "--quarter", QUARTER)
    records = [json.loads(x) for x in res.stdout.splitlines()]
    assert records[0]["kind"] == "org" and sum(r["kind"] == "person" for r in records) == 8
    assert res.stderr == ""  # not a terminal: no progress bar
    for fmt in ("csv", "xlsx", "html"):
        cli_db("summary", "--org", "--format", fmt, "--out", f"org.{fmt}")
        assert stat.S_IMODE((tmp_path / f"org.{fmt}").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []
    wrong = cli_db("summary", "--org", "--format", "md", code=2)
    assert "--org summaries come as json, csv, html, xlsx" in wrong.stderr
    cli_db("summary", "--org", "--format", "xlsx", code=2)  # a workbook needs --out
    refused = cli_db("summary", "--org", "--as", "ann@example.com", code=1)
    assert "admins" in refused.stderr


def test_a_failure_halfway_leaves_no_file(cli_db, tmp_path, monkeypatch):
    from liumai.services import org_summary
    from liumai.services.errors import Unavailable

    real = org_summary.org_sections

    def broken(ctx, plan):
        it = real(ctx, plan)
        yield next(it)
        raise Unavailable("db.unavailable")

    monkeypatch.setattr(org_summary, "org_sections", broken)
    (tmp_path / "org.json").write_text("the previous report")
    cli_db("summary", "--org", "--format", "json", "--out", "org.json", code=1)
    assert (tmp_path / "org.json").read_text() == "the previous report"
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`liumai summary --org | head -1`: the pipe closes mid-stream; the command ends quietly."""
    import os
    import subprocess
    import sys

    from liumai.storage.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'pipe.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed(engine, teams=10, size=10)  # ~300 KB of JSON Lines: more than a pipe holds
    engine.dispose()
    env = {**os.environ, "LIUMAI_DATABASE_URL": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "liumai.cli.main", "summary", "--org", "--quarter", QUARTER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = json.loads(proc.stdout.readline())
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert first["kind"] == "org" and first["people"] == 101
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.parametrize("fmt", ["json", "csv", "html", "xlsx"])
def test_worker_processes_write_the_same_file_as_one_process(tmp_path, fmt):
    """`--jobs 2`: forked workers read and render whole teams, the parent writes them in order."""
    import os
    import subprocess
    import sys

    from liumai.storage.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed(engine, teams=6, size=5)
    engine.dispose()
    env = {**os.environ, "LIUMAI_DATABASE_URL": url, "LIUMAI_LANG": "zh"}
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"org-{jobs}.{fmt}"
        args = ["summary", "--org", "--quarter", QUARTER, "--format", fmt, "--jobs", jobs, "--out", str(out)]
        res = subprocess.run(
            [sys.executable, "-m", "liumai.cli.main", *args], env=env, capture_output=True, timeout=300
        )
        assert res.returncode == 0, res.stderr.decode()
        outputs[jobs] = out.read_bytes()
    if fmt == "xlsx":  # a workbook's zip entries carry timestamps: compare what the sheets hold
        one, two = ([list(ws.values) for ws in load_workbook(io.BytesIO(outputs[j])).worksheets] for j in "12")
        assert one == two and len(one[0]) == 1 + 31
    else:  # the font subset carries the time it was cut: compare the rest
        same = [re.sub(rb"@font-face\{[^}]*\}", b"", outputs[j]) for j in "12"]
        assert same[0] == same[1] and len(same[0]) > 1000

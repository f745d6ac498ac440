"""Calibration: who may see what, the robust-z outliers on a hand-computed table, the read model,
the HTML (parsed, not snapshotted), and the CLI in Chinese and as JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from liumai.cli.main import app
from liumai.reports.calibration_render import calibration_html, calibration_json, calibration_markdown
from liumai.rubric.engine import score
from liumai.services.calibration import CalibrationDenied, ManagerFigures, Who, calibration, manager_outliers
from liumai.services.calibration_stats import Observation, outliers, robust_z
from liumai.services.errors import NotFound
from liumai.storage.models import AuditLog
from tests.calibration_seed import Seed
from tests.conftest import ORG_CSV
from tests.zh_text import english_lines

NOTE = "SECRET-NOTE-about-bob"


def seed(ctx) -> None:
    with Session(ctx.engine) as s:
        sd = Seed(s)
        sd.nomination("bob", "ann", "teamwork.3", suggestions=("teamwork.3", "teamwork.2"))
        sd.nomination("wang", "ann", "teamwork.3", suggestions=("teamwork.2", "teamwork.3"), day=1)
        sd.nomination("ann", "bob", "passion.3", status="rejected", suggestions=("passion.1",), day=2)
        sd.nomination("cat", "bob", "integrity.3", status="pending", day=3)
        sd.nomination("ann", "cat", "teamwork.3", decided_by="mgr2", day=4)
        sd.concern("bob", "mgr", "integrity.1", NOTE)
        s.commit()


# ------------------------------------------------------------------------------- robust z by hand


def test_robust_z_on_a_hand_computed_table():
    # median 0.6; |deviations| 0.1 0 0 0.1 0.6 -> MAD 0.1; z = 0.6745 * (x - 0.6) / 0.1
    values = [0.5, 0.6, 0.6, 0.7, 1.2]
    assert [round(z, 4) for z in robust_z(values)] == [-0.6745, 0.0, 0.0, 0.6745, 4.047]
    obs = [Observation(i, v, 5) for i, v in enumerate(values)] + [Observation(9, 5.0, 4)]
    found = outliers("acceptance_rate", obs, threshold=3.5, min_count=5)
    assert [(o.key, o.z, o.median, o.count, o.peers) for o in found] == [(4, 4.05, 0.6, 5, 5)]
    # the tiny sample (count 4) is neither flagged nor a peer; z 4.047 is flagged at 4.04, not at 4.05
    assert [o.key for o in outliers("x", obs, threshold=4.04, min_count=5)] == [4]
    assert outliers("x", obs, threshold=4.05, min_count=5) == []
    assert outliers("x", obs, threshold=3.5, min_count=6) == []  # too few peers with enough observations


def test_robust_z_when_most_peers_agree_uses_the_mean_absolute_deviation():
    # MAD 0; mean |deviation| 0.4; z(3) = 2 / (1.253314 * 0.4) = 3.989
    assert [round(z, 3) for z in robust_z([1, 1, 1, 1, 3])] == [0.0, 0.0, 0.0, 0.0, 3.989]
    assert robust_z([2, 2, 2]) == [None, None, None]
    assert outliers("x", [Observation(i, 1.0, 9) for i in range(5)], threshold=1, min_count=1) == []


def test_manager_outliers_from_figures():
    def fig(i: int, acc: int, rej: int, reports: int = 0, avg: float | None = None, concerns: int = 0):
        return ManagerFigures(Who(f"m{i}@x.io", f"M{i}"), reports, acc, rej, avg, concerns, i)

    # rates 0.9 0.9 0.8 0.9 0.1 (m6: 3 decisions, too few): MAD 0, mean |dev| 0.18, z(m5) = -3.55
    managers = [fig(1, 9, 1), fig(2, 9, 1), fig(3, 8, 2), fig(4, 9, 1), fig(5, 1, 9), fig(6, 0, 3)]
    found = manager_outliers(managers, threshold=3.5, min_count=5)
    assert [(o.key, o.metric, o.value, o.count) for o in found] == [(5, "acceptance_rate", 0.1, 10)]
    assert manager_outliers(managers, threshold=3.5, min_count=11) == []


# ------------------------------------------------------------------------------- permissions


def _audit_rows(ctx) -> int:
    with Session(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(AuditLog)).one()


def test_admin_sees_the_org_and_any_subtree(org):
    seed(org)
    c = calibration(org, "2026Q4", viewer="hr@example.com")
    assert c.scope is None and c.people == 7  # everyone active but the admin themselves
    under = calibration(org, "2026Q4", viewer="hr@example.com", under="mgr@example.com")
    assert under.scope == Who("mgr@example.com", "Manager Li") and under.people == 3
    assert calibration(org, "2026Q4").people == 8  # the operator at the command line


def test_manager_sees_their_own_subtree_only(org):
    seed(org)
    c = calibration(org, "2026Q4", viewer="mgr@example.com")
    assert c.people == 3 and {w.email for w in c.unrecognised} == {"wang@example.com"}
    assert set(c.by_manager) == {"mgr@example.com"}
    assert calibration(org, "2026Q4", viewer="boss@example.com").people == 7
    assert calibration(org, "2026Q4", viewer="boss@example.com", under="mgr2@example.com").people == 1


def test_manager_asking_outside_their_subtree_is_refused_and_nothing_changes(org):
    seed(org)
    before = _audit_rows(org)
    with pytest.raises(CalibrationDenied) as err:
        calibration(org, "2026Q4", viewer="mgr@example.com", under="cat@example.com")
    assert err.value.message("en").startswith("Cat is not in the part of the org under you")
    assert "Cat 不在你所管理的组织范围内" in err.value.message("zh")
    with pytest.raises(CalibrationDenied):
        calibration(org, "2026Q4", viewer="mgr@example.com", under="boss@example.com")
    assert _audit_rows(org) == before


def test_plain_member_and_unknown_people_are_refused(org):
    with pytest.raises(CalibrationDenied) as err:
        calibration(org, "2026Q4", viewer="ann@example.com")
    assert "nobody reports to you" in err.value.message("en") and "你没有下属" in err.value.message("zh")
    with pytest.raises(NotFound) as nf:
        calibration(org, "2026Q4", viewer="ghost@example.com")
    assert "ghost@example.com" in nf.value.message("en")
    with pytest.raises(NotFound):
        calibration(org, "2026Q4", viewer="hr@example.com", under="ghost@example.com")


# ------------------------------------------------------------------------------- the read model


def test_read_model_counts(org):
    seed(org)
    c = calibration(org, "2026Q4", viewer="boss@example.com")
    figures = {m.manager.email: m for m in c.managers}
    li = figures["mgr@example.com"]
    assert (li.reports, li.accepted, li.rejected, li.concerns) == (3, 2, 1, 1)
    assert figures["mgr2@example.com"].accepted == 1 and figures["mgr2@example.com"].reports == 1
    # ann's two accepted teamwork.3 cases from two people: the engine's score, per value
    alpha = c.by_team["alpha"]["teamwork"]
    assert alpha.n == 4 and sum(alpha.counts.values()) == 4  # ann, bob, wang and their manager
    from liumai.rubric.engine import EvidenceItem

    ann = score(
        org.rubric, [EvidenceItem(1, "teamwork.3", "conforming", "b"), EvidenceItem(2, "teamwork.3", "conforming", "w")]
    )
    assert alpha.counts[ann.accepted.values["teamwork"].score] >= 1
    assert "teamwork.3" not in c.missing_behaviours["alpha"] and "teamwork.3" in c.missing_behaviours["people"]
    assert "integrity.3" not in c.missing_behaviours["alpha"]  # bob's pending recognition counts as shown
    assert {w.email for w in c.unrecognised} == {
        "wang@example.com",
        "mgr@example.com",
        "mgr2@example.com",
        "hr@example.com",
    }
    assert c.min_distinct_nominators == 1 and c.policy_applied == 0
    assert c.tagger.by_tagger["offline"].total == 3 and c.tagger.by_tagger["none"].total == 2


def test_policy_applied_is_counted_when_min_distinct_nominators_bites(org):
    from liumai.rubric.model import Policy

    with Session(org.engine) as s:
        sd = Seed(s)
        sd.nomination("bob", "ann", "teamwork.3")
        sd.nomination("bob", "ann", "teamwork.3", day=1)
        s.commit()
    strict = org.rubric.model_copy(update={"policy": Policy(min_distinct_nominators=2)})
    org.rubric = strict
    c = calibration(org, "2026Q4")
    assert c.min_distinct_nominators == 2 and c.policy_applied == 1


def test_concern_notes_never_leave_the_service(org):
    seed(org)
    c = calibration(org, "2026Q4", viewer="hr@example.com")
    text = json.dumps(calibration_json(c, "en"), ensure_ascii=False)
    assert NOTE not in text and NOTE not in calibration_markdown(c, org.rubric, "en")
    assert NOTE not in calibration_html(c, org.rubric, "zh", embed_font=False)


# ------------------------------------------------------------------------------- HTML


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: list[str] = []
        self.cells: dict[str, list[str]] = {}
        self.items: dict[str, list[str]] = {}
        self.tags: list[str] = []
        self._in: str | None = None
        self._buf = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "section":
            self.sections.append(dict(attrs)["id"])
        if tag in ("h1", "h2", "td", "li"):
            self._in, self._buf = tag, ""

    def handle_endtag(self, tag):
        if tag == self._in:
            sec = self.sections[-1]
            target = {"h1": None, "h2": None, "td": self.cells, "li": self.items}[tag]
            if target is None:
                self.headings.append(self._buf)
            else:
                target.setdefault(sec, []).append(self._buf)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buf += data


def test_html_structure_and_text(org):
    seed(org)
    with Session(org.engine) as s:
        sd = Seed(s)
        for day in (10, 20):  # cat and ann nominate each other twice: a reciprocal pair
            sd.nomination("cat", "ann", "teamwork.3", day=day)
            sd.nomination("ann", "cat", "teamwork.3", day=day + 1, decided_by="mgr2")
        s.commit()
    c = calibration(org, "2026Q4", viewer="hr@example.com")
    tree = _Tree()
    tree.feed(calibration_html(c, org.rubric, "en", embed_font=False))
    assert tree.sections == [
        "header",
        "by_team",
        "by_manager",
        "managers",
        "outliers",
        "unrecognised",
        "missing",
        "fairness",
        "tagger",
    ]
    assert tree.headings[0] == "Calibration — whole org — 2026Q4: 7 people"
    assert "script" not in tree.tags
    assert "Manager Li" in tree.cells["managers"]
    assert "Wang" not in " ".join(tree.items["unrecognised"]) and any(
        "wang@example.com" in x for x in tree.items["unrecognised"]
    )
    assert (
        "Ann and Cat nominated each other repeatedly: 3 and 2 times within 30 days of a nomination the other way."
        in (tree.items["fairness"])
    )
    zh = _Tree()
    zh.feed(calibration_html(c, org.rubric, "zh", embed_font=False))
    assert zh.headings[0] == "校准 — 全公司 — 2026Q4：7 人"
    assert any("反复互相提名" in x for x in zh.items["fairness"])


def test_html_escapes_names(org):
    with Session(org.engine) as s:
        sd = Seed(s)
        from liumai.storage.models import Person

        bob = s.get(Person, sd.ids["bob"])
        bob.display_name = "<b>Bob</b>"
        s.add(bob)
        s.commit()
    html = calibration_html(calibration(org, "2026Q4"), org.rubric, "en", embed_font=False)
    assert "<b>Bob</b>" not in html and "&lt;b&gt;Bob&lt;/b&gt;" in html


# ------------------------------------------------------------------------------- CLI

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cal.db'}"
    monkeypatch.setenv("LIUMAI_DATABASE_URL", url)
    monkeypatch.setenv("LIUMAI_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    (tmp_path / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    assert runner.invoke(app, ["org", "import", str(tmp_path / "org.csv")]).exit_code == 0
    from liumai.storage.db import make_engine

    eng = make_engine(url)

    class _Ctx:
        engine = eng

    seed(_Ctx)
    eng.dispose()
    return tmp_path


def test_cli_in_chinese_is_fully_chinese(cli_db):
    for args in (
        ["calibration", "--quarter", "2026Q4", "--as", "hr@example.com"],
        ["calibration", "--quarter", "2026Q4", "--as", "mgr@example.com"],
    ):
        res = runner.invoke(app, ["--lang", "zh", *args])
        assert res.exit_code == 0, res.output
        assert "校准" in res.stdout and "标注器健康度" in res.stdout
        assert english_lines(res.stdout + res.stderr, also=("Wang",)) == []
    for args, needle in (
        (["--as", "ann@example.com"], "你没有下属"),
        (["--as", "mgr@example.com", "--under", "cat@example.com"], "不在你所管理的组织范围内"),
        (["--as", "ghost@example.com"], "ghost@example.com"),
    ):
        res = runner.invoke(app, ["--lang", "zh", "calibration", "--quarter", "2026Q4", *args])
        assert res.exit_code == 1 and needle in res.stderr
        assert english_lines(res.stdout + res.stderr) == []


def test_cli_json_shape(cli_db):
    res = runner.invoke(app, ["calibration", "--quarter", "2026Q4", "--as", "boss@example.com", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d) >= {
        "quarter",
        "scope",
        "people",
        "by_team",
        "by_manager",
        "managers",
        "outliers",
        "unrecognised",
        "missing_behaviours",
        "fairness_signals",
        "policy",
        "tagger_health",
        "thresholds",
    }
    assert d["scope"] == "boss@example.com" and d["people"] == 7 and d["quarter"] == "2026Q4"
    assert set(d["by_team"]["alpha"]["teamwork"]) == {"n", "mean", "median", "counts"}
    assert set(d["tagger_health"]["by_tagger"]["offline"]) >= {
        "total",
        "kept_first",
        "other_suggestion",
        "outside",
        "retagged",
    }
    assert {m["manager"] for m in d["managers"]} >= {"mgr@example.com", "mgr2@example.com"}


def test_cli_html_file_is_private(cli_db):
    out = cli_db / "cal.html"
    res = runner.invoke(app, ["calibration", "--quarter", "2026Q4", "--format", "html", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_mode & 0o777 == 0o600 and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    res = runner.invoke(app, ["calibration", "--format", "html"])
    assert res.exit_code == 2


# ------------------------------------------------------------------------------- signals for deciders


def test_signals_about_one_person_for_their_managers_only(org):
    from liumai.services.errors import PermissionDenied
    from liumai.services.fairness_view import signals_about

    with Session(org.engine) as s:
        sd = Seed(s)
        for day in (10, 20):
            sd.nomination("cat", "ann", "teamwork.3", day=day)
            sd.nomination("ann", "cat", "teamwork.3", day=day + 1, decided_by="mgr2")
        sd.nomination("bob", "wang", "teamwork.3", day=3)
        s.commit()
    found = signals_about(org, "cat@example.com", "2026Q4", viewer="mgr2@example.com")
    assert [(x.kind, [w.email for w in x.people]) for x in found] == [
        ("reciprocal", ["ann@example.com", "cat@example.com"])
    ]
    assert signals_about(org, "bob@example.com", "2026Q4", viewer="mgr@example.com") == []
    for viewer in ("mgr@example.com", "ann@example.com", "cat@example.com"):
        with pytest.raises(PermissionDenied):
            signals_about(org, "cat@example.com", "2026Q4", viewer=viewer)


def test_cli_signals_about_one_person_in_chinese_and_json(cli_db):
    res = runner.invoke(app, ["--lang", "zh", "calibration", "--quarter", "2026Q4", "--person", "ann@example.com"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("公平性信号") and english_lines(res.stdout) == []
    res = runner.invoke(
        app, ["calibration", "--quarter", "2026Q4", "--person", "cat@example.com", "--as", "mgr@example.com"]
    )
    assert res.exit_code == 1 and "Only Cat's managers" in res.stderr
    res = runner.invoke(app, ["calibration", "--quarter", "2026Q4", "--person", "ann@example.com", "--json"])
    assert res.exit_code == 0 and isinstance(json.loads(res.stdout), list)

"""The `liumai` command line: JSON shapes, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liumai.cli.main import app
from tests.conftest import ORG_CSV

runner = CliRunner()
STORY = "Ann walked Bob through the reconciliation job and shared her notes with the whole team."


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("LIUMAI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIUMAI_LANG", "en")
    monkeypatch.chdir(tmp_path)

    def run(*args: str, code: int = 0):
        res = runner.invoke(app, list(args))
        assert res.exit_code == code, (args, res.exit_code, res.stdout, res.stderr)
        return res

    return run


@pytest.fixture
def ready(cli, tmp_path):
    cli("migrate")
    (tmp_path / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    cli("org", "import", str(tmp_path / "org.csv"))
    return cli


def j(res):
    return json.loads(res.stdout)


def test_every_command_refuses_an_unmigrated_database_with_one_line(cli):
    for args in (
        ["nominate", "--from", "a@x.io", "--to", "b@x.io", "--story", "x"],
        ["evidence", "list"],
        ["evidence", "accept", "1", "--by", "a@x.io"],
        ["concern", "add", "--by", "a@x.io", "--person", "b@x.io", "--criterion", "teamwork.1", "--note", "n"],
        ["score", "--person", "a@x.io"],
        ["team", "set", "alpha"],
    ):
        res = cli(*args, code=1)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "liumai migrate" in lines[0], (args, res.stderr)


def test_bad_setting_names_the_variable(cli, monkeypatch):
    monkeypatch.setenv("LIUMAI_TIMEZONE", "Mars/Olympus")
    res = cli("score", "--person", "a@x.io", code=2)
    assert res.stderr.strip().startswith("error: LIUMAI_TIMEZONE: unknown time zone")
    monkeypatch.setenv("LIUMAI_TIMEZONE", "UTC")
    monkeypatch.setenv("LIUMAI_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    res = cli("score", "--person", "a@x.io", code=2)
    assert "LIUMAI_LLM_MODEL" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_migrate_json_and_idempotent(cli):
    first = j(cli("migrate", "--json"))
    assert first["from"] is None and first["to"]
    again = j(cli("migrate", "--json"))
    assert again["from"] == again["to"] == first["to"]


def test_nominate_confirm_decide_score_flow(ready):
    out = j(ready("nominate", "--from", "bob@example.com", "--to", "ann@example.com", "--story", STORY, "--json"))
    assert out["created"] and out["nomination_id"] == 1 and out["evidence_id"] is None
    assert 1 <= len(out["suggestions"]) <= 3
    assert all(STORY.lower().find(s["quote"].lower()) >= 0 for s in out["suggestions"])

    out = j(
        ready(
            "nominate",
            "--from",
            "bob@example.com",
            "--to",
            "ann@example.com",
            "--story",
            STORY,
            "--criterion",
            "teamwork.3",
            "--json",
        )
    )
    assert out["evidence_status"] == "pending"
    eid = str(out["evidence_id"])

    rows = j(ready("evidence", "list", "--status", "pending", "--json"))
    assert [r["id"] for r in rows] == [out["evidence_id"]] and rows[0]["story"] == STORY

    res = ready("evidence", "accept", eid, "--by", "bob@example.com", code=1)  # a peer
    assert "managers" in res.stderr
    assert j(ready("evidence", "list", "--json"))[0]["status"] == "pending"  # unchanged
    assert j(ready("evidence", "accept", eid, "--by", "mgr@example.com", "--json"))["status"] == "accepted"

    ready(
        "concern",
        "add",
        "--by",
        "mgr@example.com",
        "--person",
        "ann@example.com",
        "--criterion",
        "customer_first.1",
        "--mitigated",
        "--note",
        "Missed a call-back: family emergency",
    )
    score = j(ready("score", "--person", "ann@example.com", "--json"))
    assert set(score) >= {"total", "values", "quarter", "rubric_version"}
    assert score["values"]["customer_first"]["score"] == 0.5
    assert score["values"]["teamwork"]["score"] == 3
    assert score["total"] == sum(v["score"] for v in score["values"].values())
    assert score["values"]["teamwork"]["levels"][2]["conforming_ids"] == [int(eid)]

    human = ready("--lang", "zh", "score", "--person", "ann@example.com").stdout
    assert "团队合作 3/5" in human and "情有可原" in human


def test_idempotency_key_on_the_command_line(ready):
    a = j(
        ready(
            "nominate",
            "--from",
            "bob@example.com",
            "--to",
            "ann@example.com",
            "--story",
            STORY,
            "--idempotency-key",
            "k1",
            "--json",
        )
    )
    b = j(
        ready(
            "nominate",
            "--from",
            "bob@example.com",
            "--to",
            "ann@example.com",
            "--story",
            STORY,
            "--idempotency-key",
            "k1",
            "--json",
        )
    )
    assert a["nomination_id"] == b["nomination_id"] and a["created"] and not b["created"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--from", "ann@example.com", "--to", "ann@example.com", "--story", STORY], "yourself"),
        (["--from", "bob@example.com", "--to", "nobody@example.com", "--story", STORY], "nobody@example.com"),
        (["--from", "bob@example.com", "--to", "ann@example.com", "--story", " "], "empty"),
        (["--from", "bob@example.com", "--to", "ann@example.com", "--story", "y" * 3001], "3001"),
    ],
)
def test_nominate_refusals(ready, args, needle):
    res = ready("nominate", *args, code=1)
    assert needle in res.stderr
    assert j(ready("evidence", "list", "--json")) == []


def test_messages_in_chinese(ready):
    res = ready(
        "--lang", "zh", "nominate", "--from", "ann@example.com", "--to", "ann@example.com", "--story", "x", code=1
    )
    assert "不能提名自己" in res.stderr


def test_rubric_show_json_and_human(cli):
    rows = j(cli("rubric", "show", "--json"))
    assert len(rows) == 30
    assert set(rows[0]) >= {"id", "value", "level", "statement_zh", "statement_en", "rule", "half_point"}
    cf1 = next(r for r in rows if r["id"] == "customer_first.1")
    assert cf1["half_point"] is True and cf1["rule"] == "default_pass"
    tw = j(cli("rubric", "show", "teamwork", "--json"))
    assert [r["id"] for r in tw] == [f"teamwork.{i}" for i in range(1, 6)]
    assert "积极融入团队" in cli("rubric", "show", "teamwork", "--lang", "zh").stdout
    cli("rubric", "show", "synergy", code=1)


def test_rubric_validate_and_explain(cli, tmp_path):
    good = Path(__file__).resolve().parents[1] / "rubric" / "data" / "liumai.yaml"
    assert "valid" in cli("rubric", "validate", str(good)).stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text("utf-8").replace("rule: both", "rule: sometimes"), encoding="utf-8")
    res = cli("rubric", "validate", str(bad), code=1)
    assert res.stderr.strip() == (
        f"{bad}: teamwork > teamwork.5 > rule: unknown rule 'sometimes' "
        "(expected one of: default_pass, evidence_required, both)"
    )
    out = cli("rubric", "explain", "teamwork.5").stdout
    assert "both" in out and "source_document" in out and "Conforming cases" in out
    assert j(cli("rubric", "explain", "customer_first.1", "--json"))["half_point"] is True
    cli("rubric", "explain", "teamwork.6", code=1)


def test_org_import_errors_print_line_and_column(cli, tmp_path):
    cli("migrate")
    bad = tmp_path / "bad.csv"
    bad.write_text(ORG_CSV + "zed@example.com,Zed,alpha,ghost@example.com,,,maybe,en\n", encoding="utf-8")
    res = cli("org", "import", str(bad), code=1)
    assert "line 10, column is_admin: 'maybe' is not true/false" in res.stderr
    assert "nothing imported" in res.stderr
    assert j(cli("evidence", "list", "--json")) == []


def test_tag_and_eval_commands(cli):
    out = j(cli("tag", "王芳主动把排障经验写成文档，分享给全组，还手把手带新人。", "--json"))
    assert out["tagger"] == "offline" and out["suggestions"]
    rep = j(cli("eval", "dev", "--json"))
    assert set(rep) >= {"n", "top1", "top3", "macro_f1", "by_lang"}
    assert rep["n"] >= 90 and set(rep["by_lang"]) == {"zh", "en"}
    cli("eval", "/nonexistent.jsonl", code=1)


def test_tag_and_eval_with_the_llm_against_a_fake_server(cli, monkeypatch, tmp_path):
    from tests.fakes.openai_server import FakeOpenAIServer

    story = "Ann shared her debugging notes with the whole team and paired with the new hire."
    data = tmp_path / "mini.jsonl"
    data.write_text(
        json.dumps({"text": story, "criterion": "teamwork.3", "polarity": "conforming", "lang": "en"})
        + "\n"
        + json.dumps({"text": "Lunch at noon?", "criterion": None, "polarity": None, "lang": "en"})
        + "\n",
        encoding="utf-8",
    )
    with FakeOpenAIServer() as fake:
        monkeypatch.setenv("LIUMAI_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("LIUMAI_LLM_MODEL", "fake-model")
        monkeypatch.setenv("LIUMAI_LLM_API_KEY", "sk-test")
        answer = {
            "abstain": False,
            "reason": "",
            "suggestions": [
                {
                    "criterion": "teamwork.3",
                    "polarity": "conforming",
                    "confidence": 0.9,
                    "quote": "shared her debugging notes with the whole team",
                    "rationale": "sharing knowledge",
                }
            ],
        }
        fake.answer(answer)
        out = j(cli("tag", story, "--tagger", "llm", "--json"))
        assert out["tagger"] == "llm" and out["suggestions"][0]["criterion"] == "teamwork.3"
        fake.answer(answer).answer({"abstain": True, "reason": "small talk", "suggestions": []})
        rep = j(cli("eval", str(data), "--tagger", "llm", "--json"))
        assert rep["top1"] == 1.0 and rep["abstain_precision"] == 1.0
        extra = rep["extra"]
        assert extra["valid_json_rate"] == 1.0 and extra["valid_ids_rate"] == 1.0
        assert extra["matching_quotes_rate"] == 1.0 and extra["fallback_rate"] == 0.0
        assert extra["prompt_tokens"] == 200 and extra["http_requests"] == 2
        assert len(fake.requests) == 3


def test_export_erase_purge_backup_commands(ready, tmp_path):
    ready(
        "nominate",
        "--from",
        "bob@example.com",
        "--to",
        "ann@example.com",
        "--story",
        STORY,
        "--criterion",
        "teamwork.3",
    )
    data = j(ready("export", "--person", "ann@example.com"))
    assert data["nominations_received"][0]["story"] == STORY
    res = ready("erase", "--person", "ann@example.com", code=2)
    assert "--yes" in res.stderr
    out = j(ready("erase", "--person", "ann@example.com", "--yes", "--json"))
    assert out["nominations_deleted"] == 1
    ready("erase", "--person", "ann@example.com", "--yes", code=1)  # the e-mail no longer exists
    assert j(ready("purge", "--older-than-days", "30", "--json")) == {"nominations": 0, "concerns": 0, "evidence": 0}
    ready("purge", code=2)
    assert "backup written" in ready("backup", str(tmp_path / "copy.db")).stdout
    ready("backup", str(tmp_path / "copy.db"), code=1)


def test_summary_and_digest_commands(ready, tmp_path):
    out = j(
        ready(
            "nominate",
            "--from",
            "bob@example.com",
            "--to",
            "ann@example.com",
            "--story",
            STORY,
            "--criterion",
            "teamwork.3",
            "--json",
        )
    )
    ready("evidence", "accept", str(out["evidence_id"]), "--by", "mgr@example.com")
    md = ready("summary", "--person", "ann@example.com").stdout
    assert "Ann" in md and "Teamwork 3/5" in md
    data = json.loads(ready("summary", "--team", "alpha", "--format", "json").stdout)
    assert [p["person"] for p in data["people"]][:2] == ["mgr@example.com", "ann@example.com"]
    rows = ready("summary", "--manager", "mgr@example.com", "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("quarter,email") and len(rows) == 1 + 3 * 6
    ready("summary", "--team", "alpha", "--format", "html", code=2)  # html needs --out
    html = tmp_path / "r.html"
    ready("summary", "--team", "alpha", "--format", "html", "--out", str(html))
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    ready("summary", "--person", "ann@example.com", "--as", "bob@example.com", code=1)  # a peer
    ready("summary", code=2)
    preview = j(ready("digest", "--week", "2026-W47", "--json"))
    assert {d["team"] for d in preview} >= {"alpha", "beta"}
    ready("digest", "--week", "2026-W47", "--post", code=2)  # no platform configured

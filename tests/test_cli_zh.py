"""Under `--lang zh` every line the CLI prints for people is Chinese (issue: the CLI was half English).

Each command group runs on a seeded SQLite database through Typer's CliRunner (the same app object
the `liumai` console script runs). A line fails when, after removing what is never translated
(e-mail addresses, paths, behaviour ids, commands, flags, settings names, codes, people's and
teams' names, product names), it still has a run of three or more ASCII letters.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liumai.cli.main import app
from tests.conftest import ORG_CSV
from tests.zh_text import english_lines

runner = CliRunner()


@pytest.fixture
def zh(tmp_path, monkeypatch):
    monkeypatch.setenv("LIUMAI_DATABASE_URL", f"sqlite:///{tmp_path / 'zh.db'}")
    monkeypatch.setenv("LIUMAI_LANG", "en")  # the flag, not the environment, asks for Chinese
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    printed: list[tuple[tuple[str, ...], str]] = []

    def run(*args: str, code: int = 0, also: tuple[str, ...] = ()) -> str:
        res = runner.invoke(app, ["--lang", "zh", *args])
        assert res.exit_code == code, (args, res.exit_code, res.stdout, res.stderr, res.exception)
        text = res.stdout + res.stderr
        printed.append((args, text))
        assert (args, english_lines(text, also)) == (args, [])
        return text

    run.printed = printed  # type: ignore[attr-defined]
    return run


def _ids(text: str, word: str) -> list[int]:
    return [int(x) for x in re.findall(word + r" #(\d+)", text)]


def test_the_allow_list_still_catches_english():
    assert english_lines("nomination #3") == ["nomination #3"]
    assert english_lines("error: unknown value 'x'") != []
    assert english_lines("提名 #3：ann@example.com teamwork.3 `liumai nomination confirm 3` --as") == []


def test_every_command_speaks_chinese(zh, tmp_path: Path):
    zh("migrate")
    # rubric
    zh("rubric", "show")
    zh("rubric", "show", "teamwork")
    zh("rubric", "explain", "teamwork.3")
    zh("rubric", "show", "nosuch", code=1)
    zh("rubric", "explain", "nosuch.9", code=1)
    from importlib import resources

    rubric_file = tmp_path / "rubric.yaml"
    rubric_file.write_text(resources.files("liumai.rubric.data").joinpath("liumai.yaml").read_text("utf-8"), "utf-8")
    zh("rubric", "validate", str(rubric_file))
    # org import: the file, a dry run, every kind of error
    (tmp_path / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    zh("org", "import", str(tmp_path / "org.csv"))
    less = "\n".join(line for line in ORG_CSV.splitlines() if not line.startswith("cat@"))
    (tmp_path / "less.csv").write_text(less + "\n", encoding="utf-8")
    zh("org", "import", "--dry-run", str(tmp_path / "less.csv"))
    bad = (
        "email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale\n"
        "not-an-email,,BAD TEAM,ghost@example.com,u-bad,xx,maybe,fr-FR\n"
        "a@x.io,A,t,a@x.io,,,false,en\n"
        "a@x.io,A,t,,,,false,en\n"
    )
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    zh("org", "import", str(tmp_path / "bad.csv"), code=1)
    (tmp_path / "hdr.csv").write_text("mail,name,tem,team_slack_channel\nx@y.z,X,a,C1\n", encoding="utf-8")
    zh("org", "import", str(tmp_path / "hdr.csv"), code=1)
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    zh("org", "import", str(tmp_path / "empty.csv"), code=1)
    (tmp_path / "latin1.csv").write_bytes("email,name\nx@y.z,Jos\xe9\n".encode("latin-1"))
    zh("org", "import", str(tmp_path / "latin1.csv"), code=1)
    zh("org", "import", str(tmp_path / "missing.csv"), code=1)
    # teams
    zh("team", "set", "alpha", "--name-zh", "阿尔法", "--name-en", "Alpha", "--slack-channel", "C0ALPHA")
    zh("team", "set", "Bad Key", code=1)
    # nominations
    story = "王芳带着新同事熟悉对账流程，把自己整理的笔记分享给了整个团队，大家都说很有帮助。"
    out = zh("nominate", "--from", "ann@example.com", "--to", "wang@example.com", "--story", story)
    (nom,) = _ids(out, "提名")
    zh("nominate", "--from", "ann@example.com", "--to", "wang@example.com", "--story", story)  # a repeat
    out = zh("nomination", "confirm", str(nom), "--criterion", "teamwork.1", "--as", "ann@example.com")
    (ev,) = _ids(out, "事例")
    zh("nomination", "confirm", str(nom), "--criterion", "teamwork.1", "--as", "ann@example.com", code=1)
    out = zh("nominate", "--from", "bob@example.com", "--to", "ann@example.com", "--story", "好")
    (short,) = _ids(out, "提名")
    zh("nomination", "cancel", str(short), "--as", "bob@example.com")
    zh("nomination", "cancel", str(short), "--as", "bob@example.com", code=1)
    zh("nominate", "--from", "ann@example.com", "--to", "ann@example.com", "--story", story, code=1)
    zh("nominate", "--from", "ann@example.com", "--to", "ghost@example.com", "--story", story, code=1)
    # evidence and concerns
    zh("evidence", "list")
    zh("evidence", "accept", str(ev), "--by", "mgr@example.com")
    zh("evidence", "reject", str(ev), "--by", "ann@example.com", code=1)
    zh("evidence", "retag", str(ev), "--criterion", "teamwork.2", "--by", "mgr@example.com")
    zh("evidence", "accept", "999", "--by", "mgr@example.com", code=1)
    zh("evidence", "list", "--status", "nosuch", code=1, also=("pending", "accepted", "rejected"))  # the values to type
    zh(
        "concern",
        "add",
        "--by",
        "mgr@example.com",
        "--person",
        "bob@example.com",
        "--criterion",
        "teamwork.1",
        "--note",
        "会上打断同事",
        "--mitigated",
    )
    zh(
        "concern",
        "add",
        "--by",
        "mgr@example.com",
        "--person",
        "bob@example.com",
        "--criterion",
        "teamwork.2",
        "--note",
        "没有同步进展",
    )
    zh("evidence", "list", "--quarter", "2026Q9", code=1)  # the bad-quarter error
    zh("evidence", "list")
    # scores, summaries, digests
    zh("score", "--person", "wang@example.com")
    zh("score", "--person", "bob@example.com")
    zh("score", "--person", "bob@example.com", "--quarter", "nonsense", code=1)
    zh("summary", "--person", "wang@example.com", "--format", "csv", "--out", str(tmp_path / "s.csv"))
    zh("summary", "--person", "bob@example.com")
    zh("summary", "--team", "alpha")
    zh("summary", "--manager", "mgr@example.com")
    zh("summary", "--team", "alpha", "--format", "html", code=2)
    zh("summary", "--format", "xml", "--person", "wang@example.com", code=2)
    zh("summary", code=2)
    zh("summary", "--team", "nosuch", code=1)
    zh("digest", "--team", "alpha")
    year, week, _ = date.today().isocalendar()
    zh("digest", "--week", f"{year}-W{week:02d}")  # this week: highlights, firsts, values
    zh("digest", "--week", "2026-W99", code=1)
    zh("digest", "--post", code=2)
    # tagging
    zh("tag", story)
    zh("tag", "好")
    zh("tag", story, "--tagger", "nosuch", code=2)
    rows = json.dumps({"text": story, "criterion": "teamwork.1", "polarity": "conforming", "lang": "zh"}) + "\n"
    (tmp_path / "eval.jsonl").write_text(rows, encoding="utf-8")
    zh("eval", str(tmp_path / "eval.jsonl"))
    # data rights
    zh("export", "--person", "wang@example.com", "--out", str(tmp_path / "wang.json"))
    zh("erase", "--person", "cat@example.com", code=2)
    zh("erase", "--person", "cat@example.com", "--yes")
    zh("purge", "--older-than-days", "3650")
    zh("purge", code=2)
    zh("backup", str(tmp_path / "copy.db"))
    zh("backup", str(tmp_path / "copy.db"), code=1)
    # every group ran
    ran = {args[0] for args, _ in zh.printed}
    assert ran >= {
        "migrate",
        "rubric",
        "org",
        "team",
        "nominate",
        "nomination",
        "evidence",
        "concern",
        "score",
        "summary",
        "digest",
        "tag",
        "eval",
        "export",
        "erase",
        "purge",
        "backup",
    }

"""`liumai demo`: runs offline end to end, deterministic apart from paths and timings."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liumai.cli.main import app

VOLATILE = re.compile(
    r"(/[^\s)]*liumai-demo[^\s)]*|\(\d+\.\d s\)|\d+\.\d+ s\b|[^\s,]*summary\.(md|html)|[^\s,)]*\.db\b)"
)


def _run(tmp_path: Path, name: str) -> tuple[str, str]:
    out = tmp_path / f"{name}-summary.md"
    res = CliRunner().invoke(
        app, ["demo", "--out", str(out), "--db", str(tmp_path / f"{name}.db")], env={"LIUMAI_LANG": "en"}
    )
    assert res.exit_code == 0, res.stdout + res.stderr
    return res.stdout, out.read_text(encoding="utf-8")


def test_demo_output_is_deterministic_and_complete(tmp_path):
    a_out, a_md = _run(tmp_path, "a")
    b_out, b_md = _run(tmp_path, "b")
    assert VOLATILE.sub("<v>", a_out) == VOLATILE.sub("<v>", b_out)
    assert a_md == b_md
    # The counts printed are the ones in the bundled data and in the database the demo wrote.
    stories = _data_lines("stories.jsonl")
    assert f"{len(stories)} stories" in a_out
    with sqlite3.connect(tmp_path / "a.db") as db:
        n, mitigated = db.execute("SELECT count(*), coalesce(sum(mitigated), 0) FROM concern").fetchone()
    assert n == len(_data_lines("concerns.jsonl")) and n >= 1
    assert f"{n} concern{'s' if n != 1 else ''} recorded ({mitigated} mitigated)" in a_out
    for team, heading in (("Payments (payments)", "支付组 / Payments"), ("Support (support)", "客服组 / Support")):
        assert team in a_out and f"# Values summary — {heading} — " in a_md
    assert "王芳" in a_out and "Maria Lopez" in a_out
    assert "needs one conforming case" in a_out  # reasons are printed
    assert "0.5" in a_out  # the mitigated concern gives a half point
    assert "is blocked this quarter by non-conforming case" in a_out  # the unmitigated one


def _data_lines(name: str) -> list[dict]:
    text = resources.files("liumai.data.demo").joinpath(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_demo_refuses_an_existing_database(tmp_path):
    db = tmp_path / "x.db"
    db.write_text("")
    res = CliRunner().invoke(app, ["demo", "--db", str(db), "--out", str(tmp_path / "s.md")])
    assert res.exit_code != 0


def test_demo_in_chinese_and_json(tmp_path):
    res = CliRunner().invoke(app, ["--lang", "zh", "demo", "--json", "--out", str(tmp_path / "zh.md")])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    concerns = _data_lines("concerns.jsonl")
    assert (data["concerns"], data["concerns_mitigated"]) == (
        len(concerns),
        sum(bool(c["mitigated"]) for c in concerns),
    )
    assert data["nominations"] >= 100 and data["accepted"] > data["rejected"] + data["pending"]
    assert set(data["teams"]) >= {"payments", "support"}
    md = (tmp_path / "zh.md").read_text(encoding="utf-8")
    assert "价值观季度小结" in md and "团队合作" in md


@pytest.mark.skipif(shutil.which("liumai") is None, reason="console script not installed (pip install .)")
def test_installed_console_script_runs_the_demo_outside_the_source_tree(tmp_path):
    """The package as pip installs it: data files come through importlib.resources."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    exe = shutil.which("liumai")
    where = subprocess.run(
        [sys.executable, "-c", "import liumai, liumai.rubric; print(liumai.__file__, liumai.rubric.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    res = subprocess.run(
        [exe, "demo", "--out", str(tmp_path / "s.md")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "Summary written to" in res.stdout and (tmp_path / "s.md").exists()
    assert where.returncode == 0, where.stderr


def test_demo_speaks_chinese_and_cuts_the_cjk_font_once(tmp_path, monkeypatch):
    """Every line of `--lang zh demo` is Chinese but for data: people's and teams' names and the
    stories nominators wrote (the digest preview quotes them as written). The same run checks that
    the 16 MB CJK face, whose subsetting takes seconds, is cut once for its one HTML report."""
    pytest.importorskip("mplfonts")
    from fontTools import subset

    from liumai.reports import fonts
    from tests.zh_text import english_lines

    assert fonts._font_path() is not None, "the CJK face the report embeds is missing"
    builds: list[int] = []
    real = subset.Subsetter.subset

    def counted(self, font):
        builds.append(1)
        return real(self, font)

    monkeypatch.setattr(subset.Subsetter, "subset", counted)
    fonts._font_face.cache_clear()  # no subset left by an earlier test in this process

    org = list(csv.DictReader(io.StringIO(_data_text("org.csv"))))
    teams = list(csv.DictReader(io.StringIO(_data_text("teams.csv"))))
    data = tuple(sorted({r["name"] for r in org} | {r["team"] for r in teams}, key=len, reverse=True))
    res = CliRunner().invoke(app, ["--lang", "zh", "demo", "--out", str(tmp_path / "zh.md")])
    assert res.exit_code == 0, res.stderr
    prose = [line.split("提名人", 1)[0] if line.startswith("- ") else line for line in res.stdout.splitlines()]
    assert english_lines("\n".join(prose), data) == []
    assert "记录关注事项" in res.stdout and "总分" in res.stdout and "小结已写入" in res.stdout
    assert english_lines("Summary written to x") != []  # the check can fail
    assert len(builds) == 1
    html = next(tmp_path.glob("*.html"), None) or next((tmp_path / "zh.md").parent.rglob("*.html"))
    assert f'font-family:"{fonts.FAMILY}"' in html.read_text(encoding="utf-8")


def _data_text(name: str) -> str:
    return resources.files("liumai.data.demo").joinpath(name).read_text(encoding="utf-8")

"""Private files are private: whatever the umask, what Liumai writes is readable by its owner only.

The CLI runs as subprocesses with HOME in a temporary directory (so the default database is
~/.liumai/liumai.db) under umask 022 and 000; modes are read with os.stat.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ORG_CSV

ROOT = Path(__file__).resolve().parents[1]
STORY = "Ann walked Bob through the reconciliation job and shared her notes with the whole team."


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class Cli:
    def __init__(self, tmp_path: Path, umask: int) -> None:
        self.home = tmp_path / "home"
        self.work = tmp_path / "work"
        self.home.mkdir(mode=0o755)
        self.work.mkdir(mode=0o755)
        self.umask = umask
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_"))}
        self.env.update(HOME=str(self.home), PYTHONPATH=str(ROOT), LIUMAI_LANG="en")
        self.db = self.home / ".liumai" / "liumai.db"

    def popen(self, *args: str, **kw) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "liumai.cli.main", *args],
            env=self.env,
            cwd=self.work,
            preexec_fn=lambda: os.umask(self.umask),
            **kw,
        )

    def __call__(self, *args: str) -> str:
        proc = self.popen(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (args, out, err)
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wal_and_shm_while_serving(cli: Cli) -> dict[str, int]:
    """Modes of the database's -wal and -shm files, which exist while `serve` holds it open."""
    port = _free_port()
    proc = cli.popen(
        "serve", "--host", "127.0.0.1", "--port", str(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wal, shm = Path(f"{cli.db}-wal"), Path(f"{cli.db}-shm")
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not answer /healthz"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if json.loads(r.read())["status"] == "ok" and wal.exists() and shm.exists():
                        break
            except OSError:
                pass
            time.sleep(0.1)
        return {"wal": mode(wal), "shm": mode(shm)}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_every_file_liumai_writes_is_owner_only(tmp_path, umask):
    cli = Cli(tmp_path, umask)
    cli("migrate")
    assert mode(cli.db.parent) == 0o700 and mode(cli.db) == 0o600
    (cli.work / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    cli("org", "import", "org.csv")
    cli(
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
    cli("export", "--person", "ann@example.com", "--out", "export.json")
    cli("summary", "--person", "ann@example.com", "--out", "summary.md")
    cli("summary", "--team", "alpha", "--format", "html", "--out", "team.html")
    cli("summary", "--team", "alpha", "--format", "csv", "--out", "team.csv")
    old = cli.work / "old-summary.md"  # written over: an earlier, world-readable file
    old.write_text("earlier")
    old.chmod(0o644)
    cli("summary", "--person", "ann@example.com", "--out", "old-summary.md")
    cli("backup", "backups/liumai-copy.db")
    written = {
        name: mode(cli.work / name)
        for name in ("export.json", "summary.md", "team.html", "team.csv", "old-summary.md", "backups/liumai-copy.db")
    }
    assert written == dict.fromkeys(written, 0o600)
    assert "Ann" in old.read_text(encoding="utf-8")
    assert mode(cli.work / "backups") == 0o700
    assert _wal_and_shm_while_serving(cli) == {"wal": 0o600, "shm": 0o600}
    assert mode(cli.db) == 0o600 and mode(cli.db.parent) == 0o700


def test_demo_outputs_are_owner_only(tmp_path):
    cli = Cli(tmp_path, 0o000)
    cli("demo", "--db", "demo/demo.db", "--out", "demo/summary.md", "--json")
    demo = cli.work / "demo"
    assert {p.name: mode(p) for p in demo.iterdir()} == {"demo.db": 0o600, "summary.md": 0o600, "summary.html": 0o600}
    assert mode(demo) == 0o700


def test_an_existing_install_is_tightened(tmp_path):
    """~/.liumai and its database as an earlier version left them: 0755 and 0644."""
    cli = Cli(tmp_path, 0o022)
    cli.db.parent.mkdir(mode=0o755)
    sqlite3.connect(cli.db).close()
    cli.db.chmod(0o644)
    cli.db.parent.chmod(0o755)
    cli("migrate")
    assert (mode(cli.db.parent), mode(cli.db)) == (0o700, 0o600)

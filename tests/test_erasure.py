"""Erase means erased: every identity a person had, and no byte left in the database files.

The CLI runs as subprocesses on a real database (a SQLite file, or a PostgreSQL schema read back
with `pg_dump`); the SQLite files - main file, WAL and shared memory - are read as raw bytes, so
nothing the database still holds anywhere (free pages, stale WAL frames) can hide.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.data_rights import purge_older_than
from tests.erasure_checks import everywhere, leftovers, sqlite_files, stored_bytes
from tests.fakes.feishu_api import APP_ID, APP_SECRET, FakeFeishu
from tests.serving import serve

ROOT = Path(__file__).resolve().parents[1]
NAME = "Annika Lindqvist"
OLD, NEW, NEWEST = "annika@example.com", "annika.new@example.com", "annika.wu@example.com"
SLACK, OPEN_ID = "U0ANNIKAQ", "ou_annikaq"
STORY = "Annika rebuilt the payout reconciliation overnight and documented every single step for the rota."
NOTE = "Snapped at a new hire during the Tuesday incident review, twice."
BY_HER = "Bob calmed an angry merchant and sorted the refund within ten minutes of the call."
NEEDLES = [OLD, NEW, NEWEST, NAME, SLACK, OPEN_ID, STORY, NOTE]

HEADER = "email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale\n"
OTHERS = (
    "boss@example.com,Boss Chen,pay,,U0BOSS,ou_boss,true,en-US\n"
    "bob@example.com,Bob,pay,boss@example.com,U0BOB,ou_bob,false,en-US\n"
)


def _env(db_url: str, home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_", "OPENAI_")) and k != "HOME"
    }
    env.update(LIUMAI_DATABASE_URL=db_url, LIUMAI_LANG="en", PYTHONPATH=str(ROOT), HOME=str(home), **extra)
    return env


def liumai(env: dict[str, str], *args: str, cwd: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == code, (args, res.stdout, res.stderr)
    return res


def with_annika(db_url: str, tmp_path: Path) -> tuple[dict[str, str], Callable[..., str], Path]:
    """A migrated database holding Annika (under her first address) and two colleagues: the
    environment, a `cli(*args) -> stdout` that runs `liumai` in it, and the org file it imported."""
    env = _env(db_url, tmp_path)

    def cli(*args: str) -> str:
        return liumai(env, *args, cwd=tmp_path).stdout

    cli("migrate")
    org = tmp_path / "org.csv"
    org.write_text(HEADER + OTHERS + f"{OLD},{NAME},pay,boss@example.com,{SLACK},{OPEN_ID},false,en-US\n")
    cli("org", "import", str(org))
    return env, cli, org


@pytest.fixture(scope="module")
def feishu() -> FakeFeishu:
    fake = FakeFeishu().start()
    yield fake
    fake.stop()


def _user(open_id: str, name: str, email: str, leader: str | None = "ou_boss") -> dict:
    status = {"is_frozen": False, "is_resigned": False, "is_activated": True}
    return {
        "open_id": open_id,
        "name": name,
        "email": email,
        "department_ids": ["0"],
        "leader_user_id": leader,
        "status": status,
    }


def test_erase_finds_every_identity_the_person_had(db_url, tmp_path, feishu):
    """CSV re-import with a new e-mail (a second person row), then a Feishu rename, then erase."""
    env, cli, org = with_annika(db_url, tmp_path)
    cli("nominate", "--from", "bob@example.com", "--to", OLD, "--story", STORY, "--criterion", "teamwork.3")
    cli("nominate", "--from", OLD, "--to", "bob@example.com", "--story", BY_HER)
    # HR re-imports with her new address: Liumai creates a second person row for it.
    org.write_text(HEADER + OTHERS + f"{NEW},{NAME},pay,boss@example.com,{SLACK},{OPEN_ID},false,en-US\n")
    cli("org", "import", str(org))
    # Feishu then shows yet another address for the same open_id: renamed in place, audited.
    feishu.reset()
    feishu.directory.users = [
        _user("ou_boss", "Boss Chen", "boss@example.com", None),
        _user("ou_bob", "Bob", "bob@example.com"),
        _user(OPEN_ID, NAME, NEWEST),
    ]
    fs_env = {**env, "FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET, "FEISHU_DOMAIN": feishu.url}
    liumai(fs_env, "org", "sync-feishu", "--json", cwd=tmp_path)
    cli("concern", "add", "--by", "boss@example.com", "--person", NEWEST, "--criterion", "teamwork.1", "--note", NOTE)
    before = stored_bytes(db_url)
    assert not [n for n in NEEDLES if not everywhere(before, n)]  # the check below can see each of them

    preview = liumai(env, "erase", "--person", NEWEST, cwd=tmp_path, code=2).stderr
    assert f"{NAME} <{NEWEST}>" in preview and f"{NAME} <{OLD}>" in preview  # what --yes would erase
    out = json.loads(cli("erase", "--person", NEWEST, "--yes", "--json"))

    assert out["people_erased"] == 2 and out["nominations_deleted"] == 1 and out["concerns_deleted"] == 1
    after = stored_bytes(db_url)
    assert leftovers(after, NEEDLES) == []
    assert everywhere(after, BY_HER)  # Bob's recognition stays, from an anonymous colleague
    assert everywhere(after, "person.erase")
    bob = json.loads(cli("export", "--person", "bob@example.com"))
    assert [n["story"] for n in bob["nominations_received"]] == [BY_HER]


def test_erase_while_serve_holds_the_database_leaves_nothing_in_the_wal(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'liumai.db'}"
    env, cli, _org = with_annika(db_url, tmp_path)
    with serve(env, "--worker") as served:  # the tag worker too: every connection serve holds
        # Written while serve holds the database open: these land in the WAL, which stays.
        cli("nominate", "--from", "bob@example.com", "--to", OLD, "--story", STORY, "--criterion", "teamwork.3")
        cli("concern", "add", "--by", "boss@example.com", "--person", OLD, "--criterion", "teamwork.1", "--note", NOTE)
        assert "liumai.db-wal" in sqlite_files(db_url)
        cli("erase", "--person", OLD, "--yes")
        # Read without any other command opening the database, while serve still runs.
        files = sqlite_files(db_url)
        assert served.proc.poll() is None
    assert leftovers(files, [OLD, NAME, SLACK, OPEN_ID, STORY, NOTE]) == []


def test_retention_purge_leaves_no_purged_byte(org, db_url):
    """The daily purge (serve's scheduler calls the same service) on a database held open."""
    old = "Ann stayed late to restore the ledger snapshot and wrote the whole runbook again."
    note = "Left the on-call phone in a taxi during the quarter close."
    r = nom.nominate(org, "bob@example.com", "ann@example.com", old)
    nom.confirm(org, r.nomination.id, "bob@example.com", "teamwork.3")
    ev.add_concern(org, "mgr@example.com", "ann@example.com", "teamwork.1", note)
    org.clock.now += timedelta(days=400)
    recent = "Wang paired with Bob on the flaky settlement test until it was green."
    nom.nominate(org, "wang@example.com", "bob@example.com", recent)
    assert everywhere(stored_bytes(db_url), old)

    assert purge_older_than(org, 365) == {"nominations": 1, "concerns": 1, "evidence": 2}

    files = stored_bytes(db_url)  # the context's engine still holds its connections open
    assert leftovers(files, [old, note]) == []
    assert everywhere(files, recent)


def test_stale_bytes_from_before_secure_delete_are_scrubbed(tmp_path):
    """A database an older version wrote: rows deleted without secure_delete left their bytes."""
    db_url = f"sqlite:///{tmp_path / 'liumai.db'}"
    _env_vars, cli, _org = with_annika(db_url, tmp_path)
    cli("nominate", "--from", OLD, "--to", "bob@example.com", "--story", STORY)
    con = sqlite3.connect(tmp_path / "liumai.db")
    con.execute("PRAGMA secure_delete=OFF")  # the build default on some platforms
    with con:
        for table in ("suggestion", "tag_job", "evidence"):
            con.execute(f"DELETE FROM {table} WHERE nomination_id = 1")
        con.execute("DELETE FROM nomination WHERE id = 1")
    con.close()
    assert everywhere(sqlite_files(db_url), STORY)  # deleted, yet still in the file

    cli("erase", "--person", "bob@example.com", "--yes")

    assert not everywhere(sqlite_files(db_url), STORY)

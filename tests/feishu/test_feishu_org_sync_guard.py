"""`liumai org sync-feishu` as a process: a directory that lost most people (a narrowed contact
scope looks exactly like that) is refused like a CSV import, previewed with --dry-run, and applied
only with --allow-deactivate."""

from __future__ import annotations

from sqlmodel import select

from liumai.storage.db import session_scope
from liumai.storage.models import Person
from tests.cli_subprocess import as_json, liumai, snapshot
from tests.fakes.feishu_api import APP_ID, APP_SECRET
from tests.feishu.directory import directory
from tests.feishu.helpers import ENCRYPT_KEY, VERIFICATION_TOKEN


def test_a_sync_that_would_deactivate_most_people_is_refused(org, db_url, fake_feishu):
    fake_feishu.reset()
    depts, users = directory()
    fake_feishu.directory.departments = depts
    fake_feishu.directory.users = [u for u in users if u["open_id"] in ("ou_boss", "ou_ann")]
    env = {
        "FEISHU_APP_ID": APP_ID,
        "FEISHU_APP_SECRET": APP_SECRET,
        "FEISHU_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
        "FEISHU_ENCRYPT_KEY": ENCRYPT_KEY,
        "FEISHU_DOMAIN": fake_feishu.url,
    }
    before = snapshot(org.engine)
    res = liumai(db_url, "org", "sync-feishu", env=env)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "deactivate 6 of 8 active people" in res.stderr and "liumai org sync-feishu --dry-run" in res.stderr
    assert snapshot(org.engine) == before

    dry = as_json(liumai(db_url, "org", "sync-feishu", "--dry-run", "--json", env=env))
    assert dry["dry_run"] and dry["over_limit"] and len(dry["deactivated"]) == 6
    assert snapshot(org.engine) == before

    out = as_json(liumai(db_url, "org", "sync-feishu", "--allow-deactivate", "--json", env=env))
    assert sorted(out["deactivated"]) == sorted(dry["deactivated"])
    with session_scope(org.engine) as s:
        active = sorted(p.email for p in s.exec(select(Person).where(Person.active == True)).all())  # noqa: E712
    assert active == ["ann@example.com", "boss@example.com"]

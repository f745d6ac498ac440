"""`org sync-feishu` against the fake contact API: paging, leaders, matching, idempotence, rate limits."""

from __future__ import annotations

import dataclasses
import json

import pytest
import typer
from sqlmodel import func, select
from typer.testing import CliRunner

from liumai.cli.feishu_cmd import org_sync_feishu
from liumai.feishu.client import FeishuApi
from liumai.feishu.org_sync import sync_feishu
from liumai.services.nominations import confirm, nominate
from liumai.storage.db import session_scope
from liumai.storage.models import AuditLog, Evidence, Person, Team
from tests.fakes.feishu_api import APP_ID, APP_SECRET
from tests.feishu.directory import directory, user
from tests.feishu.fixtures import feishu_settings
from tests.feishu.helpers import ENCRYPT_KEY, VERIFICATION_TOKEN


@pytest.fixture
def sync_ctx(ctx, fake_feishu):
    fake_feishu.reset()
    return dataclasses.replace(ctx, settings=feishu_settings(ctx.settings.database_url, fake_feishu.url))


@pytest.fixture
def sync_org(org, fake_feishu):
    fake_feishu.reset()
    return dataclasses.replace(org, settings=feishu_settings(org.settings.database_url, fake_feishu.url))


def api(ctx, sleeps: list[float] | None = None) -> FeishuApi:
    return FeishuApi(ctx.settings, sleep=(sleeps.append if sleeps is not None else lambda _s: None))


def people(ctx) -> dict[str, Person]:
    with session_scope(ctx.engine) as s:
        return {p.email: p for p in s.exec(select(Person)).all()}


def audit_rows(ctx) -> int:
    with session_scope(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(AuditLog)).one()


def test_sync_builds_the_org_from_departments_and_leaders_with_paging(sync_ctx, fake_feishu):
    depts, users = directory(extra_users=120, extra_depts=60)
    fake_feishu.directory.departments, fake_feishu.directory.users = depts, users
    report = sync_feishu(sync_ctx, api(sync_ctx))
    assert report.departments == 64 and report.users == 128
    assert len(report.result.created) == 128
    p = people(sync_ctx)
    mgr = {e: (p[e].manager_id and next(x.email for x in p.values() if x.id == p[e].manager_id)) for e in p}
    assert mgr["ann@example.com"] == "mgr@example.com"  # department leader
    assert mgr["mgr@example.com"] == "boss@example.com"  # leads alpha: the leader above
    assert mgr["cat@example.com"] == "mgr2@example.com"  # leader_user_id
    assert mgr["mgr2@example.com"] == "boss@example.com"
    assert mgr["hr@example.com"] == "boss@example.com"
    assert mgr["boss@example.com"] is None
    assert mgr["new005@example.com"] == "mgr2@example.com"  # squad without leader: beta's leader
    assert p["wang@example.com"].locale == "zh-CN"  # feishu.cn default
    with session_scope(sync_ctx.engine) as s:
        alpha = s.exec(select(Team).where(Team.key == "od-alpha")).one()
    assert (alpha.name_zh, alpha.name_en, alpha.feishu_chat_id) == ("阿尔法组", "Alpha", "oc_alpha")
    assert p["ann@example.com"].team_id == alpha.id
    # Paging: more than one page of departments and of alpha's users was read.
    pages = [c for c in fake_feishu.snapshot() if "children" in c.path]
    assert len(pages) == 2 and pages[1].query["page_token"] == "50"
    assert all(c.query["user_id_type"] == "open_id" for c in fake_feishu.snapshot() if "contact" in c.path)


def test_resync_of_an_unchanged_directory_changes_nothing(sync_ctx, fake_feishu):
    fake_feishu.directory.departments, fake_feishu.directory.users = directory(extra_users=60)
    sync_feishu(sync_ctx, api(sync_ctx))
    before = audit_rows(sync_ctx)
    again = sync_feishu(sync_ctx, api(sync_ctx))
    r = again.result
    assert r.created == r.updated == r.deactivated == r.reactivated == r.teams_created == []
    assert len(r.unchanged) == 68
    assert audit_rows(sync_ctx) == before


def test_sync_over_a_csv_org_keeps_what_feishu_does_not_know(sync_org, fake_feishu):
    fake_feishu.directory.departments, fake_feishu.directory.users = directory()
    before = people(sync_org)
    report = sync_feishu(sync_org, api(sync_org))
    assert report.result.created == [] and report.result.deactivated == []
    after = people(sync_org)
    for email, p in before.items():
        q = after[email]
        assert (q.id, q.manager_id, q.is_admin, q.slack_user_id, q.locale) == (
            p.id,
            p.manager_id,
            p.is_admin,
            p.slack_user_id,
            p.locale,
        )
    assert after["hr@example.com"].is_admin  # the admin flag is Liumai's, not Feishu's
    assert after["ann@example.com"].locale == "en-US"
    again = sync_feishu(sync_org, api(sync_org))
    assert again.result.updated == [] and len(again.result.unchanged) == 8


def test_changed_or_missing_emails_follow_the_open_id(sync_org, fake_feishu):
    n = nominate(sync_org, "bob@example.com", "ann@example.com", "Ann shared her knowledge with everyone", tag=False)
    confirm(sync_org, n.nomination.id, "bob@example.com", "teamwork.3")
    depts, users = directory()
    for u in users:
        if u["open_id"] == "ou_ann":
            u["email"] = "ann.wu@example.com"  # changed
        if u["open_id"] == "ou_bob":
            u["email"] = None  # not visible to the app
    users.append(user("ou_noemail", "No Mail", None, ["od-alpha"]))
    fake_feishu.directory.departments, fake_feishu.directory.users = depts, users
    ann_id = people(sync_org)["ann@example.com"].id
    report = sync_feishu(sync_org, api(sync_org))
    p = people(sync_org)
    assert "ann@example.com" not in p and p["ann.wu@example.com"].id == ann_id
    assert "ann.wu@example.com" in report.result.updated
    assert p["bob@example.com"].feishu_open_id == "ou_bob"  # kept its stored e-mail
    assert report.placeholder_emails == ["ou_noemail@feishu.invalid"]
    assert p["ou_noemail@feishu.invalid"].manager_id == p["mgr@example.com"].id
    with session_scope(sync_org.engine) as s:
        e = s.exec(select(Evidence)).one()
    assert e.subject_id == ann_id  # history stays with the person
    # Once Feishu shows the e-mail, the placeholder is replaced, same person.
    users[-1]["email"] = "nomail@example.com"
    placeholder_id = p["ou_noemail@feishu.invalid"].id
    sync_feishu(sync_org, api(sync_org))
    assert people(sync_org)["nomail@example.com"].id == placeholder_id


def test_people_who_left_feishu_are_deactivated_others_left_alone(sync_org, fake_feishu):
    from liumai.services.org import import_org
    from tests.conftest import ORG_CSV

    import_org(sync_org, ORG_CSV + "slackonly@example.com,Slack Only,alpha,mgr@example.com,U0SLACK,,false,en-US\n")
    depts, users = directory()
    users = [u for u in users if u["open_id"] != "ou_bob"]
    for u in users:
        if u["open_id"] == "ou_cat":
            u["status"]["is_frozen"] = True
    fake_feishu.directory.departments, fake_feishu.directory.users = depts, users
    report = sync_feishu(sync_org, api(sync_org))
    assert sorted(report.result.deactivated) == ["bob@example.com", "cat@example.com"]
    assert report.skipped == ["Cat (ou_cat)"]
    p = people(sync_org)
    assert p["slackonly@example.com"].active and not p["bob@example.com"].active


def test_rate_limits_are_waited_out(sync_ctx, fake_feishu):
    fake_feishu.directory.departments, fake_feishu.directory.users = directory()
    limited = {"code": 99991400, "msg": "request trigger frequency limit"}
    fake_feishu.fail_next("find_by_department", 429, limited, headers={"x-ogw-ratelimit-reset": "2"})
    fake_feishu.fail_next("children", 200, limited, headers={"x-ogw-ratelimit-reset": "1"})
    sleeps: list[float] = []
    report = sync_feishu(sync_ctx, api(sync_ctx, sleeps))
    assert len(report.result.created) == 8
    assert sorted(sleeps) == [1.0, 2.0]
    statuses = [c.response.get("code") for c in fake_feishu.snapshot() if "contact" in c.path]
    assert statuses.count(99991400) == 2


def test_cli_command(sync_ctx, fake_feishu, monkeypatch):
    fake_feishu.directory.departments, fake_feishu.directory.users = directory()
    for k, v in {
        "LIUMAI_DATABASE_URL": sync_ctx.settings.database_url,
        "FEISHU_APP_ID": APP_ID,
        "FEISHU_APP_SECRET": APP_SECRET,
        "FEISHU_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
        "FEISHU_ENCRYPT_KEY": ENCRYPT_KEY,
        "FEISHU_DOMAIN": fake_feishu.url,
    }.items():
        monkeypatch.setenv(k, v)
    cli = typer.Typer()
    cli.command("sync-feishu")(org_sync_feishu)
    cli.command("noop")(lambda: None)  # a group, so the command is addressed by name as in `liumai org`
    runner = CliRunner()
    result = runner.invoke(cli, ["sync-feishu", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["users"] == 8 and len(data["created"]) == 8
    result = runner.invoke(cli, ["sync-feishu"])
    assert result.exit_code == 0, result.output
    assert "unchanged: 8" in result.stdout
    monkeypatch.delenv("FEISHU_APP_SECRET")
    result = runner.invoke(cli, ["sync-feishu"])
    assert result.exit_code == 2 and "FEISHU_APP_SECRET" in result.output

"""Org chart import: row/column errors, cycles, re-import updates, deactivation."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from liumai.services.org import OrgImportError, import_org, parse_org_csv, set_team
from liumai.storage.models import AuditLog, Person, Team
from tests.conftest import ORG_CSV

HEADER = "email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale\n"


def people(engine) -> dict[str, Person]:
    with Session(engine) as s:
        return {p.email: p for p in s.exec(select(Person)).all()}


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_import_creates_people_teams_and_manager_chain(ctx):
    report = import_org(ctx, ORG_CSV)
    assert len(report.created) == 8 and report.deactivated == []
    assert sorted(report.teams_created) == ["alpha", "beta", "lead", "people"]
    p = people(ctx.engine)
    assert p["ann@example.com"].manager_id == p["mgr@example.com"].id
    assert p["mgr@example.com"].manager_id == p["boss@example.com"].id
    assert p["hr@example.com"].is_admin and not p["ann@example.com"].is_admin
    assert p["wang@example.com"].display_name == "王芳" and p["wang@example.com"].locale == "zh-CN"
    assert p["ann@example.com"].slack_user_id == "U0ANN" and p["ann@example.com"].feishu_open_id == "ou_ann"


def test_reimport_updates_never_duplicates_and_deactivates_missing(ctx):
    import_org(ctx, ORG_CSV)
    again = import_org(ctx, ORG_CSV)
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 8
    audit_rows = count(ctx.engine, AuditLog)
    import_org(ctx, ORG_CSV)
    assert count(ctx.engine, AuditLog) == audit_rows  # an unchanged import writes nothing

    changed = ORG_CSV.replace("Bob,alpha,mgr@example.com", "Robert,beta,mgr2@example.com")
    changed = "\n".join(line for line in changed.splitlines() if not line.startswith("cat@"))
    report = import_org(ctx, changed)
    assert report.updated == ["bob@example.com"]
    assert report.deactivated == ["cat@example.com"]
    assert count(ctx.engine, Person) == 8  # nobody deleted
    p = people(ctx.engine)
    assert p["bob@example.com"].display_name == "Robert"
    assert p["bob@example.com"].manager_id == p["mgr2@example.com"].id
    assert not p["cat@example.com"].active

    back = import_org(ctx, ORG_CSV)
    assert back.reactivated == ["cat@example.com"]
    assert people(ctx.engine)["cat@example.com"].active


def test_errors_name_line_and_column_and_nothing_is_written(ctx):
    bad = HEADER + (
        "ann@example.com,Ann,alpha,,U0ANN,,false,en-US\n"
        "not-an-email,X,alpha,,,,false,en-US\n"
        "bob@example.com,,alpha,ghost@example.com,u-bad,ou_bob,perhaps,fr-FR\n"
        "ann@example.com,Ann again,alpha,,U0ANN,,false,en-US\n"
    )
    with pytest.raises(OrgImportError) as exc:
        import_org(ctx, bad)
    probs = exc.value.problems
    assert "line 3, column email: 'not-an-email' is not an e-mail address" in probs
    assert "line 4, column name: required" in probs
    assert "line 4, column is_admin: 'perhaps' is not true/false" in probs
    assert "line 4, column locale: 'fr-FR' is not a supported locale (zh-CN, en-US, ...)" in probs
    assert any(p.startswith("line 4, column slack_user_id:") for p in probs)
    assert "line 5, column email: 'ann@example.com' already used on line 2" in probs
    assert "line 5, column slack_user_id: 'U0ANN' already used on line 2" in probs
    assert "line 4, column manager_email: 'ghost@example.com' is not a person in this file" in probs
    assert count(ctx.engine, Person) == 0 and count(ctx.engine, Team) == 0


def test_manager_cycle_is_refused(ctx):
    cyc = HEADER + (
        "a@x.io,A,t,c@x.io,,,false,en\n"
        "b@x.io,B,t,a@x.io,,,false,en\n"
        "c@x.io,C,t,b@x.io,,,false,en\n"
        "d@x.io,D,t,d@x.io,,,false,en\n"
    )
    with pytest.raises(OrgImportError) as exc:
        import_org(ctx, cyc)
    probs = exc.value.problems
    assert any("the manager chain is a cycle: a@x.io -> c@x.io -> b@x.io -> a@x.io" in p for p in probs)
    assert "line 5, column manager_email: a person cannot be their own manager" in probs
    assert count(ctx.engine, Person) == 0


def test_header_problems():
    with pytest.raises(OrgImportError) as exc:
        parse_org_csv("mail,name,tem\nx@y.z,X,a\n")
    assert "line 1: missing column 'email'" in exc.value.problems
    assert any(p.startswith("line 1: unknown column 'tem'") for p in exc.value.problems)
    with pytest.raises(OrgImportError, match="empty"):
        parse_org_csv("")


def test_platform_id_moves_to_a_new_holder(ctx):
    import_org(ctx, ORG_CSV)
    # Ann leaves; a new hire's Slack account reuses her id (a re-provisioned account).
    moved = ORG_CSV.replace(
        "ann@example.com,Ann,alpha,mgr@example.com,U0ANN,ou_ann",
        "ann2@example.com,Ann N,alpha,mgr@example.com,U0ANN,ou_ann2",
    )
    report = import_org(ctx, moved)
    assert report.created == ["ann2@example.com"] and report.deactivated == ["ann@example.com"]
    p = people(ctx.engine)
    assert p["ann2@example.com"].slack_user_id == "U0ANN" and p["ann@example.com"].slack_user_id is None


def test_team_digest_channels_from_csv_columns_and_command(ctx):
    csv_text = HEADER.strip() + ",team_name_zh,team_slack_channel\na@x.io,A,alpha,,,,false,en,阿尔法,C0ALPHA\n"
    import_org(ctx, csv_text)
    team = set_team(ctx, "alpha", name_en="Alpha", feishu_chat_id="oc_alpha")
    assert (team.name_zh, team.name_en, team.slack_channel_id, team.feishu_chat_id) == (
        "阿尔法",
        "Alpha",
        "C0ALPHA",
        "oc_alpha",
    )
    from liumai.services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a Slack channel id"):
        set_team(ctx, "alpha", slack_channel_id="#general")

"""Org questions adapters ask: which teams exist, who reads what, which team a manager means."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from liumai.services.errors import NotFound
from liumai.services.org import TeamView, find_team, managed_team, set_team, stored_people, team_keys, team_locales
from liumai.storage.models import Person


def _edit(ctx, email: str, **fields) -> None:
    with Session(ctx.engine) as s:
        p = s.exec(select(Person).where(Person.email == email)).one()
        for k, v in fields.items():
            setattr(p, k, v)
        s.add(p)
        s.commit()


def test_team_keys_are_sorted(org, ctx):
    assert team_keys(org) == ["alpha", "beta", "lead", "people"]


def test_team_keys_of_an_empty_org(ctx):
    assert team_keys(ctx) == []


def test_team_locales_are_the_active_members(org):
    assert sorted(team_locales(org, "alpha")) == ["en-US", "en-US", "zh-CN", "zh-CN"]
    assert team_locales(org, "beta") == ["en-US", "en-US"]
    assert team_locales(org, "nosuchteam") == []
    _edit(org, "wang@example.com", active=False)
    assert sorted(team_locales(org, "alpha")) == ["en-US", "en-US", "zh-CN"]


def test_managed_team_is_the_one_team_a_manager_means(org):
    assert managed_team(org, "mgr@example.com") == "alpha"  # own team, where the reports are
    assert managed_team(org, "feishu:ou_mgr2") == "beta"
    assert managed_team(org, "ann@example.com") == "alpha"  # no reports: their own team
    assert managed_team(org, "boss@example.com") is None  # reports in three other teams: ambiguous
    _edit(org, "mgr@example.com", team_id=None)
    assert managed_team(org, "mgr@example.com") == "alpha"  # no team of their own: the reports' one
    with pytest.raises(NotFound):
        managed_team(org, "nobody@example.com")


def test_stored_people_include_the_inactive_with_their_team_key(org):
    _edit(org, "cat@example.com", active=False)
    people = {p.email: p for p in stored_people(org)}
    assert len(people) == 8 and "cat@example.com" in people
    wang = people["wang@example.com"]
    assert (wang.feishu_open_id, wang.slack_user_id, wang.locale, wang.team, wang.is_admin) == (
        "ou_wang",
        "U0WANG",
        "zh-CN",
        "alpha",
        False,
    )
    assert people["hr@example.com"].is_admin and people["hr@example.com"].team == "people"
    _edit(org, "boss@example.com", team_id=None)
    assert {p.email: p.team for p in stored_people(org)}["boss@example.com"] is None


def test_find_team_is_an_exact_key_match_with_its_channels(org):
    assert find_team(org, "alpha") == TeamView("alpha", "alpha", "alpha", None, None)  # imported without names
    set_team(org, "beta", name_en="Beta", slack_channel_id="C0BETA", feishu_chat_id="oc_beta")
    beta = find_team(org, "beta")
    assert beta is not None
    assert (beta.key, beta.name_en, beta.slack_channel_id, beta.feishu_chat_id) == ("beta", "Beta", "C0BETA", "oc_beta")
    assert find_team(org, "nosuchteam") is None
    assert find_team(org, "Alpha") is None  # adapters lower-case what users type; the key is matched as given
    assert find_team(org, "") is None

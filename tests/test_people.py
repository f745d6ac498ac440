"""People use cases adapters call: profiles, "do you manage anyone", and the person picker's order."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from liumai.services import deliveries
from liumai.services.errors import NotFound
from liumai.services.people import has_direct_reports, nearest_colleagues, require_profile
from liumai.services.recognition import is_manager
from liumai.storage.models import Person, Team


def _edit(ctx, email: str, **fields) -> None:
    with Session(ctx.engine) as s:
        p = s.exec(select(Person).where(Person.email == email)).one()
        for k, v in fields.items():
            setattr(p, k, v)
        s.add(p)
        s.commit()


def _team_id(ctx, key: str) -> int:
    with Session(ctx.engine) as s:
        return s.exec(select(Team.id).where(Team.key == key)).one()


def test_require_profile_is_an_active_person_or_the_usual_refusal(org):
    p = require_profile(org, "feishu:ou_wang")
    assert (p.email, p.display_name, p.locale, p.feishu_open_id, p.slack_user_id) == (
        "wang@example.com",
        "王芳",
        "zh-CN",
        "ou_wang",
        "U0WANG",
    )
    assert require_profile(org, p.id) == p == deliveries.profile(org, "wang@example.com")
    with pytest.raises(NotFound):
        require_profile(org, "feishu:ou_nobody")
    _edit(org, "wang@example.com", active=False)
    with pytest.raises(NotFound):
        require_profile(org, "feishu:ou_wang")
    assert deliveries.profile(org, "feishu:ou_wang").active is False  # the lenient lookup still finds them


def test_has_direct_reports_leaves_admin_rights_aside(org):
    assert has_direct_reports(org, "mgr@example.com") and has_direct_reports(org, "slack:U0BOSS")
    assert not has_direct_reports(org, "ann@example.com")
    assert not has_direct_reports(org, "hr@example.com") and is_manager(org, "hr@example.com")  # admin only
    _edit(org, "cat@example.com", active=False)
    assert not has_direct_reports(org, "mgr2@example.com")  # a deactivated report does not count
    with pytest.raises(NotFound):
        has_direct_reports(org, "nobody@example.com")


def test_nearest_colleagues_are_everyone_by_name_when_they_fit(org):
    names = [p.display_name for p in nearest_colleagues(org, "feishu:ou_ann", platform="feishu", limit=7)]
    assert names == ["Bob", "Boss Chen", "Cat", "HR Admin", "Manager Li", "Manager Two", "王芳"]
    assert nearest_colleagues(org, "feishu:ou_nobody", platform="feishu", limit=7) == []


def test_nearest_colleagues_put_manager_reports_peers_and_team_first(org):
    near = nearest_colleagues(org, "feishu:ou_ann", platform="feishu", limit=3)
    assert [p.feishu_open_id for p in near] == ["ou_mgr", "ou_bob", "ou_wang"]  # manager, then peers
    _edit(org, "hr@example.com", team_id=_team_id(org, "alpha"))  # same team, other manager
    near = nearest_colleagues(org, "ann@example.com", platform="feishu", limit=4)
    assert [p.email for p in near] == ["mgr@example.com", "bob@example.com", "wang@example.com", "hr@example.com"]
    near = nearest_colleagues(org, "mgr@example.com", platform="feishu", limit=4)  # reports and manager alike
    assert [p.display_name for p in near] == ["Ann", "Bob", "Boss Chen", "王芳"]


def test_nearest_colleagues_are_active_and_on_the_platform(org):
    _edit(org, "bob@example.com", feishu_open_id=None)
    _edit(org, "wang@example.com", active=False)
    on_feishu = {p.email for p in nearest_colleagues(org, "ann@example.com", platform="feishu", limit=50)}
    on_slack = {p.email for p in nearest_colleagues(org, "ann@example.com", platform="slack", limit=50)}
    assert "bob@example.com" not in on_feishu and "bob@example.com" in on_slack
    assert "wang@example.com" not in on_feishu | on_slack and "ann@example.com" not in on_feishu | on_slack
    assert len(on_feishu) == 5 and len(on_slack) == 6
    with pytest.raises(ValueError):
        nearest_colleagues(org, "ann@example.com", platform="teams", limit=5)

"""Weekly digests to a team's Feishu group: the DigestPoster through `post_digest`, crash recovery
beyond Feishu's one-hour uuid memory, the team language, and `/values digest`."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import select

from liumai.feishu.digest import FeishuDigestPoster, marker, team_lang
from liumai.services import digest as dg
from liumai.services import nominations as nom
from liumai.services.org import set_team
from liumai.storage.db import session_scope
from liumai.storage.models import DigestRun
from tests.feishu.driver import converse

WEEK = "2026-W47"  # the fixed clock's week
ALPHA_CHAT = "oc_alpha_values"
BETA_CHAT = "oc_beta_values"
STORY = "Ann walked the whole team through the new incident process and answered every question."


@pytest.fixture
def teams(app):
    set_team(app.ctx, "alpha", feishu_chat_id=ALPHA_CHAT, name_zh="阿尔法", name_en="Alpha")
    set_team(app.ctx, "beta", feishu_chat_id=BETA_CHAT)
    r = nom.nominate(app.ctx, "bob@example.com", "ann@example.com", STORY)
    nom.confirm(app.ctx, r.nomination.id, "bob@example.com", "teamwork.3")
    return app


def chat_cards(app, chat: str) -> list:
    return [c for c in app.fake.sent(chat) if c.body["msg_type"] == "interactive"]


def runs(app) -> list[tuple[str, str]]:
    with session_scope(app.ctx.engine) as s:
        return [(r.week, r.status) for r in s.exec(select(DigestRun)).all()]


class CrashAfterSend:
    """The Feishu poster, with the process 'dying' right after the message went out."""

    def __init__(self, inner: FeishuDigestPoster) -> None:
        self.inner, self.platform = inner, inner.platform
        self.target, self.already_posted = inner.target, inner.already_posted

    def post(self, target, digest):
        self.inner.post(target, digest)
        raise ConnectionError("killed between sending and recording")


def test_a_digest_is_posted_once_in_chinese_with_its_marker(teams):
    app = teams
    poster = app.integration.digest_poster()
    assert poster.platform == "feishu"
    out = dg.post_digest(app.ctx, "alpha", WEEK, [poster])
    assert out.status == "posted" and out.posted["feishu"].startswith("om_fake_")
    [card] = chat_cards(app, ALPHA_CHAT)
    assert card.query["receive_id_type"] == "chat_id" and card.body.get("uuid")
    assert card.content["header"]["title"]["content"] == f"价值观周报 · 阿尔法 · {WEEK}"
    assert "Ann" in card.text and STORY[:30] in card.text
    assert marker(dg.build_digest(app.ctx, "alpha", WEEK)) in card.text
    again = dg.post_digest(app.ctx, "alpha", WEEK, [poster])
    assert again.status == "already_posted"
    assert len(chat_cards(app, ALPHA_CHAT)) == 1 and runs(app) == [(WEEK, "posted")]


def test_a_crash_between_send_and_record_does_not_post_twice_even_hours_later(teams):
    app = teams
    poster = app.integration.digest_poster()
    crashed = dg.post_digest(app.ctx, "alpha", WEEK, [CrashAfterSend(poster)])
    assert crashed.status == "failed" and len(chat_cards(app, ALPHA_CHAT)) == 1
    assert runs(app) == [(WEEK, "claimed")]
    # Hours later: the claim's lease has expired and Feishu has forgotten the send's uuid.
    app.ctx.clock.now += timedelta(hours=3)
    app.fake.forget_uuids()
    app.fake.add_chat_message(ALPHA_CHAT, "morning all")  # the group moved on meanwhile
    mark = app.fake.mark()
    out = dg.post_digest(app.ctx, "alpha", WEEK, [poster])
    assert out.status == "posted" and out.posted == {"feishu": "existing"}
    assert len(chat_cards(app, ALPHA_CHAT)) == 1 and runs(app) == [(WEEK, "posted")]
    [listing] = [c for c in app.fake.snapshot()[mark:] if c.method == "GET"]
    assert listing.query["container_id_type"] == "chat" and listing.query["container_id"] == ALPHA_CHAT
    assert listing.query["sort_type"] == "ByCreateTimeDesc" and int(listing.query["start_time"]) > 0


def test_the_history_scan_pages_and_trusts_only_our_own_cards(teams):
    app = teams
    poster = app.integration.digest_poster()
    digest = dg.build_digest(app.ctx, "alpha", WEEK)
    # Someone quoting the marker is not a digest; neither is another week's digest.
    app.fake.add_chat_message(ALPHA_CHAT, f"look: {marker(digest)}")
    other_week = dg.build_digest(app.ctx, "alpha", "2026-W46")
    poster.post(ALPHA_CHAT, other_week)
    assert not poster.already_posted(ALPHA_CHAT, digest)
    poster.post(ALPHA_CHAT, digest)
    for i in range(120):  # three pages of chatter after it
        app.fake.add_chat_message(ALPHA_CHAT, f"chatter {i}")
    assert poster.already_posted(ALPHA_CHAT, digest)
    pages = [c for c in app.fake.snapshot() if c.method == "GET" and c.query.get("page_token")]
    assert len(pages) >= 2


def test_without_permission_to_read_the_group_the_uuid_still_guards_a_quick_retry(teams, caplog):
    app = teams
    poster = app.integration.digest_poster()
    app.fake.fail_next("/im/v1/messages", 400, {"code": 230027, "msg": "Lack of necessary permissions"}, times=5)
    # fail_next matches POSTs too: keep the sends clear of it by listing first.
    digest = dg.build_digest(app.ctx, "alpha", WEEK)
    with caplog.at_level(logging.WARNING, logger="liumai.feishu.digest"):
        assert poster.already_posted(ALPHA_CHAT, digest) is False
    assert "im:message.group_msg" in caplog.text
    app.fake.reset()
    first = poster.post(ALPHA_CHAT, digest)
    second = poster.post(ALPHA_CHAT, digest)  # a retry within the hour
    assert first == second and len(chat_cards(app, ALPHA_CHAT)) == 1


def test_the_team_language_is_chinese_unless_everyone_reads_english(teams):
    app = teams
    assert team_lang(app.ctx, "alpha") == "zh"  # Ann and Bob read English, 王芳 and Li Chinese
    assert team_lang(app.ctx, "beta") == "en"
    assert team_lang(app.ctx, "nosuchteam") == "zh"
    out = dg.post_digest(app.ctx, "beta", WEEK, [app.integration.digest_poster()])
    assert out.status == "posted"
    [card] = chat_cards(app, BETA_CHAT)
    assert card.content["header"]["title"]["content"].startswith("Values digest · beta")


def test_post_all_posts_every_team_with_a_group(teams):
    app = teams
    outcomes = dg.post_all(app.ctx, WEEK, [app.integration.digest_poster()], spacer=dg.Spacer(spacing=0))
    status = {o.team: o.status for o in outcomes}
    assert status["alpha"] == status["beta"] == "posted"
    assert status["lead"] == "no_target"


def test_digest_command_posts_last_weeks_digest_for_the_managers_team(teams):
    """Posting defaults to last week (what Monday's schedule posts), never using up this week's slot."""
    from datetime import timedelta

    app = teams
    app.ctx.clock.now += timedelta(days=7)  # the Monday after WEEK: WEEK is "last week"
    reply = converse(app, "ou_mgr", "/values digest")
    assert reply[0].text == f"已将 alpha 的 {WEEK} 价值观周报发布到团队的飞书群。"
    assert len(chat_cards(app, ALPHA_CHAT)) == 1
    reply = converse(app, "ou_hr", f"/values digest alpha {WEEK}")
    assert (
        reply[0].text == f"alpha's digest for {WEEK} was already posted (one per team and week in each Feishu group)."
    )
    assert len(chat_cards(app, ALPHA_CHAT)) == 1 and runs(app) == [(WEEK, "posted")]


def test_digest_preview_goes_only_to_the_requester(teams):
    app = teams
    replies = converse(app, "ou_mgr", "/values digest alpha preview")
    [card] = replies
    assert card.receive_id == "ou_mgr" and card.content["header"]["title"]["content"].startswith("价值观周报")
    assert "仅为预览，尚未发布" in card.text
    replies = converse(app, "ou_hr", "/values digest beta 预览 2026-W46")
    assert "Preview only" in replies[0].text and "2026-W46" in replies[0].text
    assert app.fake.sent(ALPHA_CHAT) == [] and app.fake.sent(BETA_CHAT) == [] and runs(app) == []


def test_digest_command_is_refused_to_others_and_explains_a_missing_group(teams):
    app = teams
    reply = converse(app, "ou_bob", "/values digest alpha")
    assert reply[0].text == "Only Alpha's managers (or an admin) can do that."
    reply = converse(app, "ou_mgr2", "/values digest alpha preview")
    assert reply[0].text.startswith("Only Alpha's managers")
    reply = converse(app, "ou_bob", "/values digest")  # Bob manages nobody in his team
    assert reply[0].text.startswith("Only Alpha's managers")
    assert app.fake.sent(ALPHA_CHAT) == [] and runs(app) == []
    reply = converse(app, "ou_hr", "/values digest lead")
    assert reply[0].text.startswith("Team lead has no Feishu group for its digest.")
    reply = converse(app, "ou_hr", "/values digest")  # HR's own team, "people", has no group either
    assert "has no Feishu group" in reply[0].text

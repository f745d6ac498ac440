"""Commands and cards end to end: nominate, confirm, review, concern, my recognition, the menu form.

Everything goes over real HTTP (encrypted, signed callbacks into the app; replies to the fake open
platform), in Chinese for zh-CN people and English for en-US people.
"""

from __future__ import annotations

import time

from sqlmodel import select

from liumai.storage.db import session_scope
from liumai.storage.models import Evidence, Nomination
from tests.feishu.driver import FeishuDriver, card_values
from tests.feishu.helpers import card_action, menu_event, message_event

STORY_EN = (
    "Bob proactively shared his business knowledge and experience with the new hires "
    "and helped colleagues without being asked."
)
STORY_ZH = "安主动分享业务知识和经验，主动帮助同事解决问题。"


def evidence(ctx) -> list[Evidence]:
    with session_scope(ctx.engine) as s:
        return list(s.exec(select(Evidence).order_by(Evidence.id)).all())


def nominate(app, sender: str, nominee: str, name: str, story: str):
    app.idle()
    mark = app.fake.mark()
    r = app.client.post(message_event(sender, f"/nominate @_user_1 {story}", [("@_user_1", nominee, name)]))
    assert r.status_code == 200
    card = app.fake.wait_message(sender, after=mark)
    nomination_id = next(v["n"] for v in card_values(card.content) if "n" in v)
    return card, nomination_id


def test_english_nominator_gets_english_suggestions_and_confirms(app):
    card, n = nominate(app, "ou_ann", "ou_bob", "Bob", STORY_EN)
    assert card.content["header"]["title"]["content"] == "Nomination for Bob"
    assert "Confirm teamwork.3" in card.text
    selects = [v for v in card_values(card.content) if v == {"a": "confirm", "n": n}]
    assert selects, "a select of all behaviours"
    options = [
        o["value"] for el in card.content["body"]["elements"] if el["tag"] == "select_static" for o in el["options"]
    ]
    assert len(options) == 30 and options[0] == "customer_first.1"

    started = time.monotonic()
    r = app.client.card(card_action("ou_ann", {"a": "confirm", "n": n, "c": "teamwork.3"}))
    assert time.monotonic() - started < 3.0
    body = r.json()
    assert body["toast"] == {"type": "success", "content": "Confirmed: teamwork.3"}
    assert (
        body["card"]["type"] == "raw" and body["card"]["data"]["header"]["title"]["content"] == "Nomination confirmed"
    )
    [e] = evidence(app.ctx)
    assert (e.criterion, e.status, e.polarity) == ("teamwork.3", "pending", "conforming")
    # The nominee hears about it, in their language.
    note = app.fake.wait_message("ou_bob", "recognised you")
    assert "Ann" in note.text and "teamwork.3" in note.text


def test_chinese_nominator_gets_chinese_cards(app):
    card, n = nominate(app, "ou_wang", "ou_ann", "Ann", STORY_ZH)
    assert card.content["header"]["title"]["content"] == "提名 Ann"
    assert "确认 teamwork.3" in card.text and "团队合作" in card.text
    r = app.client.card(card_action("ou_wang", {"a": "confirm", "n": n}, option="teamwork.2"))
    body = r.json()
    assert body["toast"]["content"] == "已确认：teamwork.2"
    assert "等待主管审核" in json_text(body["card"]["data"])
    assert evidence(app.ctx)[0].criterion == "teamwork.2"  # picked from the list, not a suggestion


def json_text(obj) -> str:
    from tests.fakes.feishu_api import _strings

    return _strings(obj)


def test_only_the_nominator_can_confirm(app):
    _, n = nominate(app, "ou_ann", "ou_bob", "Bob", STORY_EN)
    r = app.client.card(card_action("ou_cat", {"a": "confirm", "n": n, "c": "teamwork.3"}))
    body = r.json()
    assert body["toast"]["type"] == "error"
    assert body["toast"]["content"] == "Only the person who wrote this nomination can confirm it."
    assert "card" not in body  # the card stays as it was
    r = app.client.card(card_action("ou_mgr", {"a": "confirm", "n": n, "c": "teamwork.3"}))
    assert r.json()["toast"]["content"] == "只有提名人本人可以确认这条提名。"  # the manager reads Chinese
    assert evidence(app.ctx) == []


def test_double_click_is_idempotent_and_cancel_after_confirm_is_refused(app):
    _, n = nominate(app, "ou_ann", "ou_bob", "Bob", STORY_EN)
    for _ in range(2):
        assert (
            app.client.card(card_action("ou_ann", {"a": "confirm", "n": n, "c": "teamwork.3"})).json()["toast"]["type"]
            == "success"
        )
    assert len(evidence(app.ctx)) == 1
    r = app.client.card(card_action("ou_ann", {"a": "cancel", "n": n})).json()
    assert r["toast"]["type"] == "error" and "already confirmed" in r["toast"]["content"]
    app.idle()
    assert len(app.fake.sent("ou_bob")) == 1  # one notification, however many clicks


def test_cancel_a_nomination(app):
    _, n = nominate(app, "ou_ann", "ou_bob", "Bob", STORY_EN)
    body = app.client.card(card_action("ou_ann", {"a": "cancel", "n": n})).json()
    assert body["toast"]["content"] == "Cancelled"
    assert body["card"]["data"]["header"]["title"]["content"] == "Nomination cancelled"
    with session_scope(app.ctx.engine) as s:
        assert s.get(Nomination, n).status == "cancelled"


def test_manager_reviews_accepts_rejects_and_retags(app):
    d = FeishuDriver(app)
    ids = []
    for who, story in (
        ("ann@example.com", STORY_EN),
        ("wang@example.com", STORY_ZH),
        ("ann@example.com", STORY_EN + " Again."),
    ):
        nominee = "bob@example.com" if who == "ann@example.com" else "ann@example.com"
        n = d.nominate(who, nominee, story)
        d.confirm(who, n, "teamwork.3")
        ids.append(n)
    mark = app.fake.mark()
    app.client.post(message_event("ou_mgr", "/values review"))
    card = app.fake.wait_message("ou_mgr", after=mark)
    assert card.content["header"]["title"]["content"] == "待审核事例（3）"
    pending = sorted({v["e"] for v in card_values(card.content) if "e" in v})
    assert len(pending) == 3
    first, second, third = pending

    body = app.client.card(card_action("ou_mgr", {"a": "accept", "e": first})).json()
    assert body["toast"]["content"] == f"已接受 #{first}"
    assert body["card"]["data"]["header"]["title"]["content"] == "待审核事例（2）"
    body = app.client.card(card_action("ou_mgr", {"a": "reject", "e": second})).json()
    assert body["toast"]["content"] == f"已驳回 #{second}"
    body = app.client.card(card_action("ou_mgr", {"a": "retag", "e": third}, option="teamwork.4")).json()
    assert "teamwork.4" in body["toast"]["content"]
    assert body["card"]["data"]["header"]["title"]["content"] == "待审核事例（0）"
    status = {e.id: (e.status, e.criterion) for e in evidence(app.ctx)}
    assert status[first] == ("accepted", "teamwork.3")
    assert status[second] == ("rejected", "teamwork.3")
    assert status[third] == ("accepted", "teamwork.4")


def test_only_a_manager_can_decide_evidence(app):
    d = FeishuDriver(app)
    n = d.nominate("ann@example.com", "bob@example.com", STORY_EN)
    d.confirm("ann@example.com", n, "teamwork.3")
    [e] = evidence(app.ctx)
    for outsider in ("ou_cat", "ou_mgr2", "ou_bob"):  # a peer, another team's manager, the subject
        body = app.client.card(card_action(outsider, {"a": "accept", "e": e.id})).json()
        assert body["toast"]["type"] == "error" and "card" not in body
    assert (
        "Only Bob's managers"
        in app.client.card(card_action("ou_cat", {"a": "reject", "e": e.id})).json()["toast"]["content"]
    )
    assert evidence(app.ctx)[0].status == "pending"
    # An indirect manager (boss) and the admin (hr) may.
    assert app.client.card(card_action("ou_boss", {"a": "accept", "e": e.id})).json()["toast"]["type"] == "success"
    assert evidence(app.ctx)[0].status == "accepted"


def test_review_command_refuses_non_managers(app):
    app.client.post(message_event("ou_bob", "/values review"))
    reply = app.fake.wait_message("ou_bob")
    assert reply.text == "Only managers (and admins) review evidence."


def test_concern_by_a_manager_is_private_and_accepted(app):
    mentions = [("@_user_1", "ou_wang", "王芳")]
    app.client.post(message_event("ou_mgr", "/values concern @_user_1 integrity.2 情有可原 周报数据不准确", mentions))
    reply = app.fake.wait_message("ou_mgr")
    assert "已为 王芳 私下记录关注事项" in reply.text and "情有可原" in reply.text
    [e] = evidence(app.ctx)
    assert (e.polarity, e.status, e.mitigated, e.criterion) == ("non_conforming", "accepted", True, "integrity.2")
    app.idle()
    assert app.fake.sent("ou_wang") == []  # concerns never notify the person


def test_concern_by_a_peer_is_refused(app):
    app.client.post(
        message_event("ou_ann", "/values concern @_user_1 integrity.2 late", [("@_user_1", "ou_bob", "Bob")])
    )
    reply = app.fake.wait_message("ou_ann")
    assert reply.text == "Only Bob's managers (or an admin) can do that."
    assert evidence(app.ctx) == []


def test_concern_usage_when_the_behaviour_is_missing(app):
    app.client.post(message_event("ou_mgr", "/values concern @_user_1 没有说明行为", [("@_user_1", "ou_bob", "Bob")]))
    assert "用法" in app.fake.wait_message("ou_mgr").text


def test_my_recognition_and_the_overview(app):
    d = FeishuDriver(app)
    n = d.nominate("ann@example.com", "wang@example.com", STORY_EN)
    d.confirm("ann@example.com", n, "teamwork.3")
    app.client.post(message_event("ou_wang", "/values me"))
    card = app.fake.wait_message("ou_wang", "我的认可")
    assert "团队合作：1" in card.text and "来自 Ann" in card.text
    mark = app.fake.mark()
    app.client.post(message_event("ou_ann", "/values"))
    card = app.fake.wait_message("ou_ann", "My recognition", after=mark)
    assert "Teamwork: 0" in card.text and "/values me" in card.text
    mark = app.fake.mark()
    app.client.post(message_event("ou_mgr", "/values"))
    card = app.fake.wait_message("ou_mgr", after=mark)
    assert "1 条待审核" in card.text


def test_help_for_anything_else(app):
    app.client.post(message_event("ou_wang", "/whatever"))
    assert "/nominate @同事 故事" in app.fake.wait_message("ou_wang").text
    app.client.post(message_event("ou_ann", "hello there"))
    assert "/values concern" in app.fake.wait_message("ou_ann").text


def test_nominate_without_a_mention_explains_the_usage(app):
    app.client.post(message_event("ou_ann", "/nominate Bob did great"))
    assert app.fake.wait_message("ou_ann").text.startswith("Usage: /nominate @colleague")


def test_bot_menu_opens_the_form_and_the_form_nominates(app):
    app.client.post(menu_event("ou_wang", "nominate"))
    form = app.fake.wait_message("ou_wang", "提名同事")
    message_id = form.response["data"]["message_id"]
    [form_el] = [el for el in form.content["body"]["elements"] if el["tag"] == "form"]
    assert {el.get("name") for el in form_el["elements"]} >= {"nominee", "story", "submit"}
    [picker] = [el for el in form_el["elements"] if el["tag"] == "select_person"]
    offered = {o["value"] for o in picker["options"]}  # without options Feishu offers only the chat's members
    assert "ou_ann" in offered and "ou_cat" in offered and "ou_wang" not in offered and len(offered) == 7

    started = time.monotonic()
    r = app.client.card(
        card_action(
            "ou_wang",
            {"a": "nominate_form"},
            form_value={"nominee": "ou_ann", "story": STORY_ZH},
            message_id=message_id,
        )
    )
    assert time.monotonic() - started < 3.0
    body = r.json()
    assert body["toast"] == {"type": "success", "content": "已收到提名"}
    assert body["card"]["data"]["header"]["title"]["content"] == "正在分析故事…"
    # After the answer, the card is updated with the suggestions.
    patched = app.fake.wait_patch(message_id, "确认 teamwork.3")
    n = next(v["n"] for v in card_values(patched.content) if "n" in v)
    with session_scope(app.ctx.engine) as s:
        nomination = s.get(Nomination, n)
        assert nomination.source == "feishu" and nomination.status == "suggested"
    # Submitting the same form again does not create a second nomination.
    app.client.card(
        card_action(
            "ou_wang",
            {"a": "nominate_form"},
            form_value={"nominee": "ou_ann", "story": STORY_ZH},
            message_id=message_id,
        )
    )
    app.idle()
    with session_scope(app.ctx.engine) as s:
        assert len(s.exec(select(Nomination)).all()) == 1


def test_form_with_missing_fields_and_unknown_people(app):
    body = app.client.card(card_action("ou_ann", {"a": "nominate_form"}, form_value={"nominee": "ou_bob"})).json()
    assert body["toast"] == {"type": "error", "content": "Please pick a colleague and write the story."}
    body = app.client.card(
        card_action("ou_stranger", {"a": "nominate_form"}, form_value={"nominee": "ou_bob", "story": "x"})
    ).json()
    assert body["toast"]["type"] == "error" and "组织架构" in body["toast"]["content"]


def test_other_menu_keys(app):
    app.client.post(menu_event("ou_ann", "me"))
    assert "My recognition" in app.fake.wait_message("ou_ann").text
    app.client.post(menu_event("ou_stranger", "nominate"))
    assert "组织架构" in app.fake.wait_message("ou_stranger").text


def test_forged_or_stale_card_values_get_a_toast(app):
    for value in ({"a": "confirm"}, {"a": "accept", "e": "x"}, {"a": "teleport"}):
        body = app.client.card(card_action("ou_ann", value)).json()
        assert body["toast"]["type"] == "error"


def test_service_refusals_are_replied_in_the_senders_language(app):
    app.client.post(message_event("ou_wang", "/nominate @_user_1 我自己很棒", [("@_user_1", "ou_wang", "王芳")]))
    assert app.fake.wait_message("ou_wang").text == "不能提名自己：认可应来自同事。"
    app.client.post(message_event("ou_ann", "/nominate @_user_1", [("@_user_1", "ou_bob", "Bob")]))
    assert app.fake.wait_message("ou_ann").text == "The story is empty: describe what Bob did."


def test_large_orgs_offer_the_nearest_colleagues_in_the_form(app):
    ann = app.bot._sender("ou_ann")
    assert app.bot._candidates(ann, limit=3) == ["ou_mgr", "ou_bob", "ou_wang"]  # manager first, then peers
    assert len(app.bot._candidates(ann)) == 7

"""The message parser: placeholders and the mentions list, the bot's own mention, Chinese aliases."""

from __future__ import annotations

import json

from liumai.feishu.parsing import message_text, parse_message

BOT = "ou_bot"


def mentions(*items: tuple[str, str, str]) -> list[dict]:
    return [{"key": k, "id": {"open_id": oid, "union_id": "on_x", "user_id": "x"}, "name": n} for k, oid, n in items]


def text(t: str) -> str:
    return json.dumps({"text": t}, ensure_ascii=False)


def test_nominate_in_a_direct_chat():
    p = parse_message(
        "text", text("/nominate @_user_1 fixed the build for all of us"), mentions(("@_user_1", "ou_bob", "Bob"))
    )
    assert p.command is not None and p.command.name == "nominate"
    assert [m.open_id for m in p.command.mentions] == ["ou_bob"]
    assert p.command.text == "fixed the build for all of us"


def test_group_message_strips_the_bot_and_renders_other_mentions_as_names():
    ms = mentions(("@_user_1", BOT, "Liumai"), ("@_user_2", "ou_bob", "Bob"), ("@_user_3", "ou_cat", "Cat"))
    p = parse_message("text", text("@_user_1 /nominate @_user_2 helped @_user_3 ship on time"), ms, BOT)
    assert p.bot_mentioned
    assert p.command.mentions[0].open_id == "ou_bob"
    assert p.command.text == "helped @Cat ship on time"


def test_without_the_bots_open_id_a_leading_mention_is_the_bot():
    ms = mentions(("@_user_1", "ou_whatever", "Liumai"), ("@_user_2", "ou_bob", "Bob"))
    p = parse_message("text", text("@_user_1 /nominate @_user_2 story"), ms, None)
    assert p.bot_mentioned and p.command.mentions[0].open_id == "ou_bob"


def test_group_message_mentioning_someone_else_is_not_for_the_bot():
    p = parse_message("text", text("@_user_1 lunch?"), mentions(("@_user_1", "ou_bob", "Bob")), BOT)
    assert not p.bot_mentioned


def test_bot_mentioned_without_a_command():
    p = parse_message("text", text("@_user_1 hi"), mentions(("@_user_1", BOT, "Liumai")), BOT)
    assert p.bot_mentioned and p.command is None


def test_values_subcommands_and_chinese_aliases():
    assert parse_message("text", text("/values"), []).command.name == "values"
    assert parse_message("text", text("/values me"), []).command.name == "me"
    assert parse_message("text", text("/价值观 审核"), []).command.name == "review"
    assert parse_message("text", text("/values nonsense"), []).command.name == "help"
    assert parse_message("text", text("/unknown"), []).command.name == "help"
    assert parse_message("text", text("just chatting"), []).command is None
    assert (
        parse_message("text", text("/提名 @_user_1 故事"), mentions(("@_user_1", "ou_b", "B"))).command.name
        == "nominate"
    )


def test_concern_with_criterion_mitigation_and_note():
    p = parse_message(
        "text",
        text("/values concern @_user_1 integrity.2 mitigated missed the review twice"),
        mentions(("@_user_1", "ou_bob", "Bob")),
    )
    c = p.command
    assert (c.name, c.criterion, c.mitigated, c.text) == ("concern", "integrity.2", True, "missed the review twice")
    assert c.mentions[0].open_id == "ou_bob"
    c = parse_message(
        "text", text("/values concern @_user_1 没有按时交付"), mentions(("@_user_1", "ou_b", "B"))
    ).command
    assert c.criterion is None and c.text == "没有按时交付"


def test_post_messages_are_read_as_text():
    content = json.dumps(
        {
            "title": "",
            "content": [
                [{"tag": "text", "text": "/nominate "}, {"tag": "at", "user_id": "@_user_1", "user_name": "Bob"}],
                [{"tag": "text", "text": "stayed late"}],
            ],
        }
    )
    assert message_text("post", content) == "/nominate @_user_1\nstayed late"
    p = parse_message("post", content, mentions(("@_user_1", "ou_bob", "Bob")))
    assert p.command.name == "nominate" and p.command.text == "stayed late"


def test_multi_line_story_keeps_its_line_breaks():
    p = parse_message("text", text("/nominate @_user_1 first line\nsecond line"), mentions(("@_user_1", "ou_b", "B")))
    assert p.command.text == "first line\nsecond line"


def test_report_commands_take_mentions_and_words_in_any_order():
    ms = mentions(("@_user_1", "ou_ann", "Ann"), ("@_user_2", "ou_bob", "Bob"))
    c = parse_message("text", text("/values summary 2026Q4 @_user_1"), ms).command
    assert (c.name, [m.open_id for m in c.mentions], c.args) == ("summary", ["ou_ann"], ("2026Q4",))
    c = parse_message("text", text("/价值观 团队 alpha, all"), []).command
    assert (c.name, c.args) == ("team", ("alpha", "all"))
    c = parse_message("text", text("/values digest alpha 预览"), []).command
    assert (c.name, c.args) == ("digest", ("alpha", "预览"))
    c = parse_message("text", text("/values erase @_user_2 @_user_9"), ms).command
    assert [m.open_id for m in c.mentions] == ["ou_bob"] and c.args == ()  # unknown placeholders dropped
    assert parse_message("text", text("/values export"), []).command.name == "export"
    assert parse_message("text", text("/values evidence"), []).command.name == "evidence"


def test_words_lose_control_characters_and_ids_must_look_like_ids():
    c = parse_message("text", text("/values team al\x00pha\x1b"), []).command
    assert c.args == ("alpha",)
    bad = [{"key": "@_user_1", "id": {"open_id": "ou_\x00x"}, "name": "X"}]
    c = parse_message("text", text("/nominate @_user_1 story"), bad).command
    assert c.mentions[0].open_id is None  # treated as a mention of nobody known


def test_malformed_content_and_mentions_parse_as_no_command():
    for content in ("not json", "[1, 2]", '{"text": 5}', "[" * 5000, None, 7):
        p = parse_message("text", content, "not a list")
        assert p.command is None and p.raw_text == ""
    assert message_text("post", json.dumps({"content": [["x", {"tag": "text", "text": 5}]]})) == ""
    assert message_text("text", '{"text": "a \\ud800 b"}') == "a ? b"


def test_inert_defuses_what_a_text_message_would_render():
    from liumai.feishu.texts import inert

    out = inert('<at user_id="all"></at> @all **bold** ~~x~~ [a](javascript:alert(1))')
    assert "<at" not in out and "@all" not in out and "**" not in out and "~~" not in out and "](" not in out
    assert inert("Only Bob's managers (or an admin) can do that.") == "Only Bob's managers (or an admin) can do that."

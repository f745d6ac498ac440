"""Redaction of contact details and platform user ids before a story leaves the process."""

from __future__ import annotations

import pytest

from liumai.tagging.base import quote_in_story
from liumai.tagging.redact import redact


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("mail li.lei@example.com.cn now", "li.lei@example.com.cn", "EMAIL"),
        ("mail A.B+tag@sub.corp.io", "A.B+tag@sub.corp.io", "EMAIL"),
        ("手机13812345678联系", "13812345678", "PHONE"),
        ("call 138-1234-5678", "138-1234-5678", "PHONE"),
        ("call 138 1234 5678", "138 1234 5678", "PHONE"),
        ("call 86 13812345678", "86 13812345678", "PHONE"),
        ("call +86 138 1234 5678", "+86 138 1234 5678", "PHONE"),
        ("call +8613812345678.", "+8613812345678", "PHONE"),
        ("call +1 (555) 123-4567", "+1 (555) 123-4567", "PHONE"),
        ("call +44 20 7946 0958", "+44 20 7946 0958", "PHONE"),
        ("座机 010-12345678", "010-12345678", "PHONE"),
        ("座机 (021) 1234 5678", "(021) 1234 5678", "PHONE"),
        ("call (555) 123-4567", "(555) 123-4567", "PHONE"),
        ("call 555.123.4567", "555.123.4567", "PHONE"),
        ("thanks <@U0ANN>!", "<@U0ANN>", "USER"),
        ("thanks <@U0BOB|bob>!", "<@U0BOB|bob>", "USER"),
        ("thanks <@W012ABC>", "<@W012ABC>", "USER"),
        ("@_user_1 帮了大忙", "@_user_1", "USER"),
        ('谢谢<at user_id="ou_abc">王芳</at>', '<at user_id="ou_abc">王芳</at>', "USER"),
        ("id ou_0123456789abcdef0123 done", "ou_0123456789abcdef0123", "USER"),
    ],
)
def test_redacts(text, secret, kind):
    r = redact(text)
    assert secret not in r.text
    assert f"[{kind}_1]" in r.text
    assert r.mapping[f"[{kind}_1]"] == secret
    assert r.restore(r.text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Shipped on 2026-11-16, 30% faster, +5 points, order 12345, v1.2.3",
        "第3季度完成了120%的目标，2026年11月16日上线",
        "Ann fixed INC-20261116 in 15 minutes; latency down from 350 ms to 120 ms",
        "he said @Ann was great (not a platform mention)",
    ],
)
def test_leaves_ordinary_text_alone(text):
    r = redact(text)
    assert r.text == text and not r.changed


def test_same_value_same_placeholder_and_restore():
    text = "<@U1> mailed a@b.io, then <@U2> mailed a@b.io again and <@U1> replied"
    r = redact(text)
    assert r.text == "[USER_1] mailed [EMAIL_1], then [USER_2] mailed [EMAIL_1] again and [USER_1] replied"
    assert r.restore(r.text) == text


def test_restore_is_case_insensitive_for_placeholders():
    r = redact("ping <@U0ANN> please")
    assert r.restore("[user_1] please") == "<@U0ANN> please"


def test_literal_placeholder_in_story_is_not_clobbered():
    text = "The template says [EMAIL_1]; write to real@example.com"
    r = redact(text)
    assert "[EMAIL_1]" in r.text and "real@example.com" not in r.text
    assert "[EMAIL_1]" not in r.mapping
    assert r.restore(r.text) == text


def test_quote_check_works_through_redaction():
    story = "<@U0ANN> 在凌晨两点接了客户 13812345678 的电话，把退款问题当场解决了。"
    r = redact(story)
    quote = "[USER_1] 在凌晨两点接了客户 [PHONE_1] 的电话"  # what the LLM saw and copied
    assert quote_in_story(quote, r.text)
    restored = r.restore(quote)
    assert restored == "<@U0ANN> 在凌晨两点接了客户 13812345678 的电话"
    assert quote_in_story(restored, story)


def test_no_redaction_needed_is_identity():
    r = redact("王芳帮新同事搭好了环境")
    assert r.text == "王芳帮新同事搭好了环境" and r.mapping == {}
    assert r.restore("anything [USER_1]") == "anything [USER_1]"

"""Every text a tagger hands over fits its column: bounded after redaction placeholders are put
back, in characters (what PostgreSQL's varchar counts), Chinese and emoji included; quotes stay
words of the story. Also: database errors never carry parameters or contact details into logs.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, select

from liumai.services import nominations as nom
from liumai.services import tag_jobs
from liumai.services.uow import describe_failure
from liumai.storage.db import make_engine
from liumai.storage.models import Nomination, Person
from liumai.storage.models import Suggestion as SuggestionRow
from liumai.tagging.base import (
    MAX_QUOTE_CHARS,
    MAX_RATIONALE_CHARS,
    MAX_REASON_CHARS,
    Suggestion,
    Suggestions,
    fit_quote,
    fit_text,
    quote_in_story,
)
from liumai.tagging.llm import check_answer
from liumai.tagging.redact import redact

REASON_WIDTH = Nomination.__table__.c.abstain_reason.type.length
MODEL_WIDTH = SuggestionRow.__table__.c.model.type.length
ZH_STORY = "王芳在周末把退款积压全部处理完，" * 150 + "还联系了客户wang.fang@example.cn确认结果。"
EN_STORY = "Ann wrote to li.lei@example.com and then " + "fixed one more refund, " * 120 + "and closed the backlog."


def storable(text: str) -> None:
    text.encode("utf-8")  # raises on a lone surrogate
    assert "\x00" not in text


@pytest.mark.parametrize("story", [ZH_STORY, EN_STORY], ids=["zh", "en"])
def test_llm_texts_are_bounded_after_placeholders_are_restored(rubric, story):
    redaction = redact(story)
    (placeholder,) = redaction.mapping
    seen = redaction.text
    long_quote = seen[: MAX_QUOTE_CHARS + 600]
    answer = {
        "abstain": False,
        "reason": "",
        "suggestions": [
            {
                "criterion": "customer_first.2",
                "polarity": "conforming",
                "confidence": 0.9,
                "quote": long_quote,
                "rationale": (placeholder + " 很负责 ") * 80,
            }
        ],
    }
    checked = check_answer(
        answer, story=story, criterion_ids=rubric.criterion_ids, seen_story=seen, restore=redaction.restore
    )
    (item,) = checked.items
    assert len(item.rationale) <= MAX_RATIONALE_CHARS and item.rationale.endswith("…")
    assert redaction.mapping[placeholder] in item.rationale and placeholder not in item.rationale
    assert 0 < len(item.quote) <= MAX_QUOTE_CHARS and quote_in_story(item.quote, story)  # shortened, not cut
    storable(item.rationale)

    abstain = {"abstain": True, "reason": (placeholder + "，无法判断。\u0000\ud800") * 60, "suggestions": []}
    checked = check_answer(
        abstain, story=story, criterion_ids=rubric.criterion_ids, seen_story=seen, restore=redaction.restore
    )
    assert len(checked.abstain_reason) <= MAX_REASON_CHARS <= REASON_WIDTH
    assert redaction.mapping[placeholder] in checked.abstain_reason
    storable(checked.abstain_reason)


def test_fit_text_counts_characters_and_never_splits_one():
    assert fit_text("好" * 600, 500) == "好" * 499 + "…"
    assert len(fit_text("好" * 600, 500).encode()) > 500  # characters, not bytes, are bounded
    accents = "e\u0301" * 300  # é as e + combining acute: a cut never separates the two
    cut = fit_text(accents, 101)
    assert len(cut) <= 101 and cut.endswith("e\u0301…")
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji of five code points
    cut = fit_text("ab" + family * 10, 8)
    assert cut == "ab" + family + "…"
    assert fit_text("a\x00b\ud800c", 10) == "abc"
    assert fit_text(None, 10) == "" and fit_text("short", 10) == "short"


def test_fit_quote_keeps_quotes_words_of_the_story():
    story = "Ann fixed the refund backlog. " * 60
    quote = story[:1500]
    short = fit_quote(quote, story, 200)
    assert len(short) <= 200 and quote_in_story(short, story) and not short.endswith("backl")
    zh = "王芳把退款积压处理完。" * 200
    short = fit_quote(zh[:1500], zh, 300)
    assert len(short) == 300 and quote_in_story(short, zh)
    assert fit_quote("words that are not there", story) == ""
    assert fit_quote("  Ann fixed  ", story) == "Ann fixed"


def test_store_bounds_every_tagger_text_to_its_column(org):
    """The storage boundary bounds too: a cached answer can predate the taggers' bounds."""
    res = nom.nominate(org, "bob@example.com", "ann@example.com", ZH_STORY, tag=False)
    answer = Suggestions(
        items=(
            Suggestion("customer_first.2", "conforming", 0.9, ZH_STORY[:1800], "负责" * 600),
            Suggestion("teamwork.3", "conforming", 0.5, "\x00", ""),
        ),
        tagger="llm",
        rubric_version=org.rubric.version,
        model="模型" * 80,
    )
    rows = tag_jobs.store_suggestions(org, res.nomination.id, answer)
    assert len(rows) == 2
    first = rows[0]
    assert len(first.quote) <= MAX_QUOTE_CHARS and quote_in_story(first.quote, ZH_STORY)
    assert len(first.rationale) <= MAX_RATIONALE_CHARS and len(first.model) <= MODEL_WIDTH
    assert rows[1].quote == ""

    res = nom.nominate(org, "bob@example.com", "wang@example.com", EN_STORY, tag=False)
    abstain = Suggestions(items=(), tagger="llm", rubric_version=org.rubric.version, abstain_reason="理由" * 800)
    tag_jobs.store_suggestions(org, res.nomination.id, abstain)
    with Session(org.engine) as s:
        reason = s.get(Nomination, res.nomination.id).abstain_reason
    assert len(reason) <= REASON_WIDTH and reason.startswith("理由理由")


def test_engines_hide_parameters_and_failures_are_described_without_them(org, db_url):
    assert make_engine(db_url).hide_parameters
    with pytest.raises(IntegrityError) as caught, Session(org.engine) as s:
        s.add(Person(email="ann@example.com", display_name="Ann again"))
        s.commit()
    assert "SQL parameters hidden" in str(caught.value) and "[parameters:" not in str(caught.value)
    line = describe_failure(caught.value)
    assert line.startswith("IntegrityError (") and "ann@example.com" not in line and "\n" not in line
    with Session(org.engine) as s:
        assert len(s.exec(select(Person).where(Person.email == "ann@example.com")).all()) == 1

    dumped = DataError("INSERT ...", {"reason": "x@example.com"}, Exception("value too long\nDETAIL: x@example.com"))
    assert describe_failure(dumped) == "DataError (Exception): value too long"
    assert describe_failure(RuntimeError("mail ann@example.com or call 138-1234-5678")) == (
        "RuntimeError: mail [EMAIL_1] or call [PHONE_1]"
    )
    assert len(describe_failure(ValueError("x" * 5000))) <= 240

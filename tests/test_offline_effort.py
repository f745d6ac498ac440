"""The offline tagger on the stories a new user writes first (issue #12, item 5): effort and
overtime, short stories that name a concrete act, and quotes that are the clause it relied on.

Decision under test (written down next to the cue table in liumai/tagging/offline_acts.py): effort
and overtime are evidence of dedication.2 "今天的事不推到明天" - the rubric's own conforming case is
staying after the shift to finish work that was due - and giving up one's leave or time off is
evidence of passion.2 "不计较个人得失" (额外付出 for the whole). They are NOT evidence of dedication.3
(its key meaning: results, "而不是只强调付出了多少努力"), nor of passion.5 (raising one's goals).
The stories were written for these tests; none comes from the dev or held-out sets.
"""

from __future__ import annotations

import re

import pytest

from liumai.rubric import default_rubric
from liumai.rubric.loader import parse_rubric
from liumai.rubric.model import Rubric
from liumai.tagging.base import quote_in_story
from liumai.tagging.offline import OfflineConfig, OfflineTagger
from liumai.tagging.offline_acts import EFFORT_CUES, effort_cues, found_cues, names_concrete_act
from liumai.tagging.offline_text import clauses

TOO_SHORT = "too short to be evidence of a behaviour"  # the existing reason, unchanged

# (story, the top suggestion's behaviour, a word of the clause the quote must be)
STORIES = [
    # the two stories of the issue
    ("郭靖连续加班两周，保证项目按时上线。", "dedication.2", "按时"),
    ("She worked all weekend to ship the release on time.", "dedication.2", "weekend"),
    # other overtime and effort phrasings
    ("为了赶上周五的发布，王芳熬了三个通宵把支付接口调通了。", "dedication.2", "通宵"),
    ("小李周末加班把线上bug修完了。", "dedication.2", "加班"),
    ("双十一前一周，李雷每天加班到凌晨，把库存系统的压测全部跑完。", "dedication.2", "凌晨"),
    ("这个月杨帆几乎天天加班，硬是把积压的工单清零了。", "dedication.2", "加班"),
    ("项目上线前，刘洋连续一周加班到深夜，把遗留的缺陷全部关掉了。", "dedication.2", "深夜"),
    ("He stayed late every night this week to finish the migration before the deadline.", "dedication.2", "late"),
    ("Tom put in extra hours to get the demo ready for Monday.", "dedication.2", "extra hours"),
    ("Priya pulled an all-nighter to get the audit report out on time.", "dedication.2", "all-nighter"),
    ("Raj worked overtime all month so the launch hit its date.", "dedication.2", "overtime"),
    ("Sam burned the midnight oil to get the board deck out on schedule.", "dedication.2", "midnight"),
    ("Lena worked late three nights in a row so the customer's data was restored by Monday.", "dedication.2", "late"),
    # giving up one's own leave for the whole
    ("为了支援隔壁组的紧急项目，陈晨主动放弃了年假。", "passion.2", "支援"),
    ("Mia cancelled her vacation to help another team through their launch.", "passion.2", "vacation"),
    # short stories that name a concrete act (a verb with an object or a time phrase)
    ("小王连夜写好了回滚方案。", "dedication.2", "连夜"),
    ("Kim stayed late to close every ticket due today.", "dedication.2", "stayed late"),
    ("小周主动帮新同事搭好了开发环境。", "teamwork.3", "帮"),
    ("她把排障经验整理成文档分享给了全组。", "teamwork.3", "分享"),
    ("She wrote a checklist so the same mistake never happens again.", "dedication.1", "mistake"),
    ("He stayed calm with the angry customer and fixed the refund.", "customer_first.2", "calm"),
]

# Vague praise, thanks and chat: still refused, with the same reason as before.
VAGUE = [
    "great job!",
    "很棒",
    "Thanks Tom!",
    "辛苦了！",
    "做得好！",
    "干得漂亮",
    "太给力了！",
    "加油！",
    "谢谢你！",
    "Well done, team!",
    "Awesome work!",
    "You're a star!",
    "Very detailed work!",
    "She is so dedicated.",
    "Great work on the release!",
    "感谢加班的同学们！",  # thanks to a group, no one's act
    "周末愉快！",
    "Happy Friday everyone, have a great weekend!",
]

# Notices and questions that mention overtime are still not stories about someone.
NOT_STORIES = [
    "通知：本周六加班，请大家准时到岗。",
    "Reminder: the office is closed all weekend for maintenance.",
    "Who's staying late tonight?",
    "周末有人一起去爬山吗？",
]

_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return default_rubric()


@pytest.fixture(scope="module")
def tagger(rubric: Rubric) -> OfflineTagger:
    return OfflineTagger(rubric)


def _sentence_of(story: str, quote: str) -> str:
    """The sentence of `story` (with its end mark) that holds `quote`."""
    start = 0
    for m in [*_SENTENCE_END.finditer(story), None]:
        end = m.end() if m else len(story)
        if quote in story[start:end]:
            return story[start:end].strip()
        start = end
    raise AssertionError(f"{quote!r} is in no sentence of {story!r}")


@pytest.mark.parametrize(("story", "expected", "word"), STORIES)
def test_top_suggestion_and_its_clause(tagger: OfflineTagger, story: str, expected: str, word: str) -> None:
    out = tagger.suggest(story)
    assert out.top is not None, out.abstain_reason
    assert out.top.criterion == expected, [(s.criterion, s.confidence) for s in out.items]
    assert out.top.polarity == "conforming"
    quote = out.top.quote
    assert quote in story and quote_in_story(quote, story)  # verbatim words of the story
    assert len(quote) < len(_sentence_of(story, quote)), "a clause, not the whole sentence"
    assert word in quote, (word, quote)


@pytest.mark.parametrize("story", [s for s, expected, _ in STORIES if expected == "dedication.2"])
def test_effort_is_not_read_as_results_or_higher_goals(tagger: OfflineTagger, story: str) -> None:
    out = tagger.suggest(story)
    assert out.top is not None and out.top.criterion not in ("dedication.3", "passion.5")


def test_a_multi_clause_story_is_quoted_by_the_clause_that_matched(tagger: OfflineTagger) -> None:
    story = "今天下午开了三个会，郭靖连续加班两周，保证项目按时上线，晚上大家一起吃了火锅。"
    top = tagger.suggest(story).top
    assert top is not None and top.criterion == "dedication.2"
    assert top.quote in ("郭靖连续加班两周", "保证项目按时上线"), top.quote
    story = "It was a rough sprint, and she worked all weekend to ship the release on time, so the team could demo it."
    top = tagger.suggest(story).top
    assert top is not None and top.criterion == "dedication.2"
    assert top.quote == "she worked all weekend to ship the release on time"


@pytest.mark.parametrize("text", VAGUE)
def test_vague_short_texts_still_abstain_with_the_same_reason(tagger: OfflineTagger, text: str) -> None:
    assert not names_concrete_act(text)
    out = tagger.suggest(text)
    assert out.abstained and out.abstain_reason == TOO_SHORT


@pytest.mark.parametrize("text", NOT_STORIES)
def test_notices_about_overtime_still_abstain(tagger: OfflineTagger, text: str) -> None:
    out = tagger.suggest(text)
    assert out.abstained, [s.criterion for s in out.items]


@pytest.mark.parametrize(
    "text",
    [
        "郭靖连续加班两周",
        "She worked all weekend",
        "周末加班",
        "小李修完了bug",
        "He stayed late",
        "Ann rewrote the guide",
    ],
)
def test_concrete_acts(text: str) -> None:
    assert names_concrete_act(text)


def test_without_the_effort_table_the_overtime_story_abstains(rubric: Rubric) -> None:
    """The effort table is what makes the difference: switched off, the old behaviour returns."""
    plain = OfflineTagger(rubric, effort={})
    assert plain.suggest("郭靖连续加班两周，保证项目按时上线。").abstained
    top = plain.suggest("小王连夜写好了回滚方案。").top
    assert top is None or top.criterion != "dedication.2"
    # Weightless effort phrases: the short story passes the length rule (it names an act) but
    # nothing else in it matches well enough - the two fixes are separate.
    out = OfflineTagger(rubric, OfflineConfig(w_effort=0.0)).suggest(
        "She worked all weekend to ship the release on time."
    )
    assert out.abstained and (out.abstain_reason or "").startswith("no behaviour matched well enough")


def test_effort_phrases_count_only_as_phrases() -> None:
    cues = EFFORT_CUES["dedication.2"][1]
    assert found_cues("Kim stayed late to close the tickets.", cues) == {"stayed late"}
    assert found_cues("The customer complained about a late delivery.", cues) == frozenset()
    assert found_cues("Jo covered the night shift for a sick colleague.", cues) == frozenset()
    assert found_cues("他连续加班两周", cues) == {"连续加班"}  # the longest phrase found there


def test_the_effort_table_belongs_to_the_six_values_rubric(rubric: Rubric) -> None:
    assert set(effort_cues(rubric.id, rubric.criterion_ids)) == {"dedication.2", "passion.2"}
    assert effort_cues("acme-values", rubric.criterion_ids) == {}
    assert effort_cues(rubric.id, frozenset({"dedication.2"})).keys() == {"dedication.2"}
    tiny = parse_rubric(
        """
schema_version: 1
id: tiny
name: {zh: 小规则, en: Tiny}
values:
  - key: dedication
    names: {zh: 敬业, en: Dedication}
    motto: {zh: 精益求精, en: Sweat the details}
    behaviours:
      - id: dedication.1
        level: 1
        statement: {zh: 写清晰的文档, en: Writes clear documentation}
        statement_source: project
        rule: default_pass
        rule_source: project
      - id: dedication.2
        level: 2
        statement: {zh: 按时更新文档, en: Keeps documentation up to date}
        statement_source: project
        rule: default_pass
        rule_source: project
""",
        "tiny.yaml",
    )
    assert OfflineTagger(tiny).effort == {}  # same id, another rubric: not these cues


def test_clauses_split_on_punctuation_and_conjunctions_and_keep_fragments_whole() -> None:
    story = "Tyler raised it with his manager and compliance, and Ana rebooked it the same day."
    assert [story[s:e] for s, e, _ in clauses(story)] == [
        "Tyler raised it with his manager and compliance",
        "Ana rebooked it the same day",
    ]
    story = "她还是笑着解释清楚，最后客户自己道了歉。金额是1,000元。"
    assert [story[s:e] for s, e, _ in clauses(story)] == ["她还是笑着解释清楚", "最后客户自己道了歉", "金额是1,000元"]

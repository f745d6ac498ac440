"""What a story says someone did: effort and overtime cues, and whether a short story names an act.

Why: tried as a new user would (issue #12, item 5), the offline tagger gave nothing for the most
common recognition of all - "郭靖连续加班两周，保证项目按时上线。", "She worked all weekend to ship
the release on time." - because the rubric's own texts hardly speak of hours, and because it
refused every story under eight content words, however concrete. This module adds the two
missing pieces of text knowledge; the ranking (tagging/offline.py) decides what to make of them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from liumai.tagging.offline_text import clauses, features, phrases, prep

# The rubric these cues were written against. Another rubric may reuse ids such as dedication.2 for
# different behaviours, so the table applies to this one only (a company rubric carries its own
# words for effort in its `cues`).
SIX_VALUES_RUBRIC_ID = "liumai-six-values"

# WHICH behaviours effort and overtime are evidence of, decided from the rubric's own wording:
# - dedication.2 "今天的事不推到明天" (does not put off today's work until tomorrow). Its key meaning
#   is timeliness ("当天该完成的工作当天完成，不拖延") and its own conforming case is overtime: "下班
#   前还有三张当天到期的客户工单没处理完，他留下来处理完…没有拖到第二天". Working late, nights or
#   weekends so the work is done when it is due is this behaviour: overtime, all-nighters, deadlines.
# - passion.2 "顾全大局，不计较个人得失" (the bigger picture before personal gain or loss). Its key
#   meaning includes "在需要时愿意为整体做出让步和额外付出" (give way or go the extra mile for the
#   whole), and its non-conforming case is asking "有没有加班费" first. Giving up one's own leave or
#   time off for the work is this behaviour: only explicit sacrifice phrases (年假, vacation, time
#   off), not a bare "weekend", so weekend overtime stays dedication.2.
# Deliberately NOT these, although they sound like hard work:
# - dedication.3 "以结果为导向" (results-oriented): its key meaning says results "而不是只强调付出了
#   多少努力" - not how much effort went in. Hours alone are not its evidence.
# - passion.3 "永不放弃" (never gives up): needs a difficulty or setback; its rubric cues (不放弃,
#   kept at it, 屡败屡战) already carry that, and overtime without adversity is not it.
# - passion.5 "今天的最好表现是明天的最低要求" (today's best is tomorrow's minimum): raising one's own
#   goals and standards, not hours worked.
# Each entry: (weight of the behaviour's phrases, the phrases). Both are 1 today; the weight lets a
# weaker kind of evidence be added without diluting the others.
EFFORT_CUES: dict[str, tuple[float, tuple[str, ...]]] = {
    "dedication.2": (
        1.0,
        phrases(
            """
            加班 | 连续加班 | 加班加点 | 周末加班 | 整个周末 | 熬夜 | 熬了 | 通宵 | 连夜 | 深夜 | 半夜 | 凌晨 | 留下来 |
            赶工 | 赶进度 | 赶在 | 按时上线 | 如期上线 | 按期交付 | 保证上线 | 任劳任怨 | 兢兢业业 | 埋头苦干 |
            勤勤恳恳 | 不辞辛苦 | 连轴转 | 早出晚归 | 最后一个走
            overtime | worked late | stayed late | late nights | late every night | all-nighter | all night |
            overnight | midnight | extra hours | long hours | put in the hours | burned the midnight oil |
            around the clock | worked all weekend | all weekend | made the deadline | met the deadline |
            hit the deadline | before the deadline | ship on time | shipped on time | on schedule | hard work |
            worked hard | hardworking | tireless | tirelessly | crunch
            """
        ),
    ),
    "passion.2": (
        1.0,
        phrases(
            """
            牺牲周末 | 放弃周末 | 节假日 | 假期 | 休假 | 年假 | 放弃休假 | 推迟休假 | 放弃休息 | 个人时间
            vacation | time off | day off | days off | pto | her own time | his own time | personal time |
            gave up her weekend | gave up his weekend | went the extra mile | extra mile
            """
        ),
    ),
}


def effort_cues(rubric_id: str, criterion_ids: frozenset[str]) -> dict[str, tuple[float, tuple[str, ...]]]:
    """The effort table for a rubric: the six-values rubric's behaviours that exist, else none."""
    if rubric_id != SIX_VALUES_RUBRIC_ID:
        return {}
    return {cid: entry for cid, entry in EFFORT_CUES.items() if cid in criterion_ids}


@lru_cache(maxsize=16)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation, longest phrase first; English phrases match whole words only."""
    alts = sorted(cues, key=len, reverse=True)
    return re.compile("|".join(rf"(?<![a-z]){re.escape(c)}(?![a-z])" if c.isascii() else re.escape(c) for c in alts))


def found_cues(text: str, cues: tuple[str, ...]) -> frozenset[str]:
    """The cue phrases that occur in `text` as phrases: a bag of words would let the "late" of
    "a late delivery" count as "stayed late"."""
    return frozenset(_cue_pattern(cues).findall(prep(text))) if cues else frozenset()


# --------------------------------------------------------------------------------------------
# A concrete act: a verb followed by an object or a time phrase, in the same clause
# --------------------------------------------------------------------------------------------

# Chinese verbs of work acts. A generic 做 / 干 stays out: "做得好" and "干得漂亮" are praise, not acts.
_ZH_VERBS = "|".join(
    phrases(
        """
        加班 | 熬 | 通宵 | 值班 | 顶班 | 修 | 改 | 写 | 做完 | 做好 | 完成 | 解决 | 上线 | 交付 | 发布 | 处理 |
        搞定 | 整理 | 帮 | 带 | 跑 | 支援 | 赶 | 排查 | 定位 | 重构 | 优化 | 培训 | 分享 | 跟进 | 回复 | 接手 |
        承担 | 复盘 | 测试 | 部署 | 迁移 | 准备 | 调整 | 推动 | 协调 | 拜访 | 签下 | 联系 | 安抚 | 陪 | 教 |
        梳理 | 守 | 留下来 | 放弃 | 牺牲 | 主动 | 提前 | 保证 | 搭 | 补 | 查
        """
    )
)
# The verb (not followed by a degree complement 得… or an attributive 的), then its object, or a time phrase anywhere
# in the clause ("连续两周加班", "周末加班").
_ZH_VERB = re.compile(rf"(?:{_ZH_VERBS})(?![得的])[了完好过着]?")
_ZH_TIME = re.compile(
    r"[一二两三四五六七八九十几半\d]+(?:个)?(?:天|周|星期|个月|小时|晚|夜|通宵)|周末|通宵|凌晨|深夜|半夜|连续|每天"
)

# English: past tense, -ing or -s forms of work verbs, irregular pasts, and any other -ed word
# that no degree adverb turns into an adjective ("very detailed work" is praise, not an act).
_EN_BASE = phrases(
    """
    work | stay | fix | ship | help | finish | deliver | close | handle | cover | migrate | deploy | test |
    review | train | mentor | answer | call | visit | organize | organise | document | debug | refactor |
    automate | clean | prepare | resolve | support | escalate | follow | rewrite | write | build | run | lead |
    teach | take | keep | stand | step | jump | pull | put | spend | pair | walk | set | sort | patch
    """
)
_EN_IRREGULAR = frozenset(
    phrases(
        """
        did | made | took | wrote | rewrote | built | rebuilt | ran | led | taught | kept | got | went | gave |
        brought | caught | found | held | paid | put | set | sent | spent | stood | stuck | told | won | drove |
        fought | understood | running | shipping
        """
    )
)
_EN_DEGREE = frozenset(
    phrases("very | so | really | super | too | quite | extremely | incredibly | most | more | such")
)
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _en_verb(word: str) -> bool:
    if word in _EN_IRREGULAR:
        return True
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed") and word != "hundred":
        return True
    return any(word in (b + "s", b + "es", b + "ing", b[:-1] + "ing") for b in _EN_BASE)


def _en_act(clause: str) -> bool:
    words = [(m.group(), m.end()) for m in _EN_WORD.finditer(clause)]
    for i, (word, end) in enumerate(words):
        if _en_verb(word) and not (i and words[i - 1][0] in _EN_DEGREE) and features(clause[end:]):
            return True
    return False


def _zh_act(clause: str) -> bool:
    verbs = list(_ZH_VERB.finditer(clause))
    return bool(verbs) and (bool(_ZH_TIME.search(clause)) or any(features(clause[m.end() :]) for m in verbs))


def names_concrete_act(story: str) -> bool:
    """True when some clause of the story has a verb with an object or a time phrase
    ("加班两周", "worked all weekend", "fixed the login bug"); "great job!", "很棒" have none."""
    text = prep(story)
    return any(_zh_act(text[s:e]) or _en_act(text[s:e]) for s, e, _ in clauses(text))

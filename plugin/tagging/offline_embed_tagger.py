"""Embedding-only tagger, kept for side-by-side measurement against the lexical and hybrid taggers.

It lives apart from `offline_embed` (the index) because it reuses the lexical tagger for abstention,
polarity cues and quotes, while the lexical tagger uses the index for its opt-in hybrid: imports run
offline_embed_tagger -> offline -> offline_embed, never back.
"""

from __future__ import annotations

import math
from typing import Any

from liumai.rubric.model import Rubric
from liumai.tagging.base import MAX_SUGGESTIONS, Suggestion, Suggestions, TagContext, detect_lang
from liumai.tagging.offline import OfflineTagger
from liumai.tagging.offline_embed import MODEL_NAME, EmbeddingIndex, zscores
from liumai.tagging.offline_text import polarity_score


class EmbeddingTagger:
    """Pure embedding tagger, kept for side-by-side measurement (bench/tagger_compare.py).

    Ranking and confidence come from the embedding alone. Abstention, polarity cues and the
    quote reuse the lexical tagger: the embedding's similarities do not separate chat messages
    from stories (measured on dev), so it has no abstention signal of its own.
    """

    name = "offline"
    model = MODEL_NAME

    def __init__(self, rubric: Rubric, *, index: EmbeddingIndex | None = None, temperature: float = 0.5) -> None:
        self.rubric = rubric
        self.index = index or EmbeddingIndex(rubric)
        self._lexical = OfflineTagger(rubric)
        self.temperature = temperature  # fitted on dev (min. NLL)

    def suggest(self, story: str, context: TagContext | None = None) -> Suggestions:
        lang = (context.lang if context and context.lang else None) or detect_lang(story)
        base: dict[str, Any] = {"tagger": self.name, "rubric_version": self.rubric.version, "model": MODEL_NAME}
        if not story.strip():
            return Suggestions(items=(), abstain_reason="empty story", **base)
        reason = self._lexical.abstain_reason(story)
        if reason:
            return Suggestions(items=(), abstain_reason=reason, **base)
        q = self.index.embed_query(story)
        raw = self.index.scores(story, q)
        ids = list(raw)
        z = zscores([raw[i] for i in ids])
        if context and context.value_hint:
            z = [v + 0.3 if i.split(".", 1)[0] == context.value_hint else v for i, v in zip(ids, z, strict=True)]
        ranked = sorted(zip(ids, z, strict=True), key=lambda x: (-x[1], x[0]))
        exps = [math.exp((s - ranked[0][1]) / self.temperature) for _, s in ranked]
        total = sum(exps)
        items = []
        for (cid, _), e in zip(ranked[:MAX_SUGGESTIONS], exps, strict=False):
            conf, neg = self.index.case_similarity(q, cid)
            pol = polarity_score(story, lang) + 5.0 * (neg - conf)
            b = self.rubric.behaviour(cid)
            items.append(
                Suggestion(
                    criterion=cid,
                    polarity="non_conforming" if pol >= 1.5 else "conforming",
                    confidence=round(e / total, 4),
                    quote=self._lexical.quote_for(story, cid),
                    rationale=f"{cid}: {b.statement.get(lang)}",
                )
            )
        return Suggestions(items=tuple(items), **base)

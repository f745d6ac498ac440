"""`liumai tag` and `liumai eval`: try the tagger on a story, or measure it on a labelled data set.

Registered by `liumai.cli.main` as top-level commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, emit, fail, table, tr
from liumai.cli.texts import abstain_text
from liumai.messages import in_lang


def tag(
    story: str,
    tagger: Annotated[str, typer.Option("--tagger", help="offline (default) or llm")] = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Try the tagger on a story without storing anything."""
    from liumai.rubric.loader import RubricError, load_rubric

    s = common.settings()
    try:
        r = load_rubric(s.rubric)
    except RubricError as exc:
        fail(exc.render(in_lang(STATE.lang)))
    t = common.build_tagger(s, r, tagger)
    res = t.suggest(story)
    payload = {
        "tagger": res.tagger,
        "model": res.model,
        "rubric_version": res.rubric_version,
        "abstain_reason": res.abstain_reason,
        "suggestions": [
            {
                "criterion": x.criterion,
                "polarity": x.polarity,
                "confidence": round(x.confidence, 3),
                "quote": x.quote,
                "rationale": x.rationale,
            }
            for x in res.items
        ],
    }
    emit(
        as_json,
        payload,
        lambda: (
            table(
                [
                    tr("nominate.col.behaviour"),
                    tr("evidence.col.polarity"),
                    tr("nominate.col.confidence"),
                    tr("nominate.col.quote"),
                ],
                [[x.criterion, tr(f"polarity.{x.polarity}"), f"{x.confidence:.2f}", x.quote] for x in res.items],
            )
            if res.items
            else typer.echo(tr("tag.abstain", reason=abstain_text(res.abstain_reason, STATE.lang)))
        ),
    )


def eval_cmd(
    file: Annotated[str, typer.Argument(help="JSONL rows {text, criterion, polarity}; or 'dev' / 'holdout'.")],
    tagger: Annotated[str, typer.Option("--tagger")] = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Accuracy of a tagger on a labelled data set: top-1, top-3, macro-F1, abstain precision."""
    from importlib import resources

    from liumai.rubric.loader import RubricError, load_rubric
    from liumai.tagging.evaluate import evaluate, format_report, load_dataset

    path: Path | str = file
    if file in ("dev", "holdout"):
        path = str(resources.files("liumai.data.eval").joinpath(f"{file}.jsonl"))
    s = common.settings()
    try:
        r = load_rubric(s.rubric)
    except RubricError as exc:
        fail(exc.render(in_lang(STATE.lang)))
    try:
        rows = load_dataset(path, r.criterion_ids)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    report = evaluate(common.build_tagger(s, r, tagger), rows)
    emit(as_json, report.to_dict(), lambda: typer.echo(format_report(report, STATE.lang)))


__all__ = ["eval_cmd", "tag"]

"""`liumai calibration`: the quarterly calibration for HR (the whole org) and managers (their subtree).

Registered by `liumai.cli.main` as a top-level command. Who may see what is decided in
`liumai.services.calibration`; this module only prints its read model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, fail, service_errors

if TYPE_CHECKING:
    from liumai.services.context import AppContext

FORMATS = ("text", "md", "html", "json")


def calibration(
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q4 (default: current)")] = None,
    under: Annotated[str | None, typer.Option("--under", help="Only the subtree under this person (e-mail).")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Apply this person's permissions.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, md, html or json")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Only the fairness signals about this person (for their managers).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score distributions by team and manager, managers far from their peers, gaps, fairness signals, tagger health."""
    from liumai.messages import t
    from liumai.reports import calibration_render as cr
    from liumai.services.calibration import calibration as build

    lang = STATE.lang
    if fmt not in FORMATS:
        fail(t("calibration.bad_format", lang, formats=", ".join(FORMATS)), 2)
    if as_json:
        fmt = "json"
    if fmt == "html" and out is None:
        fail(t("calibration.html_needs_out", lang), 2)
    ctx = common.context()
    if person is not None:
        _signals(ctx, person, quarter, viewer, as_json)
        return
    with service_errors():
        c = build(ctx, quarter, viewer=viewer, under=under)
    if fmt == "text" and out is None:
        _print(cr.blocks(c, ctx.rubric, lang))
        return
    if fmt == "json":
        text = json.dumps(cr.calibration_json(c, lang), ensure_ascii=False, indent=2, default=str) + "\n"
    elif fmt == "html":
        text = cr.calibration_html(c, ctx.rubric, lang)
    else:
        text = cr.calibration_markdown(c, ctx.rubric, lang)
    if out is not None:
        common.write_out(out, text)
    else:
        typer.echo(text, nl=False)


def _signals(ctx: AppContext, person: str, quarter: str | None, viewer: str | None, as_json: bool) -> None:
    """The signals about one person, as the managers who decide their evidence see them."""
    from liumai.messages import t
    from liumai.reports.calibration_render import signal_text
    from liumai.services.fairness_view import signals_about

    with service_errors():
        found = signals_about(ctx, person, quarter, viewer=viewer)
    lang = STATE.lang
    if as_json:
        rows = [{"kind": s.kind, "people": [w.email for w in s.people], "counts": s.counts} for s in found]
        typer.echo(
            json.dumps(
                [{**r, "text": signal_text(s, lang)} for r, s in zip(rows, found, strict=True)],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo(t("calibration.fairness", lang))
    typer.echo(t("calibration.fairness.note", lang))
    for s in found:
        typer.echo(f"- {signal_text(s, lang)}")
    if not found:
        typer.echo(t("calibration.none", lang))


def _print(blocks: list) -> None:
    for b in blocks:
        typer.echo(f"\n{b.heading}")
        for note in b.notes:
            typer.echo(note)
        if b.headers:
            common.table(b.headers, b.rows)
        for item in b.items:
            typer.echo(f"- {item}")


__all__ = ["calibration"]

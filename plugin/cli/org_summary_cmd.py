"""`liumai summary --org`: the whole org (or a manager's subtree), team by team, written as it is read.

Who may see what is `liumai.services.org_summary`'s rule; the formats are `liumai.reports.org_stream`'s
and `liumai.reports.xlsx`'s writers. This module runs them: in this process, or, for a large org,
in worker processes that each read and render whole teams (`render`), while this one writes the
teams in order (`write`). Each worker holds one team at a time, so memory stays bounded by the
largest team per process; the work splits across the machine's cores (bench/scale.py measures
both). Workers are forked: they inherit the context and the plan, and drop the parent's
database connections before their first query. In one process all teams are read from one
snapshot; workers read each team in a transaction of its own.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from liumai.cli import common
from liumai.cli.common import STATE, fail, service_errors, tr

if TYPE_CHECKING:
    from liumai.services.context import AppContext
    from liumai.services.org_summary import OrgPlan

ORG_FORMATS = ("json", "csv", "html", "xlsx")
BINARY = ("html", "xlsx")
PARALLEL_FROM = 2_000  # people: below this, starting workers costs more than it saves

_job: tuple[AppContext, OrgPlan, Any] | None = None  # what forked workers inherit


def _writer(fmt: str, stream: Any, ctx: AppContext, lang: str, to_file: bool) -> Any:
    from liumai.reports.org_stream import CsvWriter, HtmlWriter, JsonLinesWriter
    from liumai.reports.xlsx import OrgWorkbook

    if fmt == "csv":
        return CsvWriter(stream, ctx.rubric, lang, bom=to_file)  # a pipe or a terminal: plain text
    return {"json": JsonLinesWriter, "html": HtmlWriter, "xlsx": OrgWorkbook}[fmt](stream, ctx.rubric, lang)


def _start_worker() -> None:
    assert _job is not None
    _job[0].engine.dispose(close=False)  # the parent's pooled connections are not this process's


def _render_team(index: int) -> Any:
    from liumai.services.org_summary import org_sections

    assert _job is not None
    ctx, plan, writer = _job
    ((team, summary),) = org_sections(ctx, replace(plan, teams=(plan.teams[index],)))
    return writer.render(team, summary)


def _jobs(asked: int | None, people: int) -> int:
    if asked is not None:
        return asked
    return min(2, os.cpu_count() or 1) if people >= PARALLEL_FROM else 1


def org_summary(quarter: str | None, viewer: str | None, fmt: str, out: Path | None, jobs: int | None) -> None:
    """A progress bar on a terminal only; to a file, the file appears only when complete."""
    from liumai.services.org_summary import org_plan, org_sections

    global _job
    if fmt not in ORG_FORMATS:
        fail(tr("summary.org_format", formats=", ".join(ORG_FORMATS)), 2)
    if out is None and fmt in BINARY:
        fail(tr(f"summary.{fmt}_needs_out"), 2)
    ctx = common.context()
    with service_errors():
        plan = org_plan(ctx, quarter, viewer=viewer)
    workers = _jobs(jobs, plan.people)
    with common.output_stream(out) as stream, service_errors():
        writer = _writer(fmt, stream, ctx, STATE.lang, out is not None)
        writer.begin(plan)
        if workers > 1:
            _job = (ctx, plan, writer)
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker)
            try:
                with common.progress(plan.people, tr("summary.org_progress")) as advance:
                    for team, chunk in zip(plan.teams, pool.imap(_render_team, range(len(plan.teams))), strict=True):
                        writer.write(chunk)
                        advance(len(team.people))
            finally:
                pool.terminate()
                _job = None
        else:
            with common.progress(plan.people, tr("summary.org_progress")) as advance:
                for team, s in org_sections(ctx, plan):
                    writer.team(team, s)
                    advance(len(team.people))
        writer.end()
    if out is not None:
        typer.echo(tr("cli.wrote", path=out), err=True)


__all__ = ["ORG_FORMATS", "org_summary"]

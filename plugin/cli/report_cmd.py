"""`liumai score`, `liumai summary` and `liumai digest`: scores with reasons, quarterly summaries, weekly digests.

Registered by `liumai.cli.main` as top-level commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, emit, fail, service_errors, tr

if TYPE_CHECKING:
    from liumai.services.summaries import PersonSummary, TeamSummary


def score(
    person: Annotated[str, typer.Option("--person")],
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q4 (default: current)")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Apply this person's permissions.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Per value the score and the reasons (accepted evidence; pending shown separately)."""
    from liumai.reports.explain import score_lines, trace_dict
    from liumai.services.scoring import score_person

    ctx = common.context()
    with service_errors():
        res = score_person(ctx, person, quarter, viewer=viewer)
    acc, pend = res.result.accepted, res.result.with_pending
    payload = {
        "person": res.person_email,
        "quarter": res.quarter,
        "rubric_version": acc.rubric_version,
        "total": acc.total,
        "max_total": acc.max_total,
        "total_with_pending": pend.total,
        "values": {k: {**trace_dict(v), "score_with_pending": pend.values[k].score} for k, v in acc.values.items()},
    }

    def human() -> None:
        lg = STATE.lang
        typer.echo(
            f"{res.person_name} <{res.person_email}>  {res.quarter}  "
            + tr("score.total", total=f"{acc.total:g}", max=acc.max_total)
            + (tr("score.with_pending", total=f"{pend.total:g}") if pend.total != acc.total else "")
        )
        for line in score_lines(acc, ctx.rubric, lg, with_pending=pend):
            typer.echo(line)
        typer.echo(tr("score.rubric", version=acc.rubric_version))

    emit(as_json, payload, human)


FORMATS = ("md", "html", "csv", "json", "xlsx")
BINARY = ("html", "xlsx")  # formats that only make sense as a file: embedded charts, a workbook


def _render(fmt: str, s: PersonSummary | TeamSummary, lang: str) -> str | bytes:
    """The summary in `fmt`. A CSV file is UTF-8 with a BOM (`summary_render.csv_bytes` says why); on
    stdout it stays plain text for pipes and terminals."""
    from liumai.reports import summary_render as sr

    rubric = common.context().rubric
    if fmt == "json":
        return json.dumps(sr.summary_json(s, rubric, lang), ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "csv":
        return sr.summary_csv(s, rubric, lang)
    if fmt == "html":
        return sr.summary_html(s, rubric, lang)
    if fmt == "xlsx":
        from liumai.reports.xlsx import summary_xlsx

        return summary_xlsx([s], rubric, lang)
    return sr.summary_markdown(s, rubric, lang)


def summary(
    person: Annotated[str | None, typer.Option("--person", help="One person's summary.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="A team key (see `liumai team set`).")] = None,
    manager: Annotated[str | None, typer.Option("--manager", help="A manager's direct reports.")] = None,
    subtree: Annotated[bool, typer.Option("--subtree", help="With --manager: everyone below them.")] = False,
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q4 (default: current)")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="md, html, csv, json or xlsx (default: md; with --org: json)")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Apply this person's permissions.")] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="With --org: processes (default: 2 for 2,000+ people).")
    ] = None,
    org: Annotated[
        bool,
        typer.Option(
            "--org", help="The whole org (admins; managers: their subtree), team by team: json is JSON Lines."
        ),
    ] = False,
) -> None:
    """A quarterly review summary: why each value scored what it did, cited evidence, concerns, trend."""
    if org:
        if any(x is not None for x in (person, team, manager)):
            fail(tr("summary.one_target"), 2)
        from liumai.cli.org_summary_cmd import org_summary

        org_summary(quarter, viewer, fmt or "json", out, jobs)
        return
    _one_summary(person, team, manager, subtree, quarter, fmt or "md", out, viewer)


def _one_summary(
    person: str | None,
    team: str | None,
    manager: str | None,
    subtree: bool,
    quarter: str | None,
    fmt: str,
    out: Path | None,
    viewer: str | None,
) -> None:
    from liumai.reports.summary_render import csv_bytes
    from liumai.services.summaries import person_summary, team_summary

    if fmt not in FORMATS:
        fail(tr("summary.bad_format", formats=", ".join(FORMATS)), 2)
    if sum(x is not None for x in (person, team, manager)) != 1:
        fail(tr("summary.one_target"), 2)
    if out is None and fmt in BINARY:
        fail(tr(f"summary.{fmt}_needs_out"), 2)
    ctx = common.context()
    with service_errors():
        s: PersonSummary | TeamSummary
        if person:
            s = person_summary(ctx, person, quarter, viewer=viewer)
        else:
            s = team_summary(ctx, team=team, manager=manager, subtree=subtree, quarter=quarter, viewer=viewer)
    data = _render(fmt, s, STATE.lang)
    if out is not None:
        common.write_out(out, csv_bytes(data) if isinstance(data, str) and fmt == "csv" else data)
    elif isinstance(data, str) and fmt == "md":
        common.echo_markdown(data)
    elif isinstance(data, str):
        typer.echo(data, nl=False)


def digest(
    team: Annotated[str | None, typer.Option("--team", help="A team key; default: every team.")] = None,
    week: Annotated[str | None, typer.Option("--week", help="ISO week, e.g. 2026-W48 (default: last week).")] = None,
    post: Annotated[bool, typer.Option("--post/--dry-run", help="Post to the team's channels, or preview.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The weekly values digest of a team: preview it, or post it (once per team, week and channel)."""
    from liumai.reports.digest_render import digest_text
    from liumai.services import digest as dg
    from liumai.services.org import team_keys

    ctx = common.context()
    wk = week or dg.previous_week(ctx)
    teams = [team] if team else team_keys(ctx)
    if not post:
        with service_errors():
            digests = dg.build_digests(ctx, wk, teams)
        if as_json:
            emit(
                True,
                [
                    {
                        "team": d.team_key,
                        "week": d.week,
                        "total": d.total,
                        "by_value": d.by_value,
                        "highlights": [h.__dict__ for h in d.highlights],
                        "values_missing_this_quarter": d.values_missing_this_quarter,
                        "first_recognitions": [h.nominee for h in d.first_recognitions],
                    }
                    for d in digests
                ],
                lambda: None,
            )
        else:
            for d in digests:
                typer.echo(digest_text(d, ctx.rubric, STATE.lang, markdown=False))
        return
    from liumai.config import ConfigError
    from liumai.runtime import build_integrations, digest_posters

    try:
        posters = digest_posters(build_integrations(ctx))
    except ConfigError as exc:  # a bad platform setting: one line naming it, as `serve` says it
        fail(exc.message(STATE.lang), 2)
    if not posters:
        fail(tr("digest.no_platform"), 2)
    spacer = dg.Spacer()
    with service_errors():
        outcomes = [dg.post_digest(ctx, k, wk, posters, owner="cli", spacer=spacer) for k in teams]

    def human() -> None:
        for o in outcomes:
            typer.echo(f"{o.team} {o.week}: {tr(f'digest.status.{o.status}')} {o.posted or ''}{o.error or ''}")

    emit(as_json, [o.__dict__ for o in outcomes], human)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


__all__ = ["digest", "score", "summary"]

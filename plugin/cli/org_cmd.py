"""`liumai org import`: the org chart from a CSV file, with a dry run and a guard on deactivation.

Registered by `liumai.cli.main` as `org_app.command("import")(org_import)`; `show_changes` and
`refused` are shared with `liumai org sync-feishu`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from liumai.cli import common
from liumai.cli.common import emit, fail, table
from liumai.cli.texts import tr

if TYPE_CHECKING:
    from liumai.services.org import DeactivationRefused, ImportReport

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print what would be created, updated and deactivated; change nothing.")
]
AllowDeactivateOpt = Annotated[
    bool,
    typer.Option(
        "--allow-deactivate",
        help="Allow deactivating more than LIUMAI_ORG_MAX_DEACTIVATE_SHARE of the active people (default 20%).",
    ),
]
SHOW_AT_MOST = 20  # e-mails listed in a refusal; the dry run lists them all


def org_import(
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8).")],
    dry_run: DryRunOpt = False,
    allow_deactivate: AllowDeactivateOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Import people from CSV: email,name and any of team,manager_email,slack_user_id,feishu_open_id,is_admin,locale.

    Only the columns the file has are updated; people missing from it are deactivated. An import
    that would deactivate more than LIUMAI_ORG_MAX_DEACTIVATE_SHARE of the active people is refused
    unless --allow-deactivate is given.
    """
    from liumai.services.org import DeactivationRefused, OrgImportError, import_org

    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(tr("org.cannot_read", file=file, reason=common.os_reason(exc)))
    except UnicodeDecodeError:
        fail(tr("org.not_utf8", file=file))
    ctx = common.context()
    try:
        report = import_org(ctx, text, dry_run=dry_run, allow_deactivate=allow_deactivate)
    except OrgImportError as exc:
        for p in exc.problems:
            typer.echo(f"{file}: {problem_text(p, common.STATE.lang)}", err=True)
        fail(tr("org.nothing_imported", n=len(exc.problems)))
    except DeactivationRefused as exc:
        refused(exc, f"liumai org import {file}")

    def human() -> None:
        if dry_run:
            show_changes(report)
        typer.echo(summary(report))

    emit(as_json, report.to_dict(), human)


def summary(report: ImportReport) -> str:
    return tr(
        "org.summary",
        created=len(report.created),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        deactivated=len(report.deactivated),
        reactivated=len(report.reactivated),
        teams_created=len(report.teams_created),
    )


def problem_text(problem: str, lang: str) -> str:
    """A problem of the org file in `lang` (problems carry their message key; see `services.org_csv.Problem`)."""
    message = getattr(problem, "message", None)
    return message(lang) if message is not None else str(problem)


def _value(v: Any) -> str:
    if v is None or v == "":
        return "-"
    if isinstance(v, bool):
        return tr("org.true") if v else tr("org.false")
    return str(v)


def show_changes(report: ImportReport) -> None:
    """The dry run's table: who would be created, updated (which fields, old -> new), deactivated."""
    typer.echo(tr("org.dry_run"))

    def details(email: str) -> str:
        changes = report.changes.get(email, {})
        return tr("list.sep2").join(f"{col}: {_value(old)} -> {_value(new)}" for col, (old, new) in changes.items())

    rows: list[list[Any]] = []
    for kind in ("created", "updated", "reactivated", "deactivated"):
        for email in getattr(report, kind):
            rows.append([tr(f"org.kind.{kind}"), email, "" if kind == "created" else details(email)])
    rows += [[tr("org.kind.teams_created"), key, ""] for key in report.teams_created]
    if rows:
        table([tr("org.col.change"), tr("org.col.who"), tr("org.col.details")], rows)
    else:
        typer.echo(tr("org.no_changes"))
    if report.over_limit:
        typer.echo(
            tr(
                "org.would_refuse",
                count=len(report.deactivated),
                active=report.active_before,
                limit=report.deactivate_limit,
            )
        )


def refused(exc: DeactivationRefused, cmd: str) -> NoReturn:
    """Name the count, who, and the way forward (a dry run, or --allow-deactivate); exit 1."""
    emails = exc.report.deactivated
    more = len(emails) - SHOW_AT_MOST
    shown = ", ".join(emails[:SHOW_AT_MOST]) + (f", … (+{more})" if more > 0 else "")
    typer.echo(tr("cli.error", message=exc.message(common.STATE.lang)), err=True)
    typer.echo(tr("org.would_deactivate", emails=shown), err=True)
    typer.echo(tr("org.refused_hint", cmd=cmd), err=True)
    raise typer.Exit(1)

"""`liumai export|erase|purge|backup`: a person's data rights and the operator's retention and backups.

Registered by `liumai.cli.main` as top-level commands; who may export or erase is decided by
`liumai.services.data_rights`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import JsonOpt, emit, fail, service_errors, tr


def export(
    person: Annotated[str, typer.Option("--person", help="Whose data: their e-mail.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the JSON here (default: stdout).")] = None,
    viewer: Annotated[
        str | None,
        typer.Option("--as", help="Apply this person's permissions (the person themselves: the data-subject export)."),
    ] = None,
) -> None:
    """A person's data as JSON: everything (the operator, an admin), or the data-subject export (--as the person)."""
    from liumai.services.data_rights import export_person

    ctx = common.context()
    with service_errors():
        data = export_person(ctx, person, viewer=viewer)
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        common.write_out(out, text)


def erase(
    person: Annotated[str, typer.Option("--person", help="Whose data: their e-mail.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Erase a person's data under every identity they had; what others' records need stays, anonymised."""
    from liumai.services.data_rights import erase_person, erase_preview

    ctx = common.context()
    if not yes:
        with service_errors():
            rows = erase_preview(ctx, person)
        for p in rows:
            who = f"#{p.id}: {p.display_name} <{p.email}>"
            typer.echo(tr("erase.would", who=who), err=True)
        fail(tr("erase.confirm"), 2)
    with service_errors():
        report = erase_person(ctx, person)
    r = report

    def human() -> None:
        typer.echo(
            tr(
                "erase.done",
                id=r.person_id,
                label=r.label,
                people=r.people_erased,
                nominations=r.nominations_deleted,
                evidence=r.evidence_deleted,
                concerns=r.concerns_deleted,
                audit=r.audit_rows_anonymised,
            )
        )

    emit(as_json, r.to_dict(), human)
    if not r.files_scrubbed:
        typer.echo(tr("erase.wal_busy"), err=True)


def purge(
    older_than_days: Annotated[
        int | None, typer.Option("--older-than-days", help="Default: LIUMAI_RETENTION_DAYS.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Retention: delete nominations, evidence and concerns older than N days."""
    from liumai.services.data_rights import purge_older_than

    ctx = common.context()
    days = older_than_days or ctx.settings.retention_days
    if not days:
        fail(tr("purge.no_period"), 2)
    with service_errors():
        out = purge_older_than(ctx, days)
    emit(
        as_json,
        out,
        lambda: typer.echo(
            tr("purge.done", counts=tr("list.sep").join(tr(f"purge.{k}", n=v) for k, v in out.items()), days=days)
        ),
    )


def backup(dest: Path) -> None:
    """A consistent copy of the live SQLite database (safe while liumai serve is writing)."""
    from liumai.services.data_rights import backup_sqlite

    ctx = common.context()
    with service_errors():
        path = backup_sqlite(ctx, dest)
    typer.echo(tr("backup.written", path=path))


__all__ = ["backup", "erase", "export", "purge"]

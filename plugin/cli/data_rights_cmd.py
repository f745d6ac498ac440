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
from liumai.cli.common import STATE, JsonOpt, emit, fail, service_errors, tr


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
    zh = STATE.lang == "zh"
    if not yes:
        with service_errors():
            rows = erase_preview(ctx, person)
        for p in rows:
            who = f"#{p.id}: {p.display_name} <{p.email}>"
            typer.echo(f"将删除人员 {who}" if zh else f"would erase person {who}", err=True)
        fail("删除无法撤销：请加 --yes 确认" if zh else "erasing cannot be undone: add --yes to confirm", 2)
    with service_errors():
        report = erase_person(ctx, person)
    r = report

    def human() -> None:
        typer.echo(
            f"人员 #{r.person_id} 已删除（现为 {r.label}，共 {r.people_erased} 条人员记录）："
            f"删除提名 {r.nominations_deleted} 条、事例 {r.evidence_deleted} 条、关注事项 {r.concerns_deleted} 条；"
            f"匿名化审计记录 {r.audit_rows_anonymised} 条"
            if zh
            else f"person #{r.person_id} erased (now {r.label}; {r.people_erased} person records): "
            f"{r.nominations_deleted} nominations, {r.evidence_deleted} evidence, "
            f"{r.concerns_deleted} concerns removed; {r.audit_rows_anonymised} audit rows anonymised"
        )

    emit(as_json, r.to_dict(), human)
    if not r.files_scrubbed:
        typer.echo(
            "警告：有读取方占用 SQLite 的 WAL 文件，已删除的数据可能留在其中，直到占用数据库的进程（liumai serve）停止"
            if zh
            else "warning: a reader kept the SQLite WAL busy; erased rows may stay in it until the processes "
            "holding the database (liumai serve) stop",
            err=True,
        )


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

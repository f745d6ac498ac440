"""`liumai org sync-feishu`: the org chart from the Feishu/Lark contact API.

Registered by `liumai.cli.main` as `org_app.command("sync-feishu")(org_sync_feishu)`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, emit, fail
from liumai.cli.org_cmd import AllowDeactivateOpt, DryRunOpt, problem_text, refused, show_changes
from liumai.cli.texts import tr


def org_sync_feishu(
    dry_run: DryRunOpt = False,
    allow_deactivate: AllowDeactivateOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Sync people, departments (as teams) and managers (leader_user_id) from Feishu/Lark.

    Needs FEISHU_APP_ID and FEISHU_APP_SECRET, and the app's contact permissions. Re-running it
    changes nothing that did not change in Feishu. A sync that would deactivate more than
    LIUMAI_ORG_MAX_DEACTIVATE_SHARE of the active people is refused unless --allow-deactivate.
    """
    from liumai.config import ConfigError
    from liumai.feishu.client import FeishuApi, FeishuApiError
    from liumai.feishu.org_sync import CONTACT_INTERVAL_S, sync_feishu
    from liumai.services.org import DeactivationRefused, OrgImportError

    ctx = common.context()
    try:
        api = FeishuApi(ctx.settings, min_interval_s=CONTACT_INTERVAL_S)
    except ConfigError as exc:
        fail(exc.message(STATE.lang), 2)
    progress = None if as_json else (lambda msg: typer.echo(msg, err=True))
    try:
        report = sync_feishu(ctx, api, progress=progress, dry_run=dry_run, allow_deactivate=allow_deactivate)
    except DeactivationRefused as exc:
        refused(exc, "liumai org sync-feishu")
    except FeishuApiError as exc:
        fail(tr("feishu.api_error", error=exc))
    except OrgImportError as exc:
        for p in exc.problems:
            typer.echo(f"feishu: {problem_text(p, STATE.lang)}", err=True)
        fail(tr("org.nothing_changed", n=len(exc.problems)))
    d = report.to_dict()

    def human() -> None:
        if dry_run:
            show_changes(report.result)
        counts = {
            k: len(d[k]) for k in ("created", "updated", "unchanged", "deactivated", "reactivated", "teams_created")
        }
        typer.echo(tr("feishu.counts", departments=d["departments"], users=d["users"]) + tr("feishu.summary", **counts))
        if report.placeholder_emails:
            typer.echo(tr("feishu.placeholders", n=len(report.placeholder_emails)))
        for line in report.skipped:
            typer.echo(tr("feishu.skipped", line=line))
        for line in report.notes:
            typer.echo(tr("feishu.note", line=line))

    emit(as_json, d, human)

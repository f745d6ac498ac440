"""`liumai org sync-feishu`: the org chart from the Feishu/Lark contact API.

Registered by `liumai.cli.main` as `org_app.command("sync-feishu")(org_sync_feishu)`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import emit, fail
from liumai.cli.org_cmd import AllowDeactivateOpt, DryRunOpt, refused, show_changes


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
        fail(str(exc), 2)
    progress = None if as_json else (lambda msg: typer.echo(msg, err=True))
    try:
        report = sync_feishu(ctx, api, progress=progress, dry_run=dry_run, allow_deactivate=allow_deactivate)
    except DeactivationRefused as exc:
        refused(exc, "liumai org sync-feishu")
    except FeishuApiError as exc:
        fail(f"{exc} (check the app's contact permissions and its contact scope)")
    except OrgImportError as exc:
        for p in exc.problems:
            typer.echo(f"feishu: {p}", err=True)
        fail(f"nothing changed ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''})")
    d = report.to_dict()

    def human() -> None:
        if dry_run:
            show_changes(report.result)
        typer.echo(
            f"departments: {d['departments']}, users: {d['users']}; "
            + ", ".join(
                f"{k}: {len(d[k])}"
                for k in ("created", "updated", "unchanged", "deactivated", "reactivated", "teams_created")
            )
        )
        if report.placeholder_emails:
            typer.echo(
                f"{len(report.placeholder_emails)} people have no e-mail in Feishu and got a placeholder "
                "(…@feishu.invalid); grant the e-mail field permission to fix it"
            )
        for line in report.skipped:
            typer.echo(f"skipped (frozen or resigned): {line}")
        for line in report.notes:
            typer.echo(f"note: {line}")

    emit(as_json, d, human)

"""`liumai`: every command prints a table for people and, with --json, JSON for scripts.

This module only assembles the Typer app; each command group lives in its own module
(`rubric_cmd`, `org_cmd`, `team_cmd`, `evidence_cmd`, `nomination_cmd`, `report_cmd`,
`data_rights_cmd`, `tagging_cmd`, `serve_cmd`, `slack_cmd`, `feishu_cmd`). Commands are registered
in the order `liumai --help` lists them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.calibration_cmd import calibration
from liumai.cli.common import STATE, fail
from liumai.cli.data_rights_cmd import backup, erase, export, purge
from liumai.cli.evidence_cmd import concern_app, evidence_app
from liumai.cli.feishu_cmd import org_sync_feishu
from liumai.cli.nomination_cmd import nominate, nomination_app
from liumai.cli.org_cmd import org_import
from liumai.cli.report_cmd import digest, score, summary
from liumai.cli.rubric_cmd import rubric_app
from liumai.cli.serve_cmd import demo, migrate, serve
from liumai.cli.slack_cmd import slack_app
from liumai.cli.tagging_cmd import eval_cmd, tag
from liumai.cli.team_cmd import team_app

app = typer.Typer(
    help="Liumai: values recognition on the six values rubric (六脉神剑).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
org_app = typer.Typer(help="Import (CSV) or sync (Feishu) the org chart.", no_args_is_help=True)
org_app.command("import")(org_import)
org_app.command("sync-feishu", help="Sync people, departments and managers from Feishu/Lark contacts.")(org_sync_feishu)

for _name, _group, _help in (
    ("rubric", rubric_app, None),
    ("org", org_app, None),
    ("team", team_app, None),
    ("evidence", evidence_app, None),
    ("concern", concern_app, None),
    ("slack", slack_app, "Slack: print the app manifest."),
    ("nomination", nomination_app, None),
):
    if _help:
        app.add_typer(_group, name=_name, help=_help)
    else:
        app.add_typer(_group, name=_name)

for _name, _command in (
    ("migrate", migrate),
    ("nominate", nominate),
    ("score", score),
    ("summary", summary),
    ("digest", digest),
    ("calibration", calibration),
    ("export", export),
    ("erase", erase),
    ("purge", purge),
    ("backup", backup),
    ("tag", tag),
    ("eval", eval_cmd),
    ("serve", serve),
    ("demo", demo),
):
    app.command(_name)(_command)


@app.callback()
def _main(
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en (default: from LIUMAI_LANG/LANG).")] = None,
) -> None:
    STATE.lang = (lang or common.default_lang())[:2]
    if STATE.lang not in ("zh", "en"):
        fail("--lang must be zh or en", 2)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app"]

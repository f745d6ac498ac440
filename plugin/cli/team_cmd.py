"""`liumai team set`: teams and the Slack channel / Feishu chat of their digest."""

from __future__ import annotations

from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import JsonOpt, emit, service_errors, tr

team_app = typer.Typer(help="Teams and their digest channels.", no_args_is_help=True)


@team_app.command("set")
def team_set(
    key: str,
    name_zh: Annotated[str | None, typer.Option("--name-zh")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    slack_channel: Annotated[str | None, typer.Option("--slack-channel")] = None,
    feishu_chat: Annotated[str | None, typer.Option("--feishu-chat")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or update a team (names, the Slack channel / Feishu chat for its digest)."""
    from liumai.services.org import set_team

    ctx = common.context()
    with service_errors():
        t = set_team(
            ctx, key, name_zh=name_zh, name_en=name_en, slack_channel_id=slack_channel, feishu_chat_id=feishu_chat
        )
    emit(
        as_json,
        t.model_dump(),
        lambda: typer.echo(
            tr(
                "team.set",
                team=t.key,
                name_zh=t.name_zh,
                name_en=t.name_en,
                slack=t.slack_channel_id or "-",
                feishu=t.feishu_chat_id or "-",
            )
        ),
    )


__all__ = ["team_app"]

"""`liumai slack ...`: Slack helpers for operators (register with `app.add_typer(slack_app, name="slack")`)."""

from __future__ import annotations

import os
from typing import Annotated, Literal

import typer

slack_app = typer.Typer(help="Slack app set-up helpers.", no_args_is_help=True)


@slack_app.command("manifest")
def manifest(
    mode: Annotated[
        str, typer.Option("--mode", help="socket (Socket Mode, no public URL) or http (Slack calls --url).")
    ] = "socket",
    url: Annotated[
        str | None, typer.Option("--url", help="HTTP mode: the public https base URL, e.g. https://liumai.example.com")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="App and bot name shown in Slack.")] = None,
) -> None:
    """Print an app manifest to paste into Slack's "Create New App > From an app manifest".

    Command names follow SLACK_NOMINATE_COMMAND / SLACK_VALUES_COMMAND when set, so the manifest
    matches what `liumai serve` listens for.
    """
    from liumai.slack.manifest import render, to_yaml

    if mode not in ("socket", "http"):
        typer.echo("error: --mode must be socket or http", err=True)
        raise typer.Exit(2)
    if mode == "socket" and url:
        typer.echo("error: --url is for --mode http (Socket Mode needs no public URL)", err=True)
        raise typer.Exit(2)
    chosen: Literal["socket", "http"] = "http" if mode == "http" else "socket"
    try:
        m = render(
            chosen,
            url,
            nominate_command=os.environ.get("SLACK_NOMINATE_COMMAND") or "/nominate",
            values_command=os.environ.get("SLACK_VALUES_COMMAND") or "/values",
            name=name,
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(to_yaml(m), nl=False)


__all__ = ["slack_app"]

"""`liumai migrate`, `liumai serve` and `liumai demo`: running the product.

Registered by `liumai.cli.main` as top-level commands. `build_integrations` (the platform adapters the
settings ask for) is also used by `liumai digest --post`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, emit, fail, tr


def migrate(as_json: JsonOpt = False) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from liumai.storage.db import migrate as run

    ctx = common.context(check_schema=False)
    try:
        before, after = run(ctx.engine)
    except Exception as exc:
        fail(tr("migrate.failed", error=f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"))
    url = ctx.engine.url.render_as_string(hide_password=True)
    emit(
        as_json,
        {"database": url, "from": before, "to": after},
        lambda: typer.echo(tr("migrate.done", url=url, before=before or tr("migrate.empty"), after=after)),
    )


def build_integrations(ctx) -> list:
    """The platform adapters the configuration asks for (each validates its own settings)."""
    out = []
    s = ctx.settings
    if s.slack_bot_token or s.slack_client_id or s.slack_app_token or s.slack_signing_secret:
        from liumai.slack import build_slack

        out.append(build_slack(ctx))
    if s.feishu_app_id:
        from liumai.feishu import build_feishu

        out.append(build_feishu(ctx))
    return out


def serve(
    host: Annotated[str, typer.Option("--host")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port")] = 3000,
    worker: Annotated[bool, typer.Option("--worker/--no-worker", help="Run the tagging worker.")] = True,
) -> None:
    """Run Slack and/or Feishu (HTTP and/or socket / long connection), the tag worker and digests."""
    import logging
    import threading

    import uvicorn

    from liumai.config import ConfigError
    from liumai.services import tag_worker
    from liumai.web import create_app

    ctx = common.context()  # refuses a bad setting or schema with one line, before any logging starts
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        integrations = build_integrations(ctx)
    except ConfigError as exc:
        fail(str(exc), 2)
    stop = threading.Event()
    threads = []
    if worker:
        t = threading.Thread(
            target=tag_worker.run_forever,
            args=(ctx, stop),
            # The LLM tagger's own offline fallback (already indexed), or the offline tagger itself.
            kwargs={"fallback": getattr(ctx.tagger, "fallback", ctx.tagger)},
            name="tag-worker",
            daemon=True,
        )
        t.start()
        threads.append(t)
    for integration in integrations:
        t = integration.start_background(stop)
        if t is not None:
            threads.append(t)
    from liumai.services.scheduler import start_digest_scheduler

    try:
        posters = [p for p in (getattr(i, "digest_poster", lambda: None)() for i in integrations) if p]
        scheduler = start_digest_scheduler(ctx, posters)
    except ConfigError as exc:
        stop.set()
        fail(str(exc), 2)
    names = ", ".join(i.name for i in integrations) or tr("serve.no_platform")
    typer.echo(tr("serve.serving", url=f"http://{host}:{port}", platforms=names))
    try:
        uvicorn.run(create_app(ctx, integrations), host=host, port=port, log_level="info")
    finally:
        stop.set()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for integration in integrations:
            close = getattr(integration, "close", None)
            if close is not None:
                close()  # let in-flight background replies finish


def demo(
    db: Annotated[Path | None, typer.Option("--db", help="Keep the demo database here (default: temporary).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where to write the Markdown summary.")] = Path(
        "liumai-demo-summary.md"
    ),
    as_json: JsonOpt = False,
) -> None:
    """The whole product offline on a bundled sample organisation (SQLite, offline tagger)."""
    from liumai.demo import run_demo

    result = run_demo(db=db, out=out, lang=STATE.lang, echo=None if as_json else typer.echo)
    if as_json:
        emit(True, result, lambda: None)


__all__ = ["build_integrations", "demo", "migrate", "serve"]

"""`liumai migrate`, `liumai serve` and `liumai demo`: running the product.

Registered by `liumai.cli.main` as top-level commands. The platform adapters, the tag worker and the
digest scheduler are assembled by `liumai.runtime`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, emit, fail, tr


def migrate(as_json: JsonOpt = False) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from liumai.services.database import migrate_schema as run

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


def serve(
    host: Annotated[str, typer.Option("--host")] = "0.0.0.0",
    port: Annotated[int, typer.Option("--port")] = 3000,
    worker: Annotated[bool, typer.Option("--worker/--no-worker", help="Run the tagging worker.")] = True,
) -> None:
    """Run Slack and/or Feishu (HTTP and/or socket / long connection), the tag worker and digests."""
    import logging

    import uvicorn

    from liumai.config import ConfigError
    from liumai.http_limits import header_timeout_protocol
    from liumai.log_redaction import pin_library_loggers
    from liumai.runtime import build_runtime

    ctx = common.context()  # refuses a bad setting or schema with one line, before any logging starts
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    pin_library_loggers()
    try:
        rt = build_runtime(ctx)
        rt.start(worker=worker)
    except ConfigError as exc:
        fail(exc.message(STATE.lang), 2)
    names = ", ".join(rt.names) or tr("serve.no_platform")
    typer.echo(tr("serve.serving", url=f"http://{host}:{port}", platforms=names))
    try:
        uvicorn.run(
            rt.app,
            host=host,
            port=port,
            log_level="info",
            # Bounded requests (plugin/http_limits.py): slow headers closed, connections capped.
            http=header_timeout_protocol(ctx.settings.header_timeout_s),
            limit_concurrency=ctx.settings.max_connections,
        )
    finally:
        rt.close()  # let in-flight background replies finish


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


__all__ = ["demo", "migrate", "serve"]

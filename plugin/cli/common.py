"""Shared CLI plumbing: building the context, printing tables or JSON, one-line errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from liumai.messages import in_lang

if TYPE_CHECKING:  # imported where used: `liumai --help` must not pay for settings, storage or services
    from liumai.config import Settings
    from liumai.services.context import AppContext


@dataclass
class CliState:
    lang: str = "en"


STATE = CliState()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def default_lang() -> str:
    for var in ("LIUMAI_LANG", "LC_ALL", "LANG"):
        val = os.environ.get(var, "")
        if val:
            return "zh" if val.lower().startswith("zh") else "en"
    return "en"


def tr(key: str, **params: object) -> str:
    """The CLI text `key` in the language of `--lang` (see `liumai.cli.texts`)."""
    from liumai.messages import section  # not liumai.cli.texts, which imports STATE from here

    entry = section("cli")[key]
    return entry.get(STATE.lang, entry["en"]).format(**params)


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in the CLI's language (common errors by errno)."""
    import errno as errnos

    name = errnos.errorcode.get(exc.errno or 0, "")
    try:
        return tr(f"os.{name}")
    except KeyError:
        return str(exc.strerror or exc)


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(("错误：" if STATE.lang == "zh" else "error: ") + message, err=True)
    raise typer.Exit(code)


def write_out(path: Path, text: str | bytes) -> None:
    """Write a command's output file, readable by its owner only, or fail with one line."""
    from liumai.files import write_private

    try:
        write_private(path, text)
    except OSError as exc:
        fail(tr("cli.cannot_write", path=path, reason=os_reason(exc)))
    typer.echo(tr("cli.wrote", path=path), err=True)


@contextmanager
def output_stream(out: Path | None) -> Iterator[IO[bytes]]:
    """Where a streamed report goes: stdout, or a private file that appears only once complete
    (`liumai.files.private_output`); a file that cannot be written fails with one line."""
    if out is None:
        try:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # `| head`: the reader has what it wanted; no traceback at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        return
    from liumai.files import private_output

    try:
        with private_output(out) as stream:
            yield stream
    except OSError as exc:
        fail(tr("cli.cannot_write", path=out, reason=os_reason(exc)))


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal (rich, removed when done); nothing when piped."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def settings() -> Settings:
    from liumai.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        fail(exc.message(STATE.lang), 2)


def build_tagger(s: Settings, rubric, which: str | None = None, engine=None):
    """The LLM tagger when one is configured (or asked for), else the offline tagger.

    The LLM tagger always carries the offline tagger as its fallback, and a suggestion cache: in
    the database when there is one, in memory otherwise (`liumai tag`).
    """
    from liumai.tagging.offline import OfflineTagger

    offline = OfflineTagger(rubric)
    if which not in (None, "offline", "llm"):
        fail(tr("cli.bad_tagger", which=repr(which)), 2)
    if which == "offline" or (which is None and not s.llm_configured):
        return offline
    if not s.llm_model:
        fail(tr("cli.llm_model_required"), 2)
    from liumai.tagging.cache import MemoryTagCache, SqlTagCache
    from liumai.tagging.llm import LLMTagger

    cache = SqlTagCache(engine) if engine is not None else MemoryTagCache()
    return LLMTagger.from_settings(s, rubric, fallback=offline, cache=cache)


def context(*, check_schema: bool = True, tagger: str | None = None, url: str | None = None) -> AppContext:
    from liumai.rubric.loader import RubricError, load_rubric
    from liumai.services.context import AppContext
    from liumai.services.database import SchemaError, open_engine

    s = settings()
    try:
        rubric = load_rubric(s.rubric)
    except RubricError as exc:
        fail(f"LIUMAI_RUBRIC: {exc.render(in_lang(STATE.lang))}", 2)
    db_url = url or s.database_url
    try:
        engine = open_engine(db_url, check_schema=check_schema)
    except SchemaError as exc:
        fail(str(exc))
    return AppContext(settings=s, engine=engine, rubric=rubric, tagger=build_tagger(s, rubric, tagger, engine))


@contextmanager
def service_errors() -> Iterator[None]:
    """Services refuse with a reason; show it in the user's language and exit 1."""
    from liumai.services.errors import ServiceError

    try:
        yield
    except ServiceError as exc:
        fail(exc.message(STATE.lang))


def emit(as_json: bool, payload: Any, human: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        human()


def table(headers: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(*headers, show_lines=False)
    for r in rows:
        t.add_row(*("" if c is None else str(c) for c in r))
    Console(soft_wrap=True).print(t)


def echo_markdown(text: str) -> None:
    """Markdown for files and pipes; rendered (rich) on a terminal, where `\\_` and `**` would be noise."""
    if not sys.stdout.isatty():
        typer.echo(text, nl=False)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))

"""`liumai rubric show|validate|explain`: the rubric's behaviours, rules and sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, emit, fail, table, tr
from liumai.cli.texts import text_in
from liumai.messages import in_lang

if TYPE_CHECKING:
    from liumai.rubric.model import EvidenceRule

rubric_app = typer.Typer(help="Show, validate and explain rubrics.", no_args_is_help=True)


def rule_name(rule: EvidenceRule, lang: str) -> str:
    """English keeps the rule's code (as before); Chinese names the rule in words."""
    from liumai.reports.explain import RULE_NAMES  # here: the rubric model is not needed for `--help`

    return RULE_NAMES[rule]["zh"] if lang == "zh" else rule.value


def _rubric(path: Path | None):
    from liumai.rubric.loader import RubricError, load_rubric

    if path is None:
        path = common.settings().rubric
    try:
        return load_rubric(path)
    except RubricError as exc:
        fail(exc.render(in_lang(STATE.lang)))


@rubric_app.command("show")
def rubric_show(
    value: Annotated[str | None, typer.Argument(help="A value key, e.g. teamwork.")] = None,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="A rubric file (default: LIUMAI_RUBRIC or built-in).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The behaviours of the rubric, with their evidence rules."""
    r = _rubric(file)
    lg = (lang or STATE.lang)[:2]
    if value is not None and value not in r.value_keys:
        fail(tr("rubric.unknown_value", value=repr(value), values=", ".join(r.value_keys)))
    rows = [
        {
            "id": b.id,
            "value": v.key,
            "level": b.level,
            "statement_zh": b.statement.zh,
            "statement_en": b.statement.en,
            "rule": b.rule.value,
            "half_point": b.half_point,
            "statement_source": b.statement_source,
            "rule_source": b.rule_source,
        }
        for v in r.values
        if value in (None, v.key)
        for b in v.behaviours
    ]

    def human() -> None:
        typer.echo(f"{r.name.get(lg)}  ({r.version})")
        for v in r.values:
            if value not in (None, v.key):
                continue
            typer.echo(f"\n{v.names.get(lg)} [{v.key}]: {v.motto.get(lg)}")
            table(
                [
                    text_in("rubric.col.id", lg),
                    text_in("rubric.col.statement", lg),
                    text_in("rubric.col.rule", lg),
                    "½",
                    text_in("rubric.col.source", lg),
                ],
                [
                    [
                        b.id,
                        b.statement.get(lg),
                        rule_name(b.rule, lg),
                        "✓" if b.half_point else "",
                        text_in(f"source.{b.statement_source}", lg),
                    ]
                    for b in v.behaviours
                ],
            )
        if r.policy.min_distinct_nominators > 1:
            typer.echo("\n" + text_in("rubric.policy", lg, n=r.policy.min_distinct_nominators))

    emit(as_json, rows, human)


@rubric_app.command("validate")
def rubric_validate(file: Path, as_json: JsonOpt = False) -> None:
    """Check a rubric file; prints one line per problem and exits 1 if there are any."""
    from liumai.rubric.loader import validate_file

    problems = [p.render(in_lang(STATE.lang)) for p in validate_file(file)]
    if as_json:
        emit(True, {"file": str(file), "valid": not problems, "problems": problems}, lambda: None)
    elif problems:
        for p in problems:
            typer.echo(f"{file}: {p}", err=True)
    else:
        typer.echo(tr("rubric.valid", file=file))
    if problems:
        raise typer.Exit(1)


@rubric_app.command("explain")
def rubric_explain(
    criterion: str,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    file: Annotated[Path | None, typer.Option("--file")] = None,
    as_json: JsonOpt = False,
) -> None:
    """One behaviour in full: statement, key meaning, cases, rule and where each comes from."""
    r = _rubric(file)
    lg = (lang or STATE.lang)[:2]
    try:
        b = r.behaviour(criterion)
    except KeyError:
        fail(tr("rubric.unknown_behaviour", criterion=repr(criterion)))
    v = r.value(b.value_key)
    if as_json:
        emit(True, {"value": v.key, **b.model_dump(mode="json")}, lambda: None)
        return

    def say(key: str, **params: object) -> str:
        return text_in(key, lg, **params)

    typer.echo(f"{b.id}  {v.names.get(lg)} · {say('explain.level', n=b.level)}")
    typer.echo(f"  {b.statement.get(lg)}   [{say(f'source.{b.statement_source}')}]")
    for var in b.variants:
        typer.echo(f"  {say('explain.variant')}: {var.get(lg)}")
    from liumai.reports.explain import RULE_NAMES

    rule = RULE_NAMES[b.rule][lg]
    shown = rule if lg == "zh" else f"{b.rule.value} ({rule})"  # zh: the rule's name, not its code
    typer.echo(f"\n{say('explain.rule')}: {shown}   [{say(f'source.{b.rule_source}')}]")
    if b.half_point:
        note = f": {b.half_point_note.get(lg)}" if b.half_point_note else ""
        typer.echo(say("explain.half_point") + note)
    if b.key_meaning:
        source = say(f"source.{b.key_meaning_source}")
        typer.echo(f"\n{say('explain.key_meaning')}: {b.key_meaning.get(lg)}   [{source}]")
    for title, cases in (
        (say("explain.conforming"), b.conforming_cases),
        (say("explain.non_conforming"), b.non_conforming_cases),
    ):
        if cases:
            typer.echo(f"\n{title}:")
            for c in cases:
                typer.echo(f"  - {c.get(lg)}   [{say(f'source.{c.source}')}]")


__all__ = ["rubric_app"]

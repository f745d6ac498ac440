"""`liumai`: every command prints a table for people and, with --json, JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, emit, fail, service_errors, table

app = typer.Typer(
    help="Liumai: values recognition on the six values rubric (六脉神剑).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
rubric_app = typer.Typer(help="Show, validate and explain rubrics.", no_args_is_help=True)
org_app = typer.Typer(help="Import (CSV) or sync (Feishu) the org chart.", no_args_is_help=True)
team_app = typer.Typer(help="Teams and their digest channels.", no_args_is_help=True)
evidence_app = typer.Typer(help="List and decide evidence.", no_args_is_help=True)
concern_app = typer.Typer(help="Record non-conforming cases (managers).", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")
app.add_typer(org_app, name="org")
app.add_typer(team_app, name="team")
app.add_typer(evidence_app, name="evidence")
app.add_typer(concern_app, name="concern")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.callback()
def _main(
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en (default: from LIUMAI_LANG/LANG).")] = None,
) -> None:
    STATE.lang = (lang or common.default_lang())[:2]
    if STATE.lang not in ("zh", "en"):
        fail("--lang must be zh or en", 2)


# ---------------------------------------------------------------------------- migrate
@app.command()
def migrate(as_json: JsonOpt = False) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from liumai.services.database import migrate_schema as run

    ctx = common.context(check_schema=False)
    try:
        before, after = run(ctx.engine)
    except Exception as exc:
        fail(f"migration failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    url = ctx.engine.url.render_as_string(hide_password=True)
    emit(
        as_json,
        {"database": url, "from": before, "to": after},
        lambda: typer.echo(f"{url}: schema {before or '(empty)'} -> {after}"),
    )


# ---------------------------------------------------------------------------- rubric
def _rubric(path: Path | None):
    from liumai.rubric.loader import RubricError, load_rubric

    if path is None:
        path = common.settings().rubric
    try:
        return load_rubric(path)
    except RubricError as exc:
        fail(str(exc))


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
        fail(f"unknown value {value!r}; values are: {', '.join(r.value_keys)}")
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
                ["id", "statement" if lg == "en" else "行为", "rule" if lg == "en" else "规则", "½", "source"],
                [
                    [b.id, b.statement.get(lg), b.rule.value, "✓" if b.half_point else "", b.statement_source]
                    for b in v.behaviours
                ],
            )
        if r.policy.min_distinct_nominators > 1:
            typer.echo(f"\npolicy: min_distinct_nominators = {r.policy.min_distinct_nominators}")

    emit(as_json, rows, human)


@rubric_app.command("validate")
def rubric_validate(file: Path, as_json: JsonOpt = False) -> None:
    """Check a rubric file; prints one line per problem and exits 1 if there are any."""
    from liumai.rubric.loader import validate_file

    problems = validate_file(file)
    if as_json:
        emit(True, {"file": str(file), "valid": not problems, "problems": problems}, lambda: None)
    elif problems:
        for p in problems:
            typer.echo(f"{file}: {p}", err=True)
    else:
        typer.echo(f"{file}: valid")
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
        fail(f"unknown behaviour {criterion!r}; ids look like teamwork.3 (see `liumai rubric show`)")
    v = r.value(b.value_key)
    if as_json:
        emit(True, {"value": v.key, **b.model_dump(mode="json")}, lambda: None)
        return
    from liumai.reports.explain import RULE_NAMES

    zh = lg == "zh"
    typer.echo(f"{b.id}  {v.names.get(lg)} · {'第' + str(b.level) + '级' if zh else 'level ' + str(b.level)}")
    typer.echo(f"  {b.statement.get(lg)}   [{b.statement_source}]")
    for var in b.variants:
        typer.echo(f"  {'异文' if zh else 'variant'}: {var.get(lg)}")
    rule = RULE_NAMES[b.rule][lg]
    typer.echo(f"\n{'规则' if zh else 'Rule'}: {b.rule.value} ({rule})   [{b.rule_source}]")
    if b.half_point:
        typer.echo(
            ("可得半分" if zh else "Half point allowed")
            + (f": {b.half_point_note.get(lg)}" if b.half_point_note else "")
        )
    if b.key_meaning:
        typer.echo(f"\n{'关键含义' if zh else 'Key meaning'}: {b.key_meaning.get(lg)}   [{b.key_meaning_source}]")
    for title, cases in (
        (("符合的案例" if zh else "Conforming cases"), b.conforming_cases),
        (("不符合的案例" if zh else "Non-conforming cases"), b.non_conforming_cases),
    ):
        if cases:
            typer.echo(f"\n{title}:")
            for c in cases:
                typer.echo(f"  - {c.get(lg)}   [{c.source}]")


# ---------------------------------------------------------------------------- org
def _register_platform_commands() -> None:
    from liumai.cli.feishu_cmd import org_sync_feishu
    from liumai.cli.nomination_cmd import nominate, nomination_app
    from liumai.cli.org_cmd import org_import
    from liumai.cli.slack_cmd import slack_app

    app.add_typer(slack_app, name="slack", help="Slack: print the app manifest.")
    org_app.command("import")(org_import)
    app.command("nominate")(nominate)
    app.add_typer(nomination_app, name="nomination")

    org_app.command("sync-feishu", help="Sync people, departments and managers from Feishu/Lark contacts.")(
        org_sync_feishu
    )


_register_platform_commands()


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
            f"team {t.key}: {t.name_zh} / {t.name_en}, "
            f"slack={t.slack_channel_id or '-'}, feishu={t.feishu_chat_id or '-'}"
        ),
    )


# ---------------------------------------------------------------------------- evidence
@evidence_app.command("list")
def evidence_list(
    person: Annotated[str | None, typer.Option("--person")] = None,
    status: Annotated[str | None, typer.Option("--status", help="pending, accepted or rejected")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Show what this person may see.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Evidence (the operator sees all; --as EMAIL applies that person's permissions)."""
    from liumai.services.evidence import list_evidence
    from liumai.services.scoring import resolve_quarter

    ctx = common.context()
    with service_errors():
        q = resolve_quarter(ctx, quarter) if quarter else None
        rows = list_evidence(ctx, viewer, person=person, status=status, period=q)
    emit(
        as_json,
        [r.to_dict() for r in rows],
        lambda: table(
            ["id", "person", "behaviour", "polarity", "status", "from", "date", "story / note"],
            [
                [
                    r.id,
                    r.subject_email,
                    r.criterion,
                    r.polarity + (" (mitigated)" if r.mitigated else ""),
                    r.status,
                    r.nominator_email,
                    r.occurred_at.date(),
                    (r.story or r.note or "")[:80],
                ]
                for r in rows
            ],
        ),
    )


def _decide(evidence_id: int, by: str, decision: str, as_json: bool) -> None:
    from liumai.services.evidence import decide

    ctx = common.context()
    with service_errors():
        v = decide(ctx, evidence_id, by, decision)
    note = "" if v.changed else " (already so: nothing changed)"
    emit(
        as_json,
        {**v.to_dict(), "changed": v.changed},
        lambda: typer.echo(f"evidence #{v.id} ({v.criterion}, {v.subject_email}): {v.status}{note}"),
    )


@evidence_app.command("accept")
def evidence_accept(evidence_id: int, by: Annotated[str, typer.Option("--by")], as_json: JsonOpt = False) -> None:
    """Accept evidence (managers of the person, or an admin)."""
    _decide(evidence_id, by, "accepted", as_json)


@evidence_app.command("reject")
def evidence_reject(evidence_id: int, by: Annotated[str, typer.Option("--by")], as_json: JsonOpt = False) -> None:
    """Reject evidence (managers of the person, or an admin)."""
    _decide(evidence_id, by, "rejected", as_json)


@evidence_app.command("retag")
def evidence_retag(
    evidence_id: int,
    criterion: Annotated[str, typer.Option("--criterion")],
    by: Annotated[str, typer.Option("--by")],
    as_json: JsonOpt = False,
) -> None:
    """Re-tag evidence to another behaviour (and accept it)."""
    from liumai.services.evidence import retag

    ctx = common.context()
    with service_errors():
        v = retag(ctx, evidence_id, by, criterion)
    note = "" if v.changed else " (already so: nothing changed)"
    emit(
        as_json,
        {**v.to_dict(), "changed": v.changed},
        lambda: typer.echo(f"evidence #{v.id}: {v.criterion}, {v.status}{note}"),
    )


@concern_app.command("add")
def concern_add(
    by: Annotated[str, typer.Option("--by", help="The manager's e-mail.")],
    person: Annotated[str, typer.Option("--person")],
    criterion: Annotated[str, typer.Option("--criterion")],
    note: Annotated[str, typer.Option("--note")],
    mitigated: Annotated[bool, typer.Option("--mitigated", help="情有可原: mitigating circumstances.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Record a non-conforming case; visible to managers and admins only."""
    from liumai.services.evidence import add_concern

    ctx = common.context()
    with service_errors():
        v = add_concern(ctx, by, person, criterion, note, mitigated=mitigated)
    emit(
        as_json,
        v.to_dict(STATE.lang),
        lambda: typer.echo(
            f"concern recorded as evidence #{v.id} ({v.criterion}{', mitigated' if v.mitigated else ''})"
        ),
    )
    for n in v.notices:  # e.g. mitigation that cannot change the score: said at once, in JSON too
        typer.echo(f"{'注意' if STATE.lang == 'zh' else 'warning'}: {n.message(STATE.lang)}", err=True)


# ---------------------------------------------------------------------------- score
@app.command()
def score(
    person: Annotated[str, typer.Option("--person")],
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q4 (default: current)")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Apply this person's permissions.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Per value the score and the reasons (accepted evidence; pending shown separately)."""
    from liumai.reports.explain import score_lines, trace_dict
    from liumai.services.scoring import score_person

    ctx = common.context()
    with service_errors():
        res = score_person(ctx, person, quarter, viewer=viewer)
    acc, pend = res.result.accepted, res.result.with_pending
    payload = {
        "person": res.person_email,
        "quarter": res.quarter,
        "rubric_version": acc.rubric_version,
        "total": acc.total,
        "max_total": acc.max_total,
        "total_with_pending": pend.total,
        "values": {k: {**trace_dict(v), "score_with_pending": pend.values[k].score} for k, v in acc.values.items()},
    }

    def human() -> None:
        lg = STATE.lang
        typer.echo(
            f"{res.person_name} <{res.person_email}>  {res.quarter}  "
            f"{'总分' if lg == 'zh' else 'total'} {acc.total:g}/{acc.max_total}"
            + (f" ({'含待审' if lg == 'zh' else 'with pending'} {pend.total:g})" if pend.total != acc.total else "")
        )
        for line in score_lines(acc, ctx.rubric, lg, with_pending=pend):
            typer.echo(line)
        typer.echo(f"rubric {acc.rubric_version}")

    emit(as_json, payload, human)


# ---------------------------------------------------------------------------- summaries and digests
FORMATS = ("md", "html", "csv", "json")


@app.command()
def summary(
    person: Annotated[str | None, typer.Option("--person", help="One person's summary.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="A team key (see `liumai team set`).")] = None,
    manager: Annotated[str | None, typer.Option("--manager", help="A manager's direct reports.")] = None,
    subtree: Annotated[bool, typer.Option("--subtree", help="With --manager: everyone below them.")] = False,
    quarter: Annotated[str | None, typer.Option("--quarter", help="e.g. 2026Q4 (default: current)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html, csv or json")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Apply this person's permissions.")] = None,
) -> None:
    """A quarterly review summary: scores with reasons, cited evidence, concerns, next steps."""
    from liumai.reports import summary_render as sr
    from liumai.services.summaries import PersonSummary, TeamSummary, person_summary, team_summary

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", 2)
    if sum(x is not None for x in (person, team, manager)) != 1:
        fail("name exactly one of --person, --team, --manager", 2)
    ctx = common.context()
    lang = STATE.lang
    with service_errors():
        s: PersonSummary | TeamSummary
        if person:
            s = person_summary(ctx, person, quarter, viewer=viewer)
        else:
            s = team_summary(ctx, team=team, manager=manager, subtree=subtree, quarter=quarter, viewer=viewer)
    if fmt == "json":
        text = json.dumps(sr.summary_json(s, ctx.rubric, lang), ensure_ascii=False, indent=2, default=str) + "\n"
    elif fmt == "csv":
        text = sr.summary_csv(s, ctx.rubric, lang)
    elif fmt == "html":
        text = sr.summary_html(s, ctx.rubric, lang)
    else:
        text = sr.summary_markdown(s, ctx.rubric, lang)
    if out is None:
        if fmt == "html":
            fail("--format html needs --out FILE (the report embeds its charts)", 2)
        if fmt == "md":
            common.echo_markdown(text)
        else:
            typer.echo(text, nl=False)
    else:
        common.write_out(out, text)


@app.command()
def digest(
    team: Annotated[str | None, typer.Option("--team", help="A team key; default: every team.")] = None,
    week: Annotated[str | None, typer.Option("--week", help="ISO week, e.g. 2026-W48 (default: last week).")] = None,
    post: Annotated[bool, typer.Option("--post/--dry-run", help="Post to the team's channels, or preview.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The weekly values digest of a team: preview it, or post it (once per team, week and channel)."""
    from liumai.reports.digest_render import digest_text
    from liumai.services import digest as dg
    from liumai.services.org import team_keys

    ctx = common.context()
    wk = week or dg.previous_week(ctx)
    teams = [team] if team else team_keys(ctx)
    if not post:
        with service_errors():
            digests = dg.build_digests(ctx, wk, teams)
        if as_json:
            emit(
                True,
                [
                    {
                        "team": d.team_key,
                        "week": d.week,
                        "total": d.total,
                        "by_value": d.by_value,
                        "highlights": [h.__dict__ for h in d.highlights],
                        "values_missing_this_quarter": d.values_missing_this_quarter,
                        "first_recognitions": [h.nominee for h in d.first_recognitions],
                    }
                    for d in digests
                ],
                lambda: None,
            )
        else:
            for d in digests:
                typer.echo(digest_text(d, ctx.rubric, STATE.lang, markdown=False))
        return
    from liumai.config import ConfigError
    from liumai.runtime import build_integrations, digest_posters

    try:
        posters = digest_posters(build_integrations(ctx))
    except ConfigError as exc:  # a bad platform setting: one line naming it, as `serve` says it
        fail(str(exc), 2)
    if not posters:
        fail("no platform is configured to post digests (set SLACK_BOT_TOKEN and/or FEISHU_APP_ID)", 2)
    spacer = dg.Spacer()
    with service_errors():
        outcomes = [dg.post_digest(ctx, k, wk, posters, owner="cli", spacer=spacer) for k in teams]

    def human() -> None:
        for o in outcomes:
            typer.echo(f"{o.team} {o.week}: {o.status} {o.posted or ''}{o.error or ''}")

    emit(as_json, [o.__dict__ for o in outcomes], human)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


# ---------------------------------------------------------------------------- data rights
@app.command()
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


@app.command()
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
            f"删除提名 {r.nominations_deleted} 条、证据 {r.evidence_deleted} 条、关注事项 {r.concerns_deleted} 条；"
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


@app.command()
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
        fail("no retention period: pass --older-than-days N or set LIUMAI_RETENTION_DAYS", 2)
    with service_errors():
        out = purge_older_than(ctx, days)
    emit(
        as_json, out, lambda: typer.echo(", ".join(f"{k}: {v}" for k, v in out.items()) + f" (older than {days} days)")
    )


@app.command()
def backup(dest: Path) -> None:
    """A consistent copy of the live SQLite database (safe while liumai serve is writing)."""
    from liumai.services.data_rights import backup_sqlite

    ctx = common.context()
    with service_errors():
        path = backup_sqlite(ctx, dest)
    typer.echo(f"backup written to {path}")


# ---------------------------------------------------------------------------- tagging
@app.command()
def tag(
    story: str,
    tagger: Annotated[str, typer.Option("--tagger", help="offline (default) or llm")] = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Try the tagger on a story without storing anything."""
    from liumai.rubric.loader import RubricError, load_rubric

    s = common.settings()
    try:
        r = load_rubric(s.rubric)
    except RubricError as exc:
        fail(str(exc))
    t = common.build_tagger(s, r, tagger)
    res = t.suggest(story)
    payload = {
        "tagger": res.tagger,
        "model": res.model,
        "rubric_version": res.rubric_version,
        "abstain_reason": res.abstain_reason,
        "suggestions": [
            {
                "criterion": x.criterion,
                "polarity": x.polarity,
                "confidence": round(x.confidence, 3),
                "quote": x.quote,
                "rationale": x.rationale,
            }
            for x in res.items
        ],
    }
    emit(
        as_json,
        payload,
        lambda: (
            table(
                ["behaviour", "polarity", "conf.", "quote"],
                [[x.criterion, x.polarity, f"{x.confidence:.2f}", x.quote] for x in res.items],
            )
            if res.items
            else typer.echo(f"abstain: {res.abstain_reason}")
        ),
    )


@app.command("eval")
def eval_cmd(
    file: Annotated[str, typer.Argument(help="JSONL rows {text, criterion, polarity}; or 'dev' / 'holdout'.")],
    tagger: Annotated[str, typer.Option("--tagger")] = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Accuracy of a tagger on a labelled data set: top-1, top-3, macro-F1, abstain precision."""
    from importlib import resources

    from liumai.rubric.loader import RubricError, load_rubric
    from liumai.tagging.evaluate import evaluate, format_report, load_dataset

    path: Path | str = file
    if file in ("dev", "holdout"):
        path = str(resources.files("liumai.data.eval").joinpath(f"{file}.jsonl"))
    s = common.settings()
    try:
        r = load_rubric(s.rubric)
    except RubricError as exc:
        fail(str(exc))
    try:
        rows = load_dataset(path, r.criterion_ids)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    report = evaluate(common.build_tagger(s, r, tagger), rows)
    emit(as_json, report.to_dict(), lambda: typer.echo(format_report(report)))


# ---------------------------------------------------------------------------- serve
@app.command()
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
        fail(str(exc), 2)
    typer.echo(f"liumai serving on http://{host}:{port} ({', '.join(rt.names) or 'no platform'})")
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


# ---------------------------------------------------------------------------- demo
@app.command()
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


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app", "json"]

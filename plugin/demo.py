"""`liumai demo`: the whole product offline on a bundled sample organisation.

Runs the real services on a fresh SQLite file with the offline tagger: org import, 100+
nominations replayed over the current quarter, nominators confirming a suggested behaviour,
managers accepting most evidence and recording two concerns, then each team's scores with the
engine's reasons and a Markdown summary. Deterministic: the same output on every run of a day
(only paths and timings differ), because every choice below is a function of the bundled data.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlmodel import col, select

from liumai.config import load_settings
from liumai.files import write_private
from liumai.messages import t
from liumai.periods import Quarter, week_of
from liumai.reports.digest_render import digest_text
from liumai.reports.explain import next_step
from liumai.reports.summary_render import report_html, summary_markdown
from liumai.rubric.loader import load_rubric
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.context import AppContext
from liumai.services.digest import build_digest
from liumai.services.org import import_org, set_team
from liumai.services.people import get_person
from liumai.services.summaries import PersonSummary, TeamSummary, team_summary
from liumai.storage.db import make_engine, migrate, session_scope
from liumai.storage.models import Concern, Evidence, Person, Team
from liumai.tagging.offline import OfflineTagger

DATA = "liumai.data.demo"
# Position of a piece of evidence in the replay, modulo 12 -> what its manager decides (else accepted).
DECISIONS = {7: "rejected", 11: "pending"}


def _read(name: str) -> str:
    return resources.files(DATA).joinpath(name).read_text(encoding="utf-8")


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in _read(name).splitlines() if line.strip()]


def _moment(start: datetime, elapsed_days: int, day: int) -> datetime:
    """Map a story's day (0..80) onto the part of the quarter that has passed, at 10:00 + minutes."""
    d = (day * elapsed_days) // 81
    return start + timedelta(days=d, hours=10, minutes=day % 60)


def _team_table(title: str, scores: list, rubric, lang: str) -> str:
    """A CJK-aware table (rich measures double-width characters), rendered to text."""
    from rich.console import Console
    from rich.table import Table

    tbl = Table(title=title, title_justify="left")
    tbl.add_column(t("demo.col.person", lang))
    for v in rubric.values:
        tbl.add_column(v.names.get(lang), justify="right")
    tbl.add_column(t("demo.col.total", lang), justify="right")
    tbl.add_column(t("demo.col.with_pending", lang), justify="right")
    for s in scores:
        acc, pend = s.result.accepted, s.result.with_pending
        tbl.add_row(
            s.name, *(f"{acc.values[v.key].score:g}" for v in rubric.values), f"{acc.total:g}", f"{pend.total:g}"
        )
    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    console.print(tbl)
    return console.export_text().rstrip()


def _next_steps(acc, rubric, lang: str) -> str:
    """One short line per person: the common case (a level waiting for its first conforming case)
    grouped, anything else (a blocking concern, more nominators) in the engine's own words."""
    waiting, other = [], []
    for v in rubric.values:
        stop = acc.values[v.key].stop
        if stop is None:
            continue
        if stop.more_nominators_needed and not stop.distinct_nominators and not stop.blocking_ids:
            waiting.append(stop.criterion)
        else:
            other.append(next_step(acc.values[v.key], rubric, lang) or stop.criterion)
    parts = [t("demo.needs_one", lang, criteria=", ".join(waiting))] if waiting else []
    parts.extend(other)
    return "; ".join(parts) if parts else t("demo.all_met", lang)


@dataclass
class _Demo:
    """One run's context and what its steps report to each other."""

    ctx: AppContext
    db: Path
    lang: str
    say: Callable[[str], None]
    quarter: Quarter
    q_start: datetime
    elapsed: int
    today: datetime
    md: list[str] = field(default_factory=list)


def _open(db: Path, lang: str, say: Callable[[str], None]) -> _Demo:
    """A fresh migrated database with the offline tagger, and where "now" falls in the quarter."""
    settings = load_settings(LIUMAI_DATABASE_URL=f"sqlite:///{db}")
    rubric = load_rubric(settings.rubric)
    engine = make_engine(settings.database_url)
    migrate(engine)
    ctx = AppContext(settings=settings, engine=engine, rubric=rubric, tagger=OfflineTagger(rubric))
    quarter = ctx.current_quarter()
    q_start, q_end = quarter.bounds(settings.tz)
    today = ctx.now()
    elapsed = max(1, min((today - q_start).days + 1, (q_end - q_start).days))
    return _Demo(ctx, db, lang, say, quarter, q_start, elapsed, today)


def _import_org(run: _Demo) -> None:
    """1. The org chart and the teams' names and channels."""
    report = import_org(run.ctx, _read("org.csv"), actor="demo")
    for row in csv.DictReader(io.StringIO(_read("teams.csv"))):
        set_team(
            run.ctx,
            row["team"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            slack_channel_id=row["slack_channel_id"] or None,
            feishu_chat_id=row["feishu_chat_id"] or None,
            actor="demo",
        )
    people, teams = len(report.created), len(report.teams_created)
    run.say(t("demo.org", run.lang, people=people, teams=teams, quarter=run.quarter, db=run.db))


def _nominate_all(run: _Demo, stories: list[dict]) -> tuple[list[int], int, int]:
    """2. Every story through the real services and the offline tagger; the nominator confirms
    their own behaviour (among the suggestions or another). Evidence ids, top-1 and top-3 agreement."""
    top1 = top3 = abstained = 0
    evidence_ids: list[int] = []
    for i, s in enumerate(stories):
        at = _moment(run.q_start, run.elapsed, int(s["day"]))
        res = nom.nominate(
            run.ctx,
            s["from"],
            s["to"],
            s["text"],
            source="demo",
            idempotency_key=f"demo:{i}",
            private=bool(s.get("private")),
            at=at,
        )
        suggested = [x.criterion for x in res.suggestions]
        abstained += not suggested
        top1 += suggested[:1] == [s["criterion"]]
        top3 += s["criterion"] in suggested
        evidence_ids.append(nom.confirm(run.ctx, res.nomination.id, s["from"], s["criterion"]).id)
    run.say(t("demo.nominations", run.lang, stories=len(stories), top1=top1, top3=top3, abstained=abstained))
    return evidence_ids, top1, top3


def _decide_all(run: _Demo, evidence_ids: list[int]) -> dict[str, int]:
    """3a. Managers decide: most accepted, every twelfth rejected, another twelfth left pending."""
    counts = {"accepted": 0, "rejected": 0, "pending": 0}
    with session_scope(run.ctx.engine) as session:
        everyone = session.exec(select(Person).order_by(col(Person.id))).all()
        admin = next(p for p in everyone if p.is_admin)
        # Each person's evidence is decided by their manager; the top of the chart by the admin.
        deciders = {p.id: p.manager_id or admin.id for p in everyone}
        emails = {p.id: p.email for p in everyone}
        subjects = dict(
            session.exec(select(Evidence.id, Evidence.subject_id).where(col(Evidence.id).in_(evidence_ids))).all()
        )
    for n, eid in enumerate(evidence_ids):
        decider = deciders[subjects[eid]]
        if decider == subjects[eid]:  # the admin's own evidence goes to the top of the chart
            continue
        status = DECISIONS.get(n % 12, "accepted")
        counts[status] += 1
        if status != "pending":
            ev.decide(run.ctx, eid, emails[decider], status)
    return counts


def _record_concerns(run: _Demo) -> tuple[int, int]:
    """3b. The managers' concerns; counted from the database, so the line reports what was recorded."""
    for c in _jsonl("concerns.jsonl"):
        ev.add_concern(
            run.ctx,
            c["by"],
            c["person"],
            c["criterion"],
            c["note"],
            mitigated=bool(c["mitigated"]),
            at=_moment(run.q_start, run.elapsed, int(c["day"])),
        )
    with session_scope(run.ctx.engine) as session:
        recorded = session.exec(select(Concern.mitigated)).all()
    return len(recorded), sum(1 for m in recorded if m)


def _score_teams(run: _Demo, teams: list[Team]) -> tuple[dict[str, dict], dict[str, TeamSummary]]:
    """4. Each team's scores with the engine's reasons, printed and added to the Markdown summary."""
    lang, rubric = run.lang, run.ctx.rubric
    summary: dict[str, dict] = {}
    summaries: dict[str, TeamSummary] = {}
    for team in teams:
        summaries[team.key] = team_summary(run.ctx, team=team.key, quarter=str(run.quarter))
        scores = summaries[team.key].people
        summary[team.key] = {
            s.email: {
                "total": s.result.accepted.total,
                "total_with_pending": s.result.with_pending.total,
                "values": {k: v.score for k, v in s.result.accepted.values.items()},
            }
            for s in scores
        }
        run.md.append(summary_markdown(summaries[team.key], rubric, lang))
        run.say("")
        run.say(_team_table(f"{team.name_zh if lang == 'zh' else team.name_en} ({team.key})", scores, rubric, lang))
        for ps in scores:
            run.say(f"  {ps.name}: {_next_steps(ps.result.accepted, rubric, lang)}")
    return summary, summaries


def _digests(run: _Demo, teams: list[Team]) -> None:
    """5. This week's digest preview for each team that has stories this week."""
    week = week_of(run.today, run.ctx.settings.tz)
    for team in teams:
        d = build_digest(run.ctx, team.key, week)
        if d.total:
            run.say("")
            run.say(digest_text(d, run.ctx.rubric, run.lang, markdown=False).rstrip())
            run.md.append(digest_text(d, run.ctx.rubric, run.lang))


def run_demo(*, db: Path | None, out: Path, lang: str = "en", echo: Callable[[str], None] | None = print) -> dict:
    say = echo or (lambda _s: None)
    t0 = time.perf_counter()
    tmp: tempfile.TemporaryDirectory | None = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="liumai-demo-")
        db = Path(tmp.name) / "demo.db"
    elif db.exists():
        raise SystemExit(t("cli.error", lang, message=t("demo.db_exists", lang, db=db)))
    try:
        run = _open(db, lang, say)
        rubric = run.ctx.rubric
        _import_org(run)
        stories = _jsonl("stories.jsonl")
        evidence_ids, top1, top3 = _nominate_all(run, stories)
        decided = _decide_all(run, evidence_ids)
        n_concerns, n_mitigated = _record_concerns(run)
        concerns = t("demo.concerns_one" if n_concerns == 1 else "demo.concerns", lang, n=n_concerns)
        say(t("demo.reviews", lang, **decided, concerns=concerns, mitigated=n_mitigated))
        with session_scope(run.ctx.engine) as session:
            teams = list(session.exec(select(Team).order_by(col(Team.id))).all())
        run.md += [f"# {t('demo.title', lang)} — {run.quarter}", "", t("demo.rubric", lang, version=rubric.version), ""]
        summary, summaries = _score_teams(run, teams)
        _digests(run, teams)
        write_private(out, "\n".join(run.md))
        html_path = out.with_suffix(".html")
        sections: list[PersonSummary | TeamSummary] = [summaries[k] for k in ("payments", "support")]
        write_private(html_path, report_html(sections, rubric, lang, title="Acme Cloud"))
        say("")
        took = f"{time.perf_counter() - t0:.1f}"
        say(t("demo.written", lang, out=out, html=html_path, seconds=took))
        with session_scope(run.ctx.engine) as session:
            get_person(session, stories[0]["to"])  # sanity: data is readable after the run
        run.ctx.engine.dispose()
        return {
            "quarter": str(run.quarter),
            "database": str(db),
            "summary_file": str(out),
            "html_report": str(html_path),
            "nominations": len(stories),
            "tagger_top1_agreement": top1,
            "tagger_top3_agreement": top3,
            **decided,
            "concerns": n_concerns,
            "concerns_mitigated": n_mitigated,
            "teams": summary,
            "rubric_version": rubric.version,
            "seconds": round(time.perf_counter() - t0, 2),
            "generated": datetime.now(UTC).date().isoformat(),
        }
    finally:
        if tmp is not None:
            tmp.cleanup()

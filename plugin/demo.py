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
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlmodel import col, select

from liumai.config import load_settings
from liumai.files import write_private
from liumai.periods import week_of
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

    zh = lang.startswith("zh")
    t = Table(title=title, title_justify="left")
    t.add_column("成员" if zh else "Person")
    for v in rubric.values:
        t.add_column(v.names.get(lang), justify="right")
    t.add_column("总分" if zh else "Total", justify="right")
    t.add_column("含待审核" if zh else "+pending", justify="right")
    for s in scores:
        acc, pend = s.result.accepted, s.result.with_pending
        t.add_row(s.name, *(f"{acc.values[v.key].score:g}" for v in rubric.values), f"{acc.total:g}", f"{pend.total:g}")
    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    console.print(t)
    return console.export_text().rstrip()


def _next_steps(acc, rubric, lang: str) -> str:
    """One short line per person: the common case (a level waiting for its first conforming case)
    grouped, anything else (a blocking concern, more nominators) in the engine's own words."""
    zh = lang.startswith("zh")
    waiting, other = [], []
    for v in rubric.values:
        stop = acc.values[v.key].stop
        if stop is None:
            continue
        if stop.more_nominators_needed and not stop.distinct_nominators and not stop.blocking_ids:
            waiting.append(stop.criterion)
        else:
            other.append(next_step(acc.values[v.key], rubric, lang) or stop.criterion)
    parts = []
    if waiting:
        parts.append(("各需要一个符合的案例：" if zh else "needs one conforming case: ") + ", ".join(waiting))
    parts.extend(other)
    return "; ".join(parts) if parts else ("全部通过" if zh else "all levels met")


def run_demo(*, db: Path | None, out: Path, lang: str = "en", echo: Callable[[str], None] | None = print) -> dict:
    say = echo or (lambda _s: None)
    zh = lang.startswith("zh")
    t0 = time.perf_counter()
    tmp: tempfile.TemporaryDirectory | None = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="liumai-demo-")
        db = Path(tmp.name) / "demo.db"
    elif db.exists():
        raise SystemExit(f"error: {db} exists; the demo needs a fresh file (remove it or choose another --db)")
    try:
        settings = load_settings(LIUMAI_DATABASE_URL=f"sqlite:///{db}")
        rubric = load_rubric(settings.rubric)
        engine = make_engine(settings.database_url)
        migrate(engine)
        tagger = OfflineTagger(rubric)
        ctx = AppContext(settings=settings, engine=engine, rubric=rubric, tagger=tagger)
        quarter = ctx.current_quarter()
        q_start, q_end = quarter.bounds(settings.tz)
        today = ctx.now()
        elapsed = max(1, min((today - q_start).days + 1, (q_end - q_start).days))

        # 1. org chart and teams
        report = import_org(ctx, _read("org.csv"), actor="demo")
        for row in csv.DictReader(io.StringIO(_read("teams.csv"))):
            set_team(
                ctx,
                row["team"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                slack_channel_id=row["slack_channel_id"] or None,
                feishu_chat_id=row["feishu_chat_id"] or None,
                actor="demo",
            )
        say(
            f"组织：导入 {len(report.created)} 人，{len(report.teams_created)} 个团队（{quarter}，{db}）"
            if zh
            else f"Organisation: {len(report.created)} people imported into {len(report.teams_created)} teams "
            f"(quarter {quarter}, {db})"
        )

        # 2. nominations through the real services and the offline tagger
        stories = _jsonl("stories.jsonl")
        agree_top1 = agree_top3 = abstained = 0
        evidence_ids: list[int] = []
        for i, s in enumerate(stories):
            at = _moment(q_start, elapsed, int(s["day"]))
            res = nom.nominate(
                ctx,
                s["from"],
                s["to"],
                s["text"],
                source="demo",
                idempotency_key=f"demo:{i}",
                private=bool(s.get("private")),
                at=at,
            )
            suggested = [x.criterion for x in res.suggestions]
            if not suggested:
                abstained += 1
            if suggested[:1] == [s["criterion"]]:
                agree_top1 += 1
            if s["criterion"] in suggested:
                agree_top3 += 1
            # The nominator picks their behaviour among the suggestions, or chooses another.
            e = nom.confirm(ctx, res.nomination.id, s["from"], s["criterion"])
            evidence_ids.append(e.id)
        say(
            f"提名：{len(stories)} 个故事由离线标注器归类；提名人所选行为为首选建议的有 {agree_top1} 个，"
            f"在前三条建议中的有 {agree_top3} 个（弃权 {abstained} 个）"
            if zh
            else f"Nominations: {len(stories)} stories tagged offline; the nominator's behaviour was the top "
            f"suggestion for {agree_top1} and among the top three for {agree_top3} ({abstained} abstained)"
        )

        # 3. managers decide: most accepted, some rejected, a few left pending for review
        accepted = rejected = pending = 0
        with session_scope(engine) as session:
            everyone = session.exec(select(Person).order_by(col(Person.id))).all()
            admin = next(p for p in everyone if p.is_admin)
            # Each person's evidence is decided by their manager; the top of the chart by the admin.
            deciders = {p.id: p.manager_id or admin.id for p in everyone}
            emails = {p.id: p.email for p in everyone}
            subjects = dict(
                session.exec(select(Evidence.id, Evidence.subject_id).where(col(Evidence.id).in_(evidence_ids))).all()
            )
        for n, eid in enumerate(evidence_ids):
            subject = subjects[eid]
            decider = deciders[subject]
            if decider == subject:  # the admin's own evidence goes to the top of the chart
                continue
            if n % 12 == 7:
                rejected += 1
                ev.decide(ctx, eid, emails[decider], "rejected")
            elif n % 12 == 11:
                pending += 1
            else:
                accepted += 1
                ev.decide(ctx, eid, emails[decider], "accepted")
        concerns = _jsonl("concerns.jsonl")
        for c in concerns:
            ev.add_concern(
                ctx,
                c["by"],
                c["person"],
                c["criterion"],
                c["note"],
                mitigated=bool(c["mitigated"]),
                at=_moment(q_start, elapsed, int(c["day"])),
            )
        # Counted from the database, not from the data file: the line reports what was recorded.
        with session_scope(engine) as session:
            recorded = session.exec(select(Concern.mitigated)).all()
        n_concerns, n_mitigated = len(recorded), sum(1 for m in recorded if m)
        say(
            f"审核：接受 {accepted} 条，驳回 {rejected} 条，待审核 {pending} 条；"
            f"记录关注事项 {n_concerns} 条（其中 {n_mitigated} 条情有可原）"
            if zh
            else f"Reviews: {accepted} accepted, {rejected} rejected, {pending} left pending; "
            f"{n_concerns} concern{'s' if n_concerns != 1 else ''} recorded ({n_mitigated} mitigated)"
        )

        # 4. each team's scores with reasons, and the Markdown summary
        with session_scope(engine) as session:
            teams = session.exec(select(Team).order_by(col(Team.id))).all()
        md = [
            f"# {'价值观季度小结' if lang == 'zh' else 'Values quarterly summary'} — {quarter}",
            "",
            f"Rubric `{rubric.version}`",
            "",
        ]
        summary: dict[str, dict] = {}
        summaries = {}
        for team in teams:
            summaries[team.key] = team_summary(ctx, team=team.key, quarter=str(quarter))
            scores = summaries[team.key].people
            name = team.name_zh if lang == "zh" else team.name_en
            summary[team.key] = {
                s.email: {
                    "total": s.result.accepted.total,
                    "total_with_pending": s.result.with_pending.total,
                    "values": {k: v.score for k, v in s.result.accepted.values.items()},
                }
                for s in scores
            }
            md.append(summary_markdown(summaries[team.key], rubric, lang))
            say("")
            say(_team_table(f"{name} ({team.key})", scores, rubric, lang))
            for ps in scores:
                acc = ps.result.accepted
                say(f"  {ps.name}: {_next_steps(acc, rubric, lang)}")
        # 5. this week's digest preview for each team, and the HTML report with charts
        week = week_of(today, settings.tz)
        for team in teams:
            d = build_digest(ctx, team.key, week)
            if d.total:
                say("")
                say(digest_text(d, rubric, lang, markdown=False).rstrip())
                md.append(digest_text(d, rubric, lang))
        write_private(out, "\n".join(md))
        html_path = out.with_suffix(".html")
        sections: list[PersonSummary | TeamSummary] = [summaries[k] for k in ("payments", "support")]
        html = report_html(sections, rubric, lang, title="Acme Cloud")
        write_private(html_path, html)
        say("")
        took = time.perf_counter() - t0
        say(
            f"小结已写入 {out}，含图表的 HTML 报告已写入 {html_path}（{took:.1f} 秒）"
            if zh
            else f"Summary written to {out}, HTML report with charts to {html_path} ({took:.1f} s)"
        )
        with session_scope(engine) as session:
            get_person(session, stories[0]["to"])  # sanity: data is readable after the run
        engine.dispose()
        return {
            "quarter": str(quarter),
            "database": str(db),
            "summary_file": str(out),
            "html_report": str(html_path),
            "nominations": len(stories),
            "tagger_top1_agreement": agree_top1,
            "tagger_top3_agreement": agree_top3,
            "accepted": accepted,
            "rejected": rejected,
            "pending": pending,
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

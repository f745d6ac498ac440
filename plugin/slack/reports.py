"""`/values summary`, `/values team`, `/values digest` and the App Home's summary button.

- `/values summary @someone [2026Q4]`: the person's quarterly summary (scores with the engine's
  reasons, cited evidence, concerns, what is missing for the next level) as ephemeral messages -
  only the asker sees them, in any channel - and the radar chart, the CSV and the self-contained
  HTML report as files in the asker's direct messages with the bot. Summaries hold concerns, so
  nothing of them is ever posted where anyone else could read it.
- `/values team [team-key | @manager] [2026Q4] [all]`: the team roll-up, delivered the same way;
  no argument means the asker's direct reports (`all`: their whole subtree).
- `/values digest [team-key] [preview] [2026-W47]`: post last week's team digest now (once per
  team and week, through `post_digest`), or preview this week's so far, privately.
- `/values calibration [2026Q4] [@manager]`: the calibration across teams (admins: the whole org;
  managers: the subtree under them) as an HTML file in the asker's DM, with one private line of
  headline counts; it names people and holds concern rates, so it goes to nobody else.

Who may see what is the services' rule (`viewer=`), so refusals read the same as on Feishu and
the CLI; the adapter adds one courtesy - someone who manages nobody is told so before anything is
computed. The org questions on the way (which teams exist, which team a manager means, whether
they have reports, where a digest went) are services' answers too (`liumai.services.org`,
`has_direct_reports`): nothing here reads the database. Everything here runs in lazy listeners,
after the command was acknowledged.

Slack's limits shape the delivery: a response_url takes at most five messages, so a summary is
sent as at most `MAX_PAGES` pages of at most 50 blocks (the HTML report always has everything)
plus one line saying where the files went; files go through slack-sdk's `files_upload_v2`
(files.getUploadURLExternal, the upload, files.completeUploadExternal), which needs `files:write`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from liumai.periods import week_of
from liumai.reports.calibration_render import calibration_file
from liumai.reports.escape import file_slug
from liumai.reports.summary_render import person_chart, summary_csv, summary_html, team_chart
from liumai.services.calibration import Calibration, calibration
from liumai.services.digest import authorize_digest_preview, build_digest, post_digest, previous_week
from liumai.services.org import TEAM_RE, find_team, managed_team, team_keys
from liumai.services.people import has_direct_reports
from liumai.services.recognition import is_manager
from liumai.services.summaries import PersonSummary, TeamSummary, person_summary, team_summary
from liumai.slack import views as B
from liumai.slack.base import Subcommands, ref
from liumai.slack.digest import SlackDigestPoster
from liumai.slack.parsing import Args, parse_args
from liumai.slack.report_blocks import digest_slack_blocks, summary_slack_pages, team_slack_pages
from liumai.slack.texts import tx

MAX_PAGES = 3  # + the files line: four of the five messages a response_url takes
Pages = list[list[dict]]


def fit_pages(pages: Pages, lang: str, limit: int = MAX_PAGES) -> Pages:
    """At most `limit` pages; when some were left out, the last one says the HTML report has all."""
    if len(pages) <= limit:
        return pages
    kept = [list(p) for p in pages[:limit]]
    note = B.context(tx("summary.more", lang))
    last = kept[-1]
    if len(last) >= B.MAX_MESSAGE_BLOCKS:
        last[-1] = note
    else:
        last.append(note)
    return kept


@dataclass(frozen=True)
class Report:
    """What one summary command delivers: message pages, files for the DM, and their caption."""

    title: str
    quarter: str
    pages: Pages
    files: list[tuple[str, bytes]]  # (file name, bytes); the chart first
    comment: str | None = None  # the caption of the files in the DM (default: a summary's)
    sent: str | None = None  # the line after the files went (default: a summary's)


class SlackReports(Subcommands):
    """The report subcommands; each takes the requester, their language and a way to reply."""

    def args(self, text: str) -> Args:
        s = self.ctx.settings
        return parse_args(text, fiscal_start=s.fiscal_year_start_month, tz=s.tz)

    def _teams_text(self) -> tuple[str, str]:
        """An example key and the list of known teams, for replies that ask the user to name one."""
        keys = team_keys(self.ctx)
        return (keys[0] if keys else "team-key"), (", ".join(f"`{k}`" for k in keys[:30]) or "-")

    def _known_team(self, key: str) -> bool:
        """Whether a typed team key names a stored team (a malformed one is not looked up at all)."""
        return bool(TEAM_RE.match(key)) and find_team(self.ctx, key) is not None

    # ------------------------------------------------------------------ rendering
    def person_report(self, s: PersonSummary, lang: str) -> Report:
        rubric = self.ctx.rubric
        base = f"liumai-summary-{file_slug(s.email, 'person')}-{s.quarter}"
        files = [
            (f"{base}.png", person_chart(s, rubric, lang)),
            (f"{base}.csv", summary_csv(s, rubric, lang).encode("utf-8-sig")),  # BOM: Excel reads UTF-8
            (f"{base}.html", summary_html(s, rubric, lang).encode()),
        ]
        pages = fit_pages(summary_slack_pages(s, rubric, lang, concerns=True), lang)
        return Report(s.name, s.quarter, pages, files)

    def team_report(self, s: TeamSummary, lang: str, slug: str) -> Report:
        rubric = self.ctx.rubric
        base = f"liumai-team-{file_slug(slug, 'team')}-{s.quarter}"
        files = [(f"{base}.png", team_chart(s, rubric, lang))] if s.people else []
        files += [
            (f"{base}.csv", summary_csv(s, rubric, lang).encode("utf-8-sig")),
            (f"{base}.html", summary_html(s, rubric, lang).encode()),
        ]
        pages = fit_pages(team_slack_pages(s, rubric, lang), lang)
        return Report(s.title, s.quarter, pages, files)

    # ------------------------------------------------------------------ delivery
    def send_files(self, client: WebClient, user: str, lang: str, report: Report) -> str | None:
        """The report's files in one message of the user's DM; None when delivered, else why not."""
        log = self.deps.logger
        try:
            opened = client.conversations_open(users=user)
            dm = ((opened.get("channel") or {}).get("id")) or user
            uploads = [
                {"file" if name.endswith(".png") else "content": data, "filename": name, "title": name}
                for name, data in report.files
            ]
            client.files_upload_v2(
                file_uploads=uploads,
                channel=dm,
                initial_comment=report.comment
                or tx("files.comment", lang, title=B.escape(report.title), quarter=report.quarter),
            )
        except SlackApiError as exc:
            error = str((exc.response or {}).get("error") or "error")
            log.warning("slack: sending report files to %s failed: %s", user, error)
            return error
        except (SlackRequestError, OSError) as exc:
            log.warning("slack: sending report files to %s failed: %s", user, exc.__class__.__name__)
            return exc.__class__.__name__
        return None

    def deliver(self, client: WebClient, respond: Respond, user: str, lang: str, report: Report) -> None:
        """Pages as ephemeral replies (only the asker sees them), then the files to the DM."""
        fallback = B.escape(f"{report.title} · {report.quarter}")
        for page in report.pages:
            respond(text=fallback, blocks=page, response_type="ephemeral", replace_original=False)
        error = self.send_files(client, user, lang, report)
        sent = report.sent or tx("files.sent", lang)
        text = sent if error is None else tx("files.failed", lang, error=B.escape(error))
        respond(text=text, blocks=[B.context(text)], response_type="ephemeral", replace_original=False)

    # ------------------------------------------------------------------ /values summary
    def summary(self, user: str, lang: str, text: str, reply: Callable[[str], None], respond: Respond, client) -> None:
        args = self.args(text)
        if not is_manager(self.ctx, ref(user)):
            reply(tx("team.not_manager", lang))
            return
        if args.bad:
            reply(tx(args.bad[0], lang, text=B.escape(args.bad[1][:40])))
            return
        if len(args.mentions) != 1 or args.words:
            reply(tx("summary.usage", lang, cmd=self.cmd))
            return
        s = person_summary(self.ctx, ref(args.mentions[0]), args.quarter, viewer=ref(user))
        self.deliver(client, respond, user, lang, self.person_report(s, lang))

    # ------------------------------------------------------------------ /values team
    def team(self, user: str, lang: str, text: str, reply: Callable[[str], None], respond: Respond, client) -> None:
        args = self.args(text)
        viewer = ref(user)
        if not is_manager(self.ctx, viewer):
            reply(tx("team.not_manager", lang))
            return
        if args.bad:
            reply(tx(args.bad[0], lang, text=B.escape(args.bad[1][:40])))
            return
        if len(args.mentions) > 1 or len(args.words) > 1 or (args.mentions and args.words):
            reply(tx("team.usage", lang, cmd=self.cmd))
            return
        s: TeamSummary | None
        if args.mentions:
            s = team_summary(
                self.ctx, manager=ref(args.mentions[0]), subtree=args.subtree, quarter=args.quarter, viewer=viewer
            )
            slug = s.title
        elif args.words:
            key = args.words[0]
            if not self._known_team(key):
                _example, teams = self._teams_text()
                reply(tx("team.unknown", lang, team=B.escape(key[:64]), teams=teams))
                return
            s = team_summary(self.ctx, team=key, quarter=args.quarter, viewer=viewer)
            slug = key
        else:
            s = self.my_team(user, args.quarter, args.subtree)
            if s is None:
                example, teams = self._teams_text()
                reply(tx("team.name_one", lang, cmd=self.cmd, example=example, teams=teams))
                return
            slug = s.title
        self.deliver(client, respond, user, lang, self.team_report(s, lang, slug))

    def my_team(self, user: str, quarter: str | None, subtree: bool = False) -> TeamSummary | None:
        """The roll-up of `user`'s own people; None when nobody reports to them (an admin)."""
        if not has_direct_reports(self.ctx, ref(user)):
            return None
        return team_summary(self.ctx, manager=ref(user), subtree=subtree, quarter=quarter, viewer=ref(user))

    def home_summary(self, client: WebClient, user: str, lang: str) -> str:
        """The Home tab's button: the team summary into the manager's DM; returns the Home notice."""
        if not is_manager(self.ctx, ref(user)):
            return tx("team.not_manager", lang)
        s = self.my_team(user, None)
        if s is None:
            example, teams = self._teams_text()
            return tx("team.name_one", lang, cmd=self.cmd, example=example, teams=teams)
        report = self.team_report(s, lang, s.title)
        opened = client.conversations_open(users=user)
        dm = ((opened.get("channel") or {}).get("id")) or user
        fallback = B.escape(f"{report.title} · {report.quarter}")
        for page in report.pages:
            client.chat_postMessage(channel=dm, text=fallback, blocks=page, unfurl_links=False, unfurl_media=False)
        error = self.send_files(client, user, lang, report)
        if error is not None:
            return tx("files.failed", lang, error=B.escape(error))
        return tx("home.summary_sent", lang, quarter=s.quarter)

    # ------------------------------------------------------------------ /values calibration
    def calibration(
        self, user: str, lang: str, text: str, reply: Callable[[str], None], respond: Respond, client: WebClient
    ) -> None:
        args = self.args(text)
        if args.bad:
            reply(tx(args.bad[0], lang, text=B.escape(args.bad[1][:40])))
            return
        if len(args.mentions) > 1 or args.words or args.week or args.preview or args.subtree:
            reply(tx("calibration.usage", lang, cmd=self.cmd))
            return
        under = ref(args.mentions[0]) if args.mentions else None
        c = calibration(self.ctx, args.quarter, viewer=ref(user), under=under)
        self.deliver(client, respond, user, lang, self.calibration_report(c, lang))

    def calibration_report(self, c: Calibration, lang: str) -> Report:
        scope = c.scope.name if c.scope else tx("calibration.whole_org", lang)
        line = tx(
            "calibration.sent",
            lang,
            quarter=c.quarter,
            scope=B.escape(scope),
            people=c.people,
            outliers=len({o.manager.email for o in c.outliers}),
            signals=len(c.signals),
            unrecognised=len(c.unrecognised),
        )
        return Report(
            scope,
            c.quarter,
            [[B.section(line)]],
            [calibration_file(c, self.ctx.rubric, lang)],
            comment=tx("calibration.comment", lang, quarter=c.quarter, scope=B.escape(scope)),
            sent=tx("calibration.files_sent", lang),
        )

    # ------------------------------------------------------------------ /values digest
    def digest(
        self, user: str, lang: str, text: str, reply: Callable[[str], None], respond: Respond, client: WebClient
    ) -> None:
        args = self.args(text)
        if not is_manager(self.ctx, ref(user)):
            reply(tx("not_manager", lang))
            return
        if args.bad:
            reply(tx(args.bad[0], lang, text=B.escape(args.bad[1][:40])))
            return
        if args.mentions or len(args.words) > 1:
            reply(tx("digest.usage", lang, cmd=self.cmd))
            return
        key = args.words[0] if args.words else managed_team(self.ctx, ref(user))
        if key is None:
            example, teams = self._teams_text()
            reply(tx("digest.name_team", lang, cmd=self.cmd, example=example, teams=teams))
            return
        if not self._known_team(key):
            _example, teams = self._teams_text()
            reply(tx("team.unknown", lang, team=B.escape(key[:64]), teams=teams))
            return
        # A preview shows this week so far; posting defaults to last week - the digest the Monday
        # schedule posts - so a manager can never use up the current week's one post by accident.
        week = args.week or (week_of(self.ctx.now(), self.ctx.settings.tz) if args.preview else previous_week(self.ctx))
        if args.preview:
            self._digest_preview(user, lang, key, week, respond)
        else:
            reply(self._digest_post(user, lang, key, week, client))

    def _digest_preview(self, user: str, lang: str, key: str, week: str, respond: Respond) -> None:
        """This week so far, privately, with a note that nothing was posted."""
        authorize_digest_preview(self.ctx, key, ref(user))
        d = build_digest(self.ctx, key, week)
        blocks = digest_slack_blocks(d, self.ctx.rubric, lang)
        note = B.context(tx("digest.preview", lang, cmd=self.cmd, team=key))
        blocks = [*blocks[: B.MAX_MESSAGE_BLOCKS - 1], note]
        respond(
            text=B.escape(f"{d.team_key} · {d.week}"),
            blocks=blocks,
            response_type="ephemeral",
            replace_original=False,
        )

    def _digest_post(self, user: str, lang: str, key: str, week: str, client: WebClient) -> str:
        """Post the week's digest (once per team, week and channel); the reply says what happened."""
        poster = SlackDigestPoster(self.ctx, lambda: client, logger=self.deps.logger)
        outcome = post_digest(self.ctx, key, week, [poster], owner=f"slack:{user}", viewer=ref(user))
        if outcome.status not in ("posted", "already_posted", "in_progress", "no_target"):
            return tx("digest.failed", lang, error=B.escape(slack_error(outcome.error or outcome.status)))
        channel = ""
        if outcome.status == "posted":
            team = find_team(self.ctx, key)
            channel = (team.slack_channel_id if team else None) or ""
        text = tx(
            f"digest.{outcome.status}", lang, team=key, week=week, where=f"<#{channel}>", option="--slack-channel C…"
        )
        return f":white_check_mark: {text}" if outcome.status == "posted" else text


def slack_error(text: str) -> str:
    """The Slack error code inside a SlackApiError's text (`not_in_channel`), else the text, short."""
    m = re.search(r"'error': '([a-z_]+)'", text)
    return m.group(1) if m else text.splitlines()[0][:200]

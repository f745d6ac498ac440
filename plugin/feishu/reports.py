"""The Feishu commands that produce reports or act on a person's data.

- `/values summary @someone [2026Q4]` and `/values team [team-key|@manager] [2026Q4] [all]`: the
  summary card, then the radar chart (an image message) and the CSV and HTML report (file
  messages), all in the requester's direct chat with the bot - summaries hold concerns, so they
  never go to a group, even when asked for in one;
- `/values digest [team-key] [preview] [2026-W47]`: post last week's team digest now (if not yet
  posted), or preview this week's so far;
- `/values calibration [2026Q4] [@manager]`: the calibration across teams (admins: the whole org;
  managers: the subtree under them) as an HTML file in the requester's direct chat, after one line
  of headline counts; it names people and holds concern rates, so it never goes to a group;

`/values evidence`, `export` and `erase` are in `liumai.feishu.records`, as on Slack.

Who may do what is decided by the services (`viewer=`), so the rules and the refusal wording are
the same as on Slack and the CLI; where the adapter must choose before calling a service (whose
team, whether to offer an erase button) it asks a service for that rule too (`managed_team`,
`erase_target`, `authorize_digest_preview`), and only the wording of the reply is its own.
Everything here runs on the bot's worker pool, after the event was acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from liumai.feishu import review_views
from liumai.feishu.client import FeishuApi, FeishuApiError
from liumai.feishu.digest import FeishuDigestPoster, digest_card
from liumai.feishu.parsing import Args, Command, Mention
from liumai.feishu.report_cards import summary_feishu_card
from liumai.feishu.texts import clip, tr
from liumai.feishu.views import fit_card
from liumai.periods import week_of
from liumai.reports.calibration_render import calibration_file
from liumai.reports.escape import file_slug
from liumai.reports.summary_render import person_chart, summary_csv, summary_html, team_chart
from liumai.services.calibration import calibration
from liumai.services.context import AppContext
from liumai.services.deliveries import profile
from liumai.services.digest import authorize_digest_preview, build_digest, post_digest, previous_week
from liumai.services.org import managed_team, team_keys
from liumai.services.people import Profile, has_direct_reports, require_profile
from liumai.services.summaries import PersonSummary, TeamSummary, person_summary, team_summary

log = logging.getLogger(__name__)

NAME_MAX = 80


def ref(open_id: str) -> str:
    return f"feishu:{open_id}"


class FeishuReports:
    def __init__(
        self,
        ctx: AppContext,
        api: FeishuApi,
        poster: FeishuDigestPoster,
        reply: Callable[[str, str, str | None], None],
    ) -> None:
        self.ctx = ctx
        self.api = api
        self.poster = poster
        self.reply = reply  # (open_id, text, dedup): a text message, made inert by the bot

    # ------------------------------------------------------------------ helpers
    def _subject(self, mention: Mention | None, open_id: str, lang: str, dedup: str | None) -> Profile | None:
        """The person a mention names, or None after telling the requester they are unknown."""
        if mention is None:
            return None
        person = profile(self.ctx, ref(mention.open_id)) if mention.open_id else None
        if person is None:
            self.reply(open_id, tr("unknown_person", lang, who=clip(mention.name, NAME_MAX)), dedup)
        return person

    def _key(self, dedup: str | None, part: str) -> str | None:
        return f"{dedup}:{part}" if dedup else None

    def _send_files(
        self, open_id: str, lang: str, dedup: str | None, files: list[tuple[str, bytes]], png: bytes | None
    ) -> None:
        """The chart as an image message, then each file as a file message; a failure is explained."""
        try:
            if png is not None:
                image_key = self.api.upload_image(png)
                self.api.send_image(open_id, image_key, dedup=self._key(dedup, "chart"))
            for name, data in files:
                file_key = self.api.upload_file(data, name)
                self.api.send_file(open_id, file_key, dedup=self._key(dedup, name))
        except FeishuApiError as exc:
            log.warning("feishu: sending report files to %s failed: %s", open_id, exc)
            self.reply(open_id, tr("files.failed", lang, error=exc.msg or exc), dedup)

    # ------------------------------------------------------------------ summaries
    def summary(self, open_id: str, lang: str, cmd: Command, dedup: str | None) -> None:
        mention = cmd.mentions[0] if cmd.mentions else None
        if mention is None or not mention.open_id:
            self.reply(open_id, tr("summary.usage", lang), dedup)
            return
        subject = self._subject(mention, open_id, lang, dedup)
        if subject is None:
            return
        args = Args.of(cmd)
        s = person_summary(self.ctx, subject.id, args.quarter, viewer=ref(open_id))
        self._send_person(open_id, lang, s, dedup)

    def _send_person(self, open_id: str, lang: str, s: PersonSummary, dedup: str | None) -> None:
        rubric = self.ctx.rubric
        card = fit_card(summary_feishu_card(s, rubric, lang, concerns=True), lang)
        self.api.send_card(open_id, card, dedup=self._key(dedup, "card"))
        base = f"liumai-summary-{file_slug(s.email, 'person')}-{s.quarter}"
        files = [
            (f"{base}.csv", summary_csv(s, rubric, lang).encode("utf-8-sig")),  # BOM: Excel reads UTF-8
            (f"{base}.html", summary_html(s, rubric, lang).encode()),
        ]
        self._send_files(open_id, lang, dedup, files, person_chart(s, rubric, lang))

    def team(self, open_id: str, lang: str, cmd: Command, dedup: str | None) -> None:
        args = Args.of(cmd)
        viewer = ref(open_id)
        if cmd.mentions:
            manager = self._subject(cmd.mentions[0], open_id, lang, dedup)
            if manager is None:
                return
            s = team_summary(self.ctx, manager=manager.id, subtree=args.subtree, quarter=args.quarter, viewer=viewer)
        elif args.words:
            s = team_summary(self.ctx, team=args.words[0], quarter=args.quarter, viewer=viewer)
        else:
            if not has_direct_reports(self.ctx, viewer):
                if require_profile(self.ctx, viewer).is_admin:
                    teams = team_keys(self.ctx)
                    example = teams[0] if teams else "team-key"
                    self.reply(open_id, tr("team.name_one", lang, example=example, teams=", ".join(teams)), dedup)
                else:
                    self.reply(open_id, tr("team.not_manager", lang), dedup)
                return
            s = team_summary(self.ctx, manager=viewer, subtree=args.subtree, quarter=args.quarter, viewer=viewer)
        self._send_team(open_id, lang, s, dedup)

    def _send_team(self, open_id: str, lang: str, s: TeamSummary, dedup: str | None) -> None:
        rubric = self.ctx.rubric
        card = fit_card(review_views.team_card(s, rubric, lang), lang)
        self.api.send_card(open_id, card, dedup=self._key(dedup, "card"))
        base = f"liumai-team-{file_slug(s.title.split(' / ')[-1], 'team')}-{s.quarter}"
        files = [
            (f"{base}.csv", summary_csv(s, rubric, lang).encode("utf-8-sig")),
            (f"{base}.html", summary_html(s, rubric, lang).encode()),
        ]
        self._send_files(open_id, lang, dedup, files, team_chart(s, rubric, lang) if s.people else None)

    # ------------------------------------------------------------------ calibration
    def calibration(self, open_id: str, lang: str, cmd: Command, dedup: str | None) -> None:
        args = Args.of(cmd)
        if len(cmd.mentions) > 1 or args.words or args.week or args.preview or args.subtree:
            self.reply(open_id, tr("calibration.usage", lang), dedup)
            return
        under = None
        if cmd.mentions:
            person = self._subject(cmd.mentions[0], open_id, lang, dedup)
            if person is None:
                return
            under = person.id
        c = calibration(self.ctx, args.quarter, viewer=ref(open_id), under=under)
        scope = c.scope.name if c.scope else tr("calibration.whole_org", lang)
        line = tr(
            "calibration.sent",
            lang,
            quarter=c.quarter,
            scope=scope,
            people=c.people,
            outliers=len({o.manager.email for o in c.outliers}),
            signals=len(c.signals),
            unrecognised=len(c.unrecognised),
        )
        self.reply(open_id, f"{line}\n{tr('calibration.file_follows', lang)}", self._key(dedup, "calibration"))
        self._send_files(open_id, lang, dedup, [calibration_file(c, self.ctx.rubric, lang)], None)

    # ------------------------------------------------------------------ digest
    def _digest_team(self, open_id: str, args: Args) -> str | None:
        """The team named, else the one the requester manages (`managed_team`), if unambiguous."""
        if args.words:
            return args.words[0]
        return managed_team(self.ctx, ref(open_id))

    def digest(self, open_id: str, lang: str, cmd: Command, dedup: str | None) -> None:
        args = Args.of(cmd)
        key = self._digest_team(open_id, args)
        if key is None:
            teams = team_keys(self.ctx)
            example = teams[0] if teams else "team-key"
            self.reply(open_id, tr("digest.name_team", lang, example=example, teams=", ".join(teams)), dedup)
            return
        # A preview shows this week so far; posting defaults to last week - the digest the Monday
        # schedule posts - so a manager can never use up the current week's one post by accident.
        week = args.week or (week_of(self.ctx.now(), self.ctx.settings.tz) if args.preview else previous_week(self.ctx))
        if args.preview:
            authorize_digest_preview(self.ctx, key, ref(open_id))
            d = build_digest(self.ctx, key, week)
            card = digest_card(self.ctx, d, lang)
            note = {"tag": "plain_text", "content": tr("digest.preview", lang, team=key)}
            card["elements"].append({"tag": "note", "elements": [note]})
            self.api.send_card(open_id, card, dedup=self._key(dedup, "preview"))
            return
        outcome = post_digest(self.ctx, key, week, [self.poster], owner=f"feishu:{open_id}", viewer=ref(open_id))
        status = outcome.status if outcome.status in ("posted", "already_posted", "in_progress", "no_target") else None
        if status is None:
            text = tr("digest.failed", lang, error=outcome.error or outcome.status)
        else:
            where = tr("digest.team_place", lang)
            text = tr(f"digest.{status}", lang, team=outcome.team, week=week, where=where, option="--feishu-chat oc_…")
        self.reply(open_id, text, dedup)

"""The App Home tab: my recognition by value and recent stories; for managers, a button for this
quarter's summary, the review queue and which of their people have no recognition yet this quarter.

Published on `app_home_opened` (de-duplicated by event id, so a retried event publishes once)
and again after a decision made from the tab, so the tab always shows the current state.
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from liumai.services.errors import NotFound
from liumai.services.recognition import is_manager, my_recognition, unrecognised
from liumai.services.review_room import review_room
from liumai.slack import review_views
from liumai.slack import views as B
from liumai.slack.base import Deps, acknowledge, guarded, ref
from liumai.slack.reports import SlackReports


def publish_home(deps: Deps, client: WebClient, user: str, *, notice: str | None = None) -> None:
    """Render and publish `user`'s Home tab in their language."""
    ctx = deps.ctx
    lang = deps.lang_for(user, client)
    try:
        me = my_recognition(ctx, ref(user))
    except NotFound:
        view = review_views.home_view(
            deps.rubric, lang, me=None, not_in_org=True, nominate_cmd=deps.config.nominate_command
        )
    else:
        queue = names = signals = None
        if is_manager(ctx, ref(user)):
            room = review_room(ctx, ref(user), limit=review_views.HOME_REVIEW_LIMIT + 1)
            queue, signals = room.items, room.signals_by_item(review_views.HOME_REVIEW_LIMIT)
            names = [p.display_name for p in unrecognised(ctx, ref(user))]
        view = review_views.home_view(
            deps.rubric,
            lang,
            me=me,
            queue=queue,
            signals=signals,
            unrecognised=names,
            notice=notice,
            nominate_cmd=deps.config.nominate_command,
            values_cmd=deps.config.values_command,
        )
    client.views_publish(user_id=user, view=view)


def register(app: App, deps: Deps) -> None:
    """Attach the App Home listener to `app`."""

    home_ack = acknowledge(deps)

    @guarded(deps)
    def home_lazy(body: dict, client: WebClient, event: dict) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps, client, event["user"])

    app.event("app_home_opened")(ack=home_ack, lazy=[home_lazy])

    # "This quarter's summary" (managers): the team summary and its files go to the manager's DM,
    # the only place a summary (which holds concerns) may be posted; the tab then says so.
    reports = SlackReports(deps)

    summary_ack = acknowledge(deps)

    @guarded(deps)
    def summary_lazy(body: dict, client: WebClient) -> None:
        user = body["user"]["id"]
        notice = reports.home_summary(client, user, deps.lang_for(user, client))
        publish_home(deps, client, user, notice=notice)

    app.action(B.A_HOME_SUMMARY)(ack=summary_ack, lazy=[summary_lazy])

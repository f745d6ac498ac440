"""Block Kit for managers and the reader: the concern form, `/values me`, the review queue, the App Home."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from liumai.reports.calibration_render import signal_text
from liumai.rubric.model import Rubric
from liumai.services.calibration import SignalView
from liumai.services.evidence import EvidenceView
from liumai.services.recognition import MyRecognition, StoryView
from liumai.slack.texts import SHARED, tx
from liumai.slack.views import (
    A_ACCEPT,
    A_HOME_NOMINATE,
    A_HOME_SUMMARY,
    A_REJECT,
    A_RETAG,
    B_CRITERION,
    B_MITIGATED,
    B_NOTE,
    B_SUBJECT,
    CONCERN_VIEW,
    MAX_MESSAGE_BLOCKS,
    MAX_STORY,
    MAX_VIEW_BLOCKS,
    REVIEW_BLOCK_PREFIX,
    REVIEW_LIMIT,
    Block,
    behaviour_menu,
    context,
    cut,
    day,
    escape,
    header,
    md,
    modal,
    plain,
    quote,
    section,
    statement,
    value_name,
)


def concern_modal(rubric: Rubric, lang: str, *, subject: str | None = None) -> dict:
    """A manager's private form: about whom, which behaviour, what happened, mitigated or not."""
    picker: dict[str, Any] = {"type": "users_select", "action_id": "user"}
    if subject:
        picker["initial_user"] = subject
    blocks: list[Block] = [
        context(tx("concern.privacy", lang)),
        {"type": "input", "block_id": B_SUBJECT, "label": plain(tx("concern.who", lang), 2000), "element": picker},
        {
            "type": "input",
            "block_id": B_CRITERION,
            "label": plain(tx("concern.behaviour", lang), 2000),
            "element": behaviour_menu(rubric, lang, "criterion", tx("modal.other_placeholder", lang)),
        },
        {
            "type": "input",
            "block_id": B_NOTE,
            "label": plain(tx("concern.note", lang), 2000),
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": MAX_STORY},
        },
        {
            "type": "input",
            "block_id": B_MITIGATED,
            "optional": True,
            "label": plain(tx("modal.options", lang), 2000),
            "element": {
                "type": "checkboxes",
                "action_id": "mitigated",
                "options": [{"text": plain(tx("concern.mitigated_option", lang), 75), "value": "mitigated"}],
            },
        },
    ]
    return modal(
        CONCERN_VIEW, tx("concern.title", lang), blocks, submit=tx("concern.save", lang), close=tx("cancel", lang)
    )


def _story_line(rubric: Rubric, lang: str, s: StoryView, received: bool) -> str:
    key = f"status.{s.status}"
    status = tx(key, lang) if key in SHARED else s.status
    meta = tx(
        "story.received" if received else "story.given",
        lang,
        name=escape(s.other_name),
        date=day(s.created_at),
        status=status,
    )
    crit = f"*{s.criterion}* {escape(value_name(rubric, s.criterion, lang))} · " if s.criterion else ""
    link = f" · {tx('source_link', lang, url=s.source_link)}" if s.source_link else ""
    return f"{crit}_{meta}_{link}\n{quote(s.story, 300)}"


def by_value_fields(rubric: Rubric, lang: str, by_value: dict[str, int]) -> Block:
    fields = [
        md(f"*{escape(v.names.get(lang))}*\n{'●' * min(by_value.get(v.key, 0), 10) or '○'} {by_value.get(v.key, 0)}")
        for v in rubric.values
    ]
    return {"type": "section", "fields": fields[:10]}


def my_recognition_blocks(rubric: Rubric, lang: str, me: MyRecognition, *, nominate_cmd: str) -> list[Block]:
    """`/values me`: this quarter by value, recent stories received and given (never concerns)."""
    blocks: list[Block] = [header(tx("me.header", lang, quarter=me.quarter))]
    if me.total:
        blocks.append(section(tx("me.total", lang, total=me.total)))
        blocks.append(by_value_fields(rubric, lang, me.by_value))
    else:
        blocks.append(section(tx("me.none_this_quarter", lang)))
    if me.received:
        blocks.append({"type": "divider"})
        blocks.append(section(f"*{tx('me.received', lang)}*"))
        blocks.extend(section(_story_line(rubric, lang, s, True)) for s in me.received)
    blocks.append({"type": "divider"})
    blocks.append(section(f"*{tx('me.given', lang)}*"))
    if me.given:
        blocks.extend(section(_story_line(rubric, lang, s, False)) for s in me.given)
    else:
        blocks.append(context(tx("me.none_given", lang, ncmd=nominate_cmd)))
    return blocks[:MAX_MESSAGE_BLOCKS]


MAX_SIGNALS = 3  # per person shown beside their evidence; calibration lists them all


def signal_lines(lang: str, e: EvidenceView, signals: Sequence[SignalView]) -> str:
    """The fairness signals about the person, in plain words (shown to the deciding manager only)."""
    if not signals:
        return ""
    head = tx("review.signals", lang, name=escape(e.subject_name), quarter=e.period)
    lines = [f"• {escape(cut(signal_text(x, lang), 400))}" for x in signals[:MAX_SIGNALS]]
    if len(signals) > MAX_SIGNALS:
        lines.append("• …")
    return "\n:scales: _" + head + "_\n" + "\n".join(lines)


def review_item_blocks(rubric: Rubric, lang: str, e: EvidenceView, signals: Sequence[SignalView] = ()) -> list[Block]:
    """One piece of evidence with accept / reject / re-tag; the block id carries the evidence id."""
    story = quote(e.story or e.note or "", 500)
    link = f" · {tx('source_link', lang, url=e.source_link)}" if e.source_link else ""
    text = tx(
        "review.item",
        lang,
        subject=escape(e.subject_name),
        criterion=e.criterion,
        statement=escape(cut(statement(rubric, e.criterion, lang), 200)),
        story=story,
        nominator=escape(e.nominator_name or "?"),
        date=day(e.occurred_at),
    )
    return [
        section(cut(text + link + signal_lines(lang, e, signals), 3000)),
        {
            "type": "actions",
            "block_id": f"{REVIEW_BLOCK_PREFIX}{e.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": A_ACCEPT,
                    "style": "primary",
                    "text": plain(tx("review.accept", lang), 75),
                    "value": str(e.id),
                },
                {
                    "type": "button",
                    "action_id": A_REJECT,
                    "style": "danger",
                    "text": plain(tx("review.reject", lang), 75),
                    "value": str(e.id),
                    "confirm": {
                        "title": plain(tx("review.reject_confirm_title", lang), 100),
                        "text": plain(tx("review.reject_confirm", lang), 300),
                        "confirm": plain(tx("review.reject", lang), 30),
                        "deny": plain(tx("cancel", lang), 30),
                        "style": "danger",
                    },
                },
                behaviour_menu(rubric, lang, A_RETAG, tx("review.retag", lang)),
            ],
        },
    ]


def review_blocks(
    rubric: Rubric,
    lang: str,
    queue: Sequence[EvidenceView],
    *,
    notice: str | None = None,
    limit: int = REVIEW_LIMIT,
    signals: Mapping[int, Sequence[SignalView]] | None = None,
) -> list[Block]:
    """`/values review` and the Home tab's manager section; `signals` by evidence id (`ReviewRoom`)."""
    blocks: list[Block] = []
    if notice:
        blocks.append(context(notice))
    count = f"{limit}+" if len(queue) > limit else str(len(queue))  # callers fetch limit + 1 to know
    blocks.append(header(tx("review.header", lang, n=count)))
    if not queue:
        blocks.append(section(tx("review.empty", lang)))
    for e in list(queue)[:limit]:
        blocks.extend(review_item_blocks(rubric, lang, e, (signals or {}).get(e.id, ())))
    if len(queue) > limit:
        blocks.append(context(tx("review.more", lang, n=limit)))
    return blocks


# ------------------------------------------------------------------ App Home
HOME_REVIEW_LIMIT = 10


def home_view(
    rubric: Rubric,
    lang: str,
    *,
    me: MyRecognition | None,
    queue: Sequence[EvidenceView] | None = None,
    signals: Mapping[int, Sequence[SignalView]] | None = None,
    unrecognised: Iterable[str] | None = None,
    notice: str | None = None,
    nominate_cmd: str = "/nominate",
    values_cmd: str = "/values",
    not_in_org: bool = False,
) -> dict:
    """The Home tab: my recognition; for managers this quarter's summary, the review queue and who
    has none yet."""
    blocks: list[Block] = [header(tx("home.title", lang)), context(tx("home.intro", lang))]
    if notice:
        blocks.append(section(notice))
    blocks.append(
        {
            "type": "actions",
            "block_id": "liumai_home",
            "elements": [
                {
                    "type": "button",
                    "action_id": A_HOME_NOMINATE,
                    "style": "primary",
                    "text": plain(tx("home.nominate", lang), 75),
                    "value": "nominate",
                }
            ],
        }
    )
    if not_in_org or me is None:
        blocks.append(section(tx("not_in_org", lang)))
        return {"type": "home", "blocks": blocks}
    blocks.append({"type": "divider"})
    blocks.append(section(f"*{tx('home.by_value', lang, quarter=me.quarter)}*"))
    blocks.append(by_value_fields(rubric, lang, me.by_value))
    if me.received:
        blocks.append(section(f"*{tx('me.received', lang)}*"))
        blocks.extend(section(_story_line(rubric, lang, s, True)) for s in me.received)
    blocks.append(section(f"*{tx('me.given', lang)}*"))
    if me.given:
        blocks.extend(section(_story_line(rubric, lang, s, False)) for s in me.given)
    else:
        blocks.append(context(tx("me.none_given", lang, ncmd=nominate_cmd)))
    if queue is not None:
        blocks.append({"type": "divider"})
        blocks.append(header(tx("home.manager", lang)))
        blocks.append(
            {
                "type": "actions",
                "block_id": "liumai_home_manager",
                "elements": [
                    {
                        "type": "button",
                        "action_id": A_HOME_SUMMARY,
                        "text": plain(tx("home.summary", lang), 75),
                        "value": me.quarter,
                    }
                ],
            }
        )
        blocks.append(context(tx("home.summary_hint", lang, cmd=values_cmd)))
        blocks.extend(review_blocks(rubric, lang, queue, limit=HOME_REVIEW_LIMIT, signals=signals))
        names = list(unrecognised or [])
        blocks.append(section(f"*{tx('home.unrecognised', lang, quarter=me.quarter)}*"))
        blocks.append(
            section(", ".join(escape(n) for n in names)) if names else context(tx("home.everyone_recognised", lang))
        )
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}

"""User-facing texts in Chinese and English, chosen by each person's locale.

Services raise errors carrying a message key and parameters, never a rendered string, so every
platform can show the message in the reader's language.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # nominations
    "nominate.self": {
        "en": "You can't nominate yourself: recognition comes from colleagues.",
        "zh": "不能提名自己：认可应来自同事。",
    },
    "nominate.story_empty": {
        "en": "The story is empty: describe what {nominee} did.",
        "zh": "故事为空：请描述 {nominee} 做了什么。",
    },
    "nominate.story_too_long": {
        "en": "The story is {length} characters; the limit is {limit}. Please shorten it.",
        "zh": "故事有 {length} 个字符，上限为 {limit}，请精简。",
    },
    "nominate.polarity": {
        "en": "A nomination records recognition; non-conforming cases are recorded by managers as concerns.",
        "zh": "提名用于认可同事；不符合的案例由主管作为关注事项记录。",
    },
    "nominate.not_nominator": {
        "en": "Only the person who wrote this nomination can confirm it.",
        "zh": "只有提名人本人可以确认这条提名。",
    },
    "nominate.already_confirmed": {
        "en": "This nomination is already confirmed as {criterion}.",
        "zh": "这条提名已确认为 {criterion}。",
    },
    "nominate.cancelled": {
        "en": "This nomination was cancelled.",
        "zh": "这条提名已取消。",
    },
    # people
    "person.unknown": {
        "en": "I don't know {who}: ask an admin to add them to the org chart.",
        "zh": "找不到 {who}：请管理员将其加入组织架构。",
    },
    "person.inactive": {
        "en": "{who} is no longer active here.",
        "zh": "{who} 已不在职（已停用）。",
    },
    # criteria
    "criterion.unknown": {
        "en": "{criterion} is not a behaviour of the rubric (ids look like teamwork.3).",
        "zh": "{criterion} 不是价值观中的行为（编号形如 teamwork.3）。",
    },
    # evidence and permissions
    "evidence.unknown": {"en": "There is no evidence #{id}.", "zh": "没有编号为 #{id} 的事例。"},
    "nomination.unknown": {"en": "There is no nomination #{id}.", "zh": "没有编号为 #{id} 的提名。"},
    "evidence.own": {
        "en": "You can't decide evidence about yourself.",
        "zh": "不能审核关于自己的事例。",
    },
    "evidence.changed": {
        "en": "Evidence #{id} was just decided differently by someone else, so nothing was changed. "
        "Look at it again and decide if you still disagree.",
        "zh": "事例 #{id} 刚被他人作出了不同的处理，本次未做更改。请重新查看，如仍有不同意见再作决定。",
    },
    "permission.not_manager": {
        "en": "Only {subject}'s managers (or an admin) can do that.",
        "zh": "只有 {subject} 的上级主管（或管理员）可以执行此操作。",
    },
    "permission.view": {
        "en": "You can see your own recognition and that of people you manage, not {subject}'s.",
        "zh": "你只能查看自己以及下属的认可记录，不能查看 {subject} 的。",
    },
    "db.unavailable": {
        "en": "Liumai could not reach its database just now, so nothing was saved. Please try again in a moment.",
        "zh": "暂时无法连接数据库，本次操作没有保存，请稍后重试。",
    },
    "permission.admin": {
        "en": "Only an admin (HR) can do that.",
        "zh": "只有管理员（HR）可以执行此操作。",
    },
    "concern.note_empty": {
        "en": "A concern needs a note saying what happened.",
        "zh": "记录关注事项需要写明发生了什么。",
    },
    "error.detail": {"en": "{detail}", "zh": "{detail}"},
    "status.bad": {
        "en": "Unknown status {status!r}: use pending, accepted or rejected.",
        "zh": "未知状态 {status!r}：可用 pending、accepted 或 rejected。",
    },
}


def lang_of(locale: str | None) -> str:
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def t(key: str, lang: str = "en", **params: object) -> str:
    entry = MESSAGES[key]
    return entry.get(lang_of(lang) if len(lang) > 2 else lang, entry["en"]).format(**params)

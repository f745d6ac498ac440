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
    # org import and sync
    "org.too_many_deactivations": {
        "en": (
            "This would deactivate {count} of {active} active people ({percent}%). Deactivating more than "
            "{limit}% (LIUMAI_ORG_MAX_DEACTIVATE_SHARE) and more than {floor} people must be allowed "
            "explicitly. Nothing was changed."
        ),
        "zh": (
            "此次操作将停用 {active} 名在职人员中的 {count} 名（{percent}%）。停用超过 {limit}%"
            "（LIUMAI_ORG_MAX_DEACTIVATE_SHARE）且多于 {floor} 人时必须明确允许。未做任何更改。"
        ),
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
    "concern.mitigation_no_effect": {
        "en": "{criterion} has no half point: mitigation is recorded but does not change the score.",
        "zh": "{criterion} 没有半分：已记录“情有可原”，但不会改变得分。",
    },
    # a person's own export (JSON), in both languages since the file is read by whoever asked
    "export.concerns_held": {
        "en": "Your managers hold {n} record(s) about you (concerns noted for your review). Their content is "
        "not part of this export: it is discussed with you in your review, and HR gives it to you on request.",
        "zh": "你的主管持有关于你的 {n} 条记录（为绩效评估记下的关注事项）。其内容不在本导出中："
        "会在评估面谈中与你讨论，也可以向 HR 申请获取。",
    },
    "export.records_about_others": {
        "en": "Decisions you made and concerns you recorded as a manager belong to the records of the people "
        "they are about, so only their number is here.",
        "zh": "你作为主管做出的审核决定和记录的关注事项属于相关同事的记录，这里只列出数量。",
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

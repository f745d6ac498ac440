"""What the Feishu bot says, in Chinese (the default) and English.

Feishu is used mostly in Chinese-speaking companies, so a person whose locale is unknown - or who
is not in the org chart yet - reads Chinese; people whose stored locale is English read English.
Service refusals are rendered by the services' own message keys (`ServiceError.message(lang)`),
so the wording of a refusal is the same on Slack, Feishu and the CLI.
"""

from __future__ import annotations

import re

from liumai.i18n import lang_of
from liumai.reports import escape as esc
from liumai.rubric.model import Rubric

DEFAULT_LANG = "zh"

TEXTS: dict[str, dict[str, str]] = {
    "help": {
        "zh": (
            "六脉 Liumai：认可同事践行价值观的故事。\n"
            "• /nominate @同事 故事 —— 提名一位同事（私聊机器人，或在群里 @机器人）\n"
            "• /values —— 我的认可概览\n"
            "• /values me —— 我收到和给出的认可\n"
            "• /values review —— 审核下属的事例（主管）\n"
            "• /values concern @同事 行为编号 [情有可原] 说明 —— 记录不符合的案例（主管，仅主管与管理员可见）\n"
            "• /values evidence [@同事] —— 查看自己（或下属）的事例\n"
            "• /values summary @同事 [2026Q4] —— 季度小结：卡片、雷达图、CSV 和 HTML 报告（主管、管理员）\n"
            "• /values team [团队编号|@主管] [2026Q4] —— 团队季度汇总（主管：直接下属）\n"
            "• /values digest [团队编号] [preview] —— 发布上周团队价值观周报，或预览本周（主管、管理员）\n"
            "• /values export [@同事] —— 导出个人数据（本人；管理员可指定他人）\n"
            "• /values erase @同事 —— 删除个人数据（仅管理员，需确认）\n"
            "行为编号形如 teamwork.3。"
        ),
        "en": (
            "Liumai: recognise colleagues for living the values.\n"
            "• /nominate @colleague story - nominate a colleague (in a chat with the bot, or @ the bot in a group)\n"
            "• /values - an overview of your recognition\n"
            "• /values me - recognition you received and gave\n"
            "• /values review - review your reports' evidence (managers)\n"
            "• /values concern @colleague behaviour-id [mitigated] note - record a non-conforming case "
            "(managers; visible to managers and admins only)\n"
            "• /values evidence [@colleague] - your evidence (or a report's)\n"
            "• /values summary @colleague [2026Q4] - quarterly summary: card, radar chart, CSV and HTML "
            "(managers, admins)\n"
            "• /values team [team-key|@manager] [2026Q4] - team roll-up (managers: their direct reports)\n"
            "• /values digest [team-key] [preview] - post last week's team digest, or preview this week's "
            "(managers, admins)\n"
            "• /values export [@colleague] - export personal data (yourself; admins may name someone)\n"
            "• /values erase @colleague - erase personal data (admins only, asks to confirm)\n"
            "Behaviour ids look like teamwork.3."
        ),
    },
    "unknown_sender": {
        "zh": "你还不在六脉的组织架构中，请联系管理员导入或同步通讯录后再试。",
        "en": "You are not in Liumai's org chart yet: ask an admin to import or sync it, then try again.",
    },
    "inactive_sender": {
        "zh": "你的六脉账号已停用（已不在组织架构中），无法执行此操作。如有疑问请联系管理员。",
        "en": "Your Liumai account is deactivated (you are no longer in the org chart), so I can't do that. "
        "Ask an admin if this is a mistake.",
    },
    "text_only": {
        "zh": "我只能读取文字消息。",
        "en": "I can only read text messages.",
    },
    "nominate.usage": {
        "zh": "用法：/nominate @同事 发生了什么（具体的故事）",
        "en": "Usage: /nominate @colleague what they did (a concrete story)",
    },
    "concern.usage": {
        "zh": "用法：/values concern @同事 行为编号（如 integrity.2） [情有可原] 发生了什么",
        "en": "Usage: /values concern @colleague behaviour-id (e.g. integrity.2) [mitigated] what happened",
    },
    "unknown_person": {
        "zh": "找不到 {who}：请管理员将其加入组织架构。",
        "en": "I don't know {who}: ask an admin to add them to the org chart.",
    },
    "error": {
        "zh": "出了点问题，请稍后再试。",
        "en": "Something went wrong; please try again in a moment.",
    },
    "unknown_action": {
        "zh": "这张卡片已过期，请重新发起。",
        "en": "This card is out of date; please start again.",
    },
    # nomination cards
    "sugg.title": {"zh": "提名 {name}", "en": "Nomination for {name}"},
    "sugg.intro": {
        "zh": "下面是这个故事可能体现的行为，请确认一个（或从列表中选择其他行为）：",
        "en": "These are the behaviours the story may be evidence of. Confirm one, or pick another from the list:",
    },
    "sugg.none": {
        "zh": "暂时没有合适的建议（{reason}）。请从列表中选择一个行为：",
        "en": "No confident suggestion ({reason}). Please pick a behaviour from the list:",
    },
    "sugg.pending": {
        "zh": "建议暂时不可用，请直接从列表中选择一个行为：",
        "en": "Suggestions are not available right now; please pick a behaviour from the list:",
    },
    "sugg.confirm": {"zh": "确认", "en": "Confirm"},
    "sugg.other": {"zh": "或选择其他行为…", "en": "Or pick another behaviour…"},
    "sugg.cancel": {"zh": "取消提名", "en": "Cancel nomination"},
    "sugg.note": {
        "zh": "只有提名人可以确认；确认后由 {name} 的主管审核。",
        "en": "Only you, the nominator, can confirm; {name}'s manager then reviews it.",
    },
    "sugg.confidence": {"zh": "置信度", "en": "confidence"},
    "processing.title": {"zh": "正在分析故事…", "en": "Reading the story…"},
    "processing.body": {
        "zh": "已收到对 {name} 的提名，稍后这里会显示建议的行为。",
        "en": "Your nomination of {name} is saved; suggested behaviours will appear here in a moment.",
    },
    "confirmed.title": {"zh": "已确认提名", "en": "Nomination confirmed"},
    "confirmed.body": {
        "zh": "{name} · {behaviour}\n已记录为待审核事例，等待主管审核。",
        "en": "{name} · {behaviour}\nRecorded as evidence pending a manager's review.",
    },
    "cancelled.title": {"zh": "已取消提名", "en": "Nomination cancelled"},
    "cancelled.body": {"zh": "对 {name} 的提名已取消。", "en": "The nomination of {name} was cancelled."},
    "toast.received": {"zh": "已收到提名", "en": "Nomination received"},
    "toast.confirmed": {"zh": "已确认：{criterion}", "en": "Confirmed: {criterion}"},
    "toast.cancelled": {"zh": "已取消", "en": "Cancelled"},
    "toast.accepted": {"zh": "已接受 #{id}", "en": "Accepted #{id}"},
    "toast.rejected": {"zh": "已驳回 #{id}", "en": "Rejected #{id}"},
    "toast.retagged": {"zh": "#{id} 已改为 {criterion} 并接受", "en": "#{id} re-tagged as {criterion} and accepted"},
    "toast.already_accepted": {
        "zh": "#{id} 已经接受过了，未做更改",
        "en": "#{id} was already accepted; nothing changed",
    },
    "toast.already_rejected": {
        "zh": "#{id} 已经驳回过了，未做更改",
        "en": "#{id} was already rejected; nothing changed",
    },
    "toast.already_retagged": {
        "zh": "#{id} 已经是 {criterion}（已接受），未做更改",
        "en": "#{id} is already {criterion} and accepted; nothing changed",
    },
    "form.missing": {
        "zh": "请选择一位同事并写下故事。",
        "en": "Please pick a colleague and write the story.",
    },
    # nominee notification
    "notify.title": {"zh": "🎉 {nominator} 认可了你", "en": "🎉 {nominator} recognised you"},
    "notify.body": {"zh": "{behaviour}", "en": "for: {behaviour}"},
    # my recognition
    "me.title": {"zh": "我的认可 · {quarter}", "en": "My recognition · {quarter}"},
    "me.by_value": {"zh": "本季度按价值观（含待审核）：", "en": "This quarter by value (including pending):"},
    "me.received": {"zh": "最近收到", "en": "Recently received"},
    "me.given": {"zh": "最近给出", "en": "Recently given"},
    "me.none": {"zh": "暂无", "en": "None yet"},
    "me.from": {"zh": "来自 {name}", "en": "from {name}"},
    "me.to": {"zh": "给 {name}", "en": "to {name}"},
    "me.review_hint": {
        "zh": "你有 {n} 条待审核事例，发送 /values review 查看。",
        "en": "You have {n} evidence item(s) to review: send /values review.",
    },
    "me.commands": {
        "zh": "发送 /values me 查看详情，/nominate @同事 故事 提名同事。",
        "en": "Send /values me for details, /nominate @colleague story to nominate someone.",
    },
    # review
    "review.title": {"zh": "待审核事例（{n}）", "en": "Evidence to review ({n})"},
    "review.not_manager": {
        "zh": "只有主管（或管理员）可以审核事例。",
        "en": "Only managers (and admins) review evidence.",
    },
    "review.empty": {"zh": "没有待审核的事例。", "en": "Nothing is waiting for your review."},
    "review.accept": {"zh": "接受", "en": "Accept"},
    "review.reject": {"zh": "驳回", "en": "Reject"},
    "review.retag": {"zh": "改为其他行为并接受…", "en": "Re-tag and accept…"},
    "review.from": {"zh": "提名人：{name}", "en": "Nominated by {name}"},
    "review.more": {
        "zh": "还有更多待审核事例，处理完这些后再次发送 /values review。",
        "en": "More items are waiting; send /values review again after these.",
    },
    # concerns
    "concern.recorded": {
        "zh": "已为 {name} 记录关注事项（{behaviour}{mitigated}），编号 #{id}。仅主管和管理员可见。",
        "en": "Concern recorded for {name} ({behaviour}{mitigated}) as #{id}. Visible to managers and admins only.",
    },
    "concern.mitigated": {"zh": "，情有可原", "en": ", mitigated"},
    # summaries and team roll-ups
    "summary.usage": {
        "zh": "用法：/values summary @同事 [季度，如 2026Q4]",
        "en": "Usage: /values summary @colleague [quarter, e.g. 2026Q4]",
    },
    "team.usage": {
        "zh": "用法：/values team [团队编号 | @主管] [季度，如 2026Q4] [all（含间接下属）]",
        "en": "Usage: /values team [team-key | @manager] [quarter, e.g. 2026Q4] [all (whole subtree)]",
    },
    "team.not_manager": {
        "zh": "只有主管（看自己的直接下属）和管理员可以查看团队汇总。",
        "en": "Only managers (for their direct reports) and admins can see team summaries.",
    },
    "team.name_one": {
        "zh": "你没有直接下属：请指定团队编号，例如 /values team {example}。团队：{teams}",
        "en": "You have no direct reports: name a team, e.g. /values team {example}. Teams: {teams}",
    },
    "team.avg": {"zh": "团队平均", "en": "team average"},
    "team.more": {
        "zh": "另有 {n} 人未在卡片中列出，完整数据见 CSV 和 HTML 报告。",
        "en": "{n} more people are not shown here; the CSV and HTML report have everyone.",
    },
    "team.empty": {"zh": "这个范围内没有在职成员。", "en": "Nobody active is in this scope."},
    "files.failed": {
        "zh": "卡片已发送，但附件（图表、CSV、HTML）没有发出：{error}。请稍后再试。",
        "en": "The card was sent, but the files (chart, CSV, HTML) were not: {error}. Please try again later.",
    },
    "card.shortened": {
        "zh": "内容较长，卡片中已截断；完整内容见 HTML 报告。",
        "en": "Shortened to fit a card; the HTML report has everything.",
    },
    # evidence list
    "evidence.title": {"zh": "事例 · {name}", "en": "Evidence · {name}"},
    "evidence.empty": {"zh": "没有事例。", "en": "No evidence yet."},
    "evidence.more": {
        "zh": "仅显示最近 {shown} 条，共 {n} 条。",
        "en": "Showing the latest {shown} of {n}.",
    },
    "evidence.concern": {"zh": "关注事项", "en": "concern"},
    # digest
    "digest.usage": {
        "zh": "用法：/values digest [团队编号] [preview 预览] [周，如 2026-W47]",
        "en": "Usage: /values digest [team-key] [preview] [week, e.g. 2026-W47]",
    },
    "digest.name_team": {
        "zh": "请指定团队，例如 /values digest {example}。",
        "en": "Please name the team, e.g. /values digest {example}.",
    },
    "digest.posted": {
        "zh": "已在 {team} 的群里发布 {week} 的价值观周报。",
        "en": "Posted the {week} values digest to {team}'s group.",
    },
    "digest.already_posted": {
        "zh": "{team} 的 {week} 周报已经发布过了（每个团队每周在每个群只发一次）。",
        "en": "{team}'s digest for {week} was already posted (one per team and week in each group).",
    },
    "digest.in_progress": {
        "zh": "{team} 的 {week} 周报正在由另一个进程发布，请稍后查看群消息。",
        "en": "{team}'s digest for {week} is being posted by another process right now; check the group shortly.",
    },
    "digest.no_target": {
        "zh": "团队 {team} 没有设置飞书群。管理员可运行：liumai team set {team} --feishu-chat oc_…",
        "en": "Team {team} has no Feishu group. An admin can run: liumai team set {team} --feishu-chat oc_…",
    },
    "digest.failed": {
        "zh": "周报没有发出：{error}。请稍后再试。",
        "en": "The digest was not posted: {error}. Please try again later.",
    },
    "digest.preview": {
        "zh": "预览：尚未发布。发送 /values digest {team} 发布到团队群。",
        "en": "Preview only, nothing was posted. Send /values digest {team} to post it to the team's group.",
    },
    # data rights
    "export.usage": {
        "zh": "用法：/values export（导出自己的数据）；管理员：/values export @同事",
        "en": "Usage: /values export (your own data); admins: /values export @colleague",
    },
    "export.sent": {
        "zh": "这是六脉中关于 {name} 的全部数据（JSON 文件）。导出已记入审计日志。",
        "en": "Here is everything Liumai stores about {name} (a JSON file). The export is in the audit log.",
    },
    "export.sent_own": {
        "zh": (
            "{name}，这是你在六脉中的个人数据（JSON 文件）。主管为评估记下的关注事项（如有）只列出数量，"
            "内容可向 HR 申请。导出已记入审计日志。"
        ),
        "en": (
            "{name}, here is your personal data in Liumai (a JSON file). Concerns your managers noted for your "
            "review, if any, are counted but not included; HR gives you their content on request. "
            "The export is in the audit log."
        ),
    },
    "erase.usage": {
        "zh": "用法：/values erase @同事（仅管理员）",
        "en": "Usage: /values erase @colleague (admins only)",
    },
    "erase.title": {"zh": "删除 {name} 的个人数据？", "en": "Erase {name}'s personal data?"},
    "erase.body": {
        "zh": (
            "将删除关于 {name}（{email}）的认可、事例和关注事项，并匿名化其身份；"
            "其为同事写下的提名会保留但匿名。此操作不可撤销，并会记入审计日志。"
        ),
        "en": (
            "This deletes the recognition, evidence and concerns about {name} ({email}) and anonymises "
            "their identity; nominations they wrote for colleagues stay, anonymous. It cannot be undone "
            "and is recorded in the audit log."
        ),
    },
    "erase.confirm": {"zh": "确认删除", "en": "Erase permanently"},
    "erase.cancel": {"zh": "取消", "en": "Cancel"},
    "erase.done.title": {"zh": "已删除个人数据", "en": "Personal data erased"},
    "erase.done.body": {
        "zh": "已删除：提名 {nominations} 条，事例 {evidence} 条，关注事项 {concerns} 条；身份已替换为 {label}。",
        "en": "Deleted {nominations} nomination(s), {evidence} evidence item(s) and {concerns} concern(s); "
        "the identity is now {label}.",
    },
    "erase.cancelled": {"zh": "已取消，未删除任何数据。", "en": "Cancelled; nothing was erased."},
    "toast.erased": {"zh": "已删除", "en": "Erased"},
    # bot menu form
    "form.title": {"zh": "提名同事", "en": "Nominate a colleague"},
    "form.person": {"zh": "选择同事", "en": "Pick a colleague"},
    "form.story": {
        "zh": "发生了什么？写下具体的故事（最多 1000 字）",
        "en": "What did they do? Tell the concrete story (up to 1,000 characters)",
    },
    "form.hint": {
        "zh": "列表里没有要找的人？在对话中发送 /nominate @同事 故事。",
        "en": "Not in the list? Send /nominate @colleague story in a chat instead.",
    },
    "form.submit": {"zh": "提交", "en": "Submit"},
}

STATUS: dict[str, dict[str, str]] = {
    "pending": {"zh": "待审核", "en": "pending"},
    "accepted": {"zh": "已接受", "en": "accepted"},
    "rejected": {"zh": "已驳回", "en": "rejected"},
    "pending_tag": {"zh": "分析中", "en": "being read"},
    "suggested": {"zh": "待确认", "en": "to confirm"},
    "confirmed": {"zh": "已确认", "en": "confirmed"},
    "cancelled": {"zh": "已取消", "en": "cancelled"},
}


def lang_for(locale: str | None) -> str:
    """zh unless the stored locale is clearly English (unknown people read Chinese)."""
    if not locale:
        return DEFAULT_LANG
    return lang_of(locale)


def tr(key: str, lang: str, **params: object) -> str:
    entry = TEXTS[key]
    return entry.get(lang, entry[DEFAULT_LANG]).format(**params)


def status_name(status: str, lang: str) -> str:
    return STATUS.get(status, {}).get(lang, status)


def behaviour_label(rubric: Rubric, criterion: str, lang: str, *, short: int | None = None) -> str:
    """`teamwork.3 团队合作 · 第3级：…` - the id stays visible, since ids are what every interface shares."""
    try:
        b = rubric.behaviour(criterion)
    except KeyError:
        return criterion
    value = rubric.value(b.value_key).names.get(lang)
    statement = b.statement.get(lang)
    if short is not None and len(statement) > short:
        statement = statement[: short - 1].rstrip() + "…"
    level = f"第{b.level}级" if lang == "zh" else f"L{b.level}"
    sep = "：" if lang == "zh" else ": "
    return f"{criterion} {value} · {level}{sep}{statement}"


_MARKUP = re.compile(r"\*\*|~~|__|\]\(")


def inert(text: str) -> str:
    """User text made harmless for a Feishu *text* message, which renders `<at>` tags, `**bold**`,
    `~~strike~~` and `[link](url)`: control characters stripped, `<`/`>` full-width (no tags), broadcast
    mentions defused and markup runs broken with a zero-width space. Cards use plain_text instead."""
    out = esc.feishu_text(text)
    return _MARKUP.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], out)


def clip(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""Every text the Slack app shows, in Chinese and English.

Kept apart from the Block Kit builders so a translator edits one file, and so a test can check
that both languages have every key with the same placeholders. Service refusals are not here:
they come from `liumai.i18n` through `ServiceError.message(lang)`, identical on every platform.
Texts marked "(plain)" go into plain_text fields (modal titles, labels, inline errors) where
Slack does not render mrkdwn, so they carry no `*bold*` or mentions.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --------------------------------------------------------------- general
    "apology": {
        "en": ":warning: Sorry, something went wrong on our side and nothing was changed. Please try again; "
        "if it keeps happening, give your admin this reference: `{ref}`.",
        "zh": ":warning: 抱歉，系统出了点问题，没有做任何更改。请稍后重试；"
        "如果一直出现，请把参考编号 `{ref}` 告诉管理员。",
    },
    "apology_plain": {
        "en": "Sorry, something went wrong and nothing was changed. Please try again (reference {ref}).",
        "zh": "抱歉，系统出了点问题，没有做任何更改。请稍后重试（参考编号 {ref}）。",
    },
    "not_in_org": {
        "en": "You're not in Liumai's org chart yet, so I can't record anything for you. Ask an admin to add you.",
        "zh": "你还不在六脉的组织架构中，暂时无法为你记录。请联系管理员添加。",
    },
    "not_in_org_plain": {
        "en": "You're not in Liumai's org chart yet. Ask an admin to add you.",
        "zh": "你还不在六脉的组织架构中，请联系管理员添加。",
    },
    "not_manager": {
        "en": "Only managers can do this: nobody reports to you in Liumai's org chart. Nothing was changed.",
        "zh": "只有主管可以执行此操作：组织架构中没有向你汇报的人。未做任何更改。",
    },
    "unknown_person": {
        "en": "{who} isn't in Liumai's org chart yet. Ask an admin to add them.",
        "zh": "{who} 尚未加入六脉的组织架构，请联系管理员添加。",
    },
    "unknown_person_plain": {
        "en": "This person isn't in Liumai's org chart yet. Ask an admin to add them.",
        "zh": "此人尚未加入六脉的组织架构，请联系管理员添加。",
    },
    "bot_person": {
        "en": "That's a bot: recognition is for colleagues.",
        "zh": "这是机器人：认可只给同事。",
    },
    "this_person": {"en": "this person", "zh": "此人"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "close": {"en": "Close", "zh": "关闭"},
    "status.pending": {"en": "waiting for review", "zh": "待审核"},
    "status.accepted": {"en": "accepted", "zh": "已通过"},
    "status.rejected": {"en": "rejected", "zh": "未通过"},
    "status.suggested": {"en": "not confirmed yet", "zh": "尚未确认"},
    "status.pending_tag": {"en": "being tagged", "zh": "正在匹配"},
    "status.confirmed": {"en": "confirmed", "zh": "已确认"},
    "status.cancelled": {"en": "cancelled", "zh": "已取消"},
    "from_link": {"en": "From <{url}|this message>", "zh": "来自<{url}|这条消息>"},
    "source_link": {"en": "<{url}|source>", "zh": "<{url}|原消息>"},
    # --------------------------------------------------------------- /nominate
    "nominate.help": {
        "en": "To recognise a colleague: `{cmd} @colleague what they did`, or just `{cmd}` to open a form. "
        "You can also use the message menu (⋯) > *Nominate for a value* on any message.",
        "zh": "认可同事：`{cmd} @同事 他们做了什么`，或只输入 `{cmd}` 打开表单。"
        "也可以在任意消息的菜单（⋯）中选择 *Nominate for a value*（提名价值观）。",
    },
    "nominate.missing_mention": {
        "en": "I couldn't tell who you mean. Start with an @-mention picked from Slack's list, e.g. "
        "`{cmd} @ann stayed late to fix the release` - or run `{cmd}` alone to open the form.",
        "zh": "没看出你要提名谁。请以从 Slack 列表中选出的 @提及 开头，例如 "
        "`{cmd} @王芳 主动帮新同事排查问题`，或只输入 `{cmd}` 打开表单。",
    },
    "nominate.working": {
        "en": ":hourglass_flowing_sand: Thanks! Finding the behaviours your story about <@{user}> shows…",
        "zh": ":hourglass_flowing_sand: 谢谢！正在为你关于 <@{user}> 的故事匹配价值观行为……",
    },
    "nominate.pick": {
        "en": "Which behaviour does your story about *{nominee}* show? Pick one to confirm:",
        "zh": "你关于 *{nominee}* 的故事体现了哪条行为？请选择一条确认：",
    },
    "nominate.abstain": {
        "en": "I couldn't match this story to a behaviour ({reason}). Please choose one yourself.",
        "zh": "没能为这个故事匹配到行为（{reason}），请自己选择一条。",
    },
    "nominate.no_suggestions": {
        "en": "No suggestion is available right now; please choose the behaviour yourself.",
        "zh": "暂时没有建议，请自己选择一条行为。",
    },
    "nominate.already": {
        "en": "You already sent this story (nomination #{id}).",
        "zh": "你已经提交过这个故事（提名 #{id}）。",
    },
    "nominate.choose_another": {"en": "Choose another…", "zh": "选择其他…"},
    "nominate.cancelled": {
        "en": "Nomination cancelled: nothing was recorded.",
        "zh": "已取消提名，没有记录任何内容。",
    },
    "nominate.thanks": {
        "en": ":tada: Thank you! Your recognition of *{nominee}* for *{value}* ({criterion}) is recorded; "
        "their manager will review it.",
        "zh": ":tada: 谢谢！你对 *{nominee}* 的认可（{value} · {criterion}）已记录，将由其主管审核。",
    },
    "nominate.thanks_plain": {
        "en": "Thank you! Your recognition of {nominee} for {value} ({criterion}) is recorded; "
        "their manager will review it.",
        "zh": "谢谢！你对 {nominee} 的认可（{value} · {criterion}）已记录，将由其主管审核。",
    },
    "nominate.dm": {
        "en": ":sparkles: <@{nominator}> recognised you for *{value}* ({criterion}): {statement}",
        "zh": ":sparkles: <@{nominator}> 认可了你的「{value}」（{criterion}）：{statement}",
    },
    "nominate.dm_footer": {
        "en": "Your manager reviews it; see all your recognition with `{cmd} me` or in my App Home.",
        "zh": "将由你的主管审核；输入 `{cmd} me` 或打开我的 App 首页查看你获得的全部认可。",
    },
    "confidence": {"en": "confidence {pct}%", "zh": "置信度 {pct}%"},
    # modal (plain)
    "modal.nominate_title": {"en": "Nominate a colleague", "zh": "提名同事"},
    "modal.next": {"en": "Next", "zh": "下一步"},
    "modal.who": {"en": "Who would you like to recognise?", "zh": "你想认可谁？"},
    "modal.story": {"en": "What did they do?", "zh": "他们做了什么？"},
    "modal.story_hint": {
        "en": "A short story in your own words, up to 3,000 characters: the situation and what they did.",
        "zh": "用你自己的话简述经过，最多 3000 字：当时的情况和他们的做法。",
    },
    "modal.value": {"en": "Which value, if you have one in mind?", "zh": "你心中的价值观（可选）"},
    "modal.value_placeholder": {"en": "Any value", "zh": "不限"},
    "modal.private": {"en": "Keep this story out of the weekly team digest", "zh": "不在团队周报中展示这个故事"},
    "modal.options": {"en": "Options", "zh": "选项"},
    "modal.progress_title": {"en": "Finding behaviours", "zh": "正在匹配"},
    "modal.progress": {
        "en": ":hourglass_flowing_sand: Matching your story about *{nominee}* against the six values…",
        "zh": ":hourglass_flowing_sand: 正在将你关于 *{nominee}* 的故事与六脉神剑匹配……",
    },
    "modal.confirm_title": {"en": "Choose a behaviour", "zh": "选择行为"},
    "modal.confirm": {"en": "Confirm", "zh": "确认"},
    "modal.suggested": {"en": "Suggested behaviours", "zh": "建议的行为"},
    "modal.other": {"en": "Or pick any of the 30 behaviours", "zh": "或从全部 30 条行为中选择"},
    "modal.other_required": {"en": "Pick the behaviour this story shows", "zh": "选择这个故事体现的行为"},
    "modal.other_placeholder": {"en": "All behaviours", "zh": "全部行为"},
    "modal.choose_required": {"en": "Choose a behaviour.", "zh": "请选择一条行为。"},
    "modal.thanks_title": {"en": "Thank you", "zh": "谢谢"},
    "modal.error_title": {"en": "Liumai", "zh": "六脉"},
    "modal.quote": {"en": "Your words", "zh": "你的原话"},
    # --------------------------------------------------------------- /values
    "values.help": {
        "en": "*Liumai* - recognition on the six values.\n"
        "• `{ncmd} @colleague what they did` - recognise a colleague (or `{ncmd}` for a form)\n"
        "• `{cmd} me` - your recognition this quarter\n"
        "• `{cmd} review` - managers: evidence waiting for your review\n"
        "• `{cmd} concern @someone` - managers: privately record a non-conforming case\n"
        "• `{cmd} summary @someone [2026Q4]` - managers: a person's quarterly summary (files in your DM)\n"
        "• `{cmd} team [team-key | @manager] [2026Q4] [all]` - managers: your team's quarterly roll-up\n"
        "• `{cmd} digest [team-key] [preview] [2026-W47]` - managers: post last week's team digest, "
        "or preview this week's\n"
        "Your App Home shows all of this at a glance.",
        "zh": "*六脉* - 基于六脉神剑的同事认可。\n"
        "• `{ncmd} @同事 他们做了什么` - 认可同事（或输入 `{ncmd}` 打开表单）\n"
        "• `{cmd} me` - 你本季度获得的认可\n"
        "• `{cmd} review` - 主管：待你审核的事例\n"
        "• `{cmd} concern @某人` - 主管：私下记录不符合的案例\n"
        "• `{cmd} summary @某人 [2026Q4]` - 主管：某人的季度小结（文件发到你的私信）\n"
        "• `{cmd} team [团队编号 | @主管] [2026Q4] [all]` - 主管：团队季度汇总\n"
        "• `{cmd} digest [团队编号] [preview] [2026-W47]` - 主管：发布上周团队周报，或预览本周\n"
        "在我的 App 首页可以一览以上全部内容。",
    },
    "me.header": {"en": "Your recognition in {quarter}", "zh": "你在 {quarter} 获得的认可"},
    "me.total": {
        "en": "{total} recognised stories this quarter (accepted or waiting for review).",
        "zh": "本季度共 {total} 个被认可的故事（已通过或待审核）。",
    },
    "me.none": {
        "en": "No recognition yet this quarter. It will come!",
        "zh": "本季度还没有获得认可，继续加油！",
    },
    "me.received": {"en": "Recent stories about you", "zh": "最近关于你的故事"},
    "me.given": {"en": "Stories you told", "zh": "你讲述的故事"},
    "me.none_given": {
        "en": "You haven't recognised anyone yet - try `{ncmd}`.",
        "zh": "你还没有认可过任何人，试试 `{ncmd}`。",
    },
    "story.received": {"en": "from {name} · {date} · {status}", "zh": "来自 {name} · {date} · {status}"},
    "story.given": {"en": "about {name} · {date} · {status}", "zh": "关于 {name} · {date} · {status}"},
    "review.header": {"en": "Waiting for your review ({n})", "zh": "待你审核（{n}）"},
    "review.empty": {"en": "Nothing is waiting for your review.", "zh": "没有待你审核的事例。"},
    "review.more": {
        "en": "Showing the oldest {n}; decide these to see more.",
        "zh": "仅显示最早的 {n} 条；处理后可看到更多。",
    },
    "review.item": {
        "en": "*{subject}* · {criterion} {statement}\n{story}\n_from {nominator} · {date}_",
        "zh": "*{subject}* · {criterion} {statement}\n{story}\n_来自 {nominator} · {date}_",
    },
    "review.accept": {"en": "Accept", "zh": "通过"},
    "review.reject": {"en": "Reject", "zh": "不通过"},
    "review.retag": {"en": "Re-tag…", "zh": "改为其他行为…"},
    "review.reject_confirm_title": {"en": "Reject this evidence?", "zh": "确定不通过？"},
    "review.reject_confirm": {
        "en": "It will not count toward the score. You can change your mind later from the CLI.",
        "zh": "该事例将不计入评分。之后仍可通过命令行修改。",
    },
    "review.already": {
        "en": ":information_source: #{id} ({subject}, {criterion}) was already {status}; nothing changed.",
        "zh": ":information_source: #{id}（{subject}，{criterion}）已经是{status}，无需更改。",
    },
    "review.done": {
        "en": ":white_check_mark: #{id} ({subject}, {criterion}): {status}.",
        "zh": ":white_check_mark: #{id}（{subject}，{criterion}）：{status}。",
    },
    "concern.usage": {
        "en": "Usage: `{cmd} concern @someone` opens a private form to record a non-conforming case.",
        "zh": "用法：`{cmd} concern @某人` 打开私密表单，记录不符合的案例。",
    },
    "concern.title": {"en": "Record a concern", "zh": "记录关注事项"},
    "concern.save": {"en": "Record", "zh": "记录"},
    "concern.privacy": {
        "en": ":lock: Private: only the person's managers and admins ever see a concern - never their peers, "
        "never a digest. It counts at once, as you are the one who decides.",
        "zh": ":lock: 私密：关注事项仅该员工的上级主管和管理员可见，同事和周报中永远不会出现。由你决定，因此立即生效。",
    },
    "concern.who": {"en": "About whom?", "zh": "关于谁？"},
    "concern.behaviour": {"en": "Which behaviour did they not meet?", "zh": "未达到哪条行为？"},
    "concern.note": {"en": "What happened?", "zh": "发生了什么？"},
    "concern.mitigated": {"en": "Mitigating circumstances (情有可原)", "zh": "情有可原"},
    "concern.recorded": {
        "en": "Recorded privately for {subject} ({criterion}{mitigated}). Only their managers and admins can see it.",
        "zh": "已为 {subject} 私下记录（{criterion}{mitigated}）。仅其上级主管和管理员可见。",
    },
    "concern.mitigated_suffix": {"en": ", mitigated", "zh": "，情有可原"},
    # --------------------------------------------------------------- summaries, team roll-ups, digests
    "summary.usage": {
        "en": "Usage: `{cmd} summary @colleague [quarter, e.g. 2026Q4]` - for their managers and admins.",
        "zh": "用法：`{cmd} summary @同事 [季度，如 2026Q4]`，仅限其上级主管和管理员。",
    },
    "team.usage": {
        "en": "Usage: `{cmd} team [team-key | @manager] [quarter, e.g. 2026Q4] [all (whole subtree)]`.",
        "zh": "用法：`{cmd} team [团队编号 | @主管] [季度，如 2026Q4] [all（含间接下属）]`。",
    },
    "team.not_manager": {
        "en": "Only managers (for the people below them) and admins can see quarterly summaries. Nothing was shown.",
        "zh": "只有主管（查看自己的下属）和管理员可以查看季度小结，未显示任何内容。",
    },
    "team.name_one": {
        "en": "Nobody reports to you directly: name a team, e.g. `{cmd} team {example}`. Teams: {teams}",
        "zh": "你没有直接下属：请指定团队编号，例如 `{cmd} team {example}`。团队：{teams}",
    },
    "team.unknown": {
        "en": "There is no team `{team}`. Teams: {teams}",
        "zh": "没有编号为 `{team}` 的团队。团队：{teams}",
    },
    "team.avg": {"en": "team average", "zh": "团队平均"},
    "args.quarter": {
        "en": "`{text}` is not a quarter: write it like 2026Q4.",
        "zh": "`{text}` 不是有效的季度，请写成 2026Q4 这样的格式。",
    },
    "args.week": {
        "en": "`{text}` is not an ISO week: write it like 2026-W47.",
        "zh": "`{text}` 不是有效的周，请写成 2026-W47 这样的格式。",
    },
    "summary.more": {
        "en": "Shortened to fit Slack: the HTML report in your direct messages has everything.",
        "zh": "内容较长，这里只显示了一部分；完整内容见私信中的 HTML 报告。",
    },
    "files.comment": {
        "en": "{title} · {quarter}: radar chart, CSV (one row per person and value) and the full HTML report.",
        "zh": "{title} · {quarter}：雷达图、CSV（每人每个价值观一行）和完整的 HTML 报告。",
    },
    "files.sent": {
        "en": ":page_facing_up: The chart, CSV and HTML report are in your direct messages with Liumai.",
        "zh": ":page_facing_up: 雷达图、CSV 和 HTML 报告已发到你与六脉的私信中。",
    },
    "files.failed": {
        "en": "The summary is above, but the files (chart, CSV, HTML) could not be sent: `{error}`. "
        "If it says missing_scope, ask an admin to reinstall the app (it needs files:write).",
        "zh": "小结已在上方显示，但文件（雷达图、CSV、HTML）没有发出：`{error}`。"
        "如果提示 missing_scope，请管理员重新安装应用（需要 files:write 权限）。",
    },
    "home.summary_sent": {
        "en": ":page_facing_up: Your team's {quarter} summary is in your direct messages with Liumai.",
        "zh": ":page_facing_up: 团队 {quarter} 的季度小结已发到你与六脉的私信中。",
    },
    "digest.usage": {
        "en": "Usage: `{cmd} digest [team-key] [preview] [week, e.g. 2026-W47]`.",
        "zh": "用法：`{cmd} digest [团队编号] [preview 预览] [周，如 2026-W47]`。",
    },
    "digest.name_team": {
        "en": "Please name the team, e.g. `{cmd} digest {example}`. Teams: {teams}",
        "zh": "请指定团队，例如 `{cmd} digest {example}`。团队：{teams}",
    },
    "digest.posted": {
        "en": ":white_check_mark: Posted the {week} values digest of `{team}` to <#{channel}>.",
        "zh": ":white_check_mark: 已将 `{team}` 的 {week} 价值观周报发布到 <#{channel}>。",
    },
    "digest.already_posted": {
        "en": "`{team}`'s digest for {week} was already posted (one per team and week in each channel).",
        "zh": "`{team}` 的 {week} 周报已经发布过了（每个团队每周在每个频道只发一次）。",
    },
    "digest.in_progress": {
        "en": "`{team}`'s digest for {week} is being posted by another process right now; check the channel shortly.",
        "zh": "`{team}` 的 {week} 周报正在由另一个进程发布，请稍后查看频道。",
    },
    "digest.no_target": {
        "en": "Team `{team}` has no Slack channel for its digest. An admin can run: "
        "`liumai team set {team} --slack-channel C…`",
        "zh": "团队 `{team}` 没有设置周报的 Slack 频道。管理员可运行：`liumai team set {team} --slack-channel C…`",
    },
    "digest.failed": {
        "en": "The digest was not posted: `{error}`. If it says not_in_channel, invite Liumai to the channel "
        "(`/invite @Liumai`) and try again.",
        "zh": "周报没有发出：`{error}`。如果提示 not_in_channel，请先把六脉邀请进频道（`/invite @Liumai`）再试。",
    },
    "digest.preview": {
        "en": "Preview only, nothing was posted. Send `{cmd} digest {team}` to post it to the team's channel.",
        "zh": "仅为预览，尚未发布。发送 `{cmd} digest {team}` 发布到团队频道。",
    },
    # --------------------------------------------------------------- App Home
    "home.title": {"en": "Liumai · six values", "zh": "六脉 · 价值观认可"},
    "home.intro": {
        "en": "Recognise a colleague with a short story; their manager reviews it, and it counts toward "
        "the quarterly values review.",
        "zh": "用一个小故事认可同事；由其主管审核后计入季度价值观考核。",
    },
    "home.nominate": {"en": "Nominate someone", "zh": "提名同事"},
    "home.by_value": {"en": "Your recognition by value, {quarter}", "zh": "你在 {quarter} 按价值观获得的认可"},
    "home.unrecognised": {
        "en": "Your people with no recognition yet in {quarter}",
        "zh": "你的团队中 {quarter} 尚未获得认可的人",
    },
    "home.everyone_recognised": {
        "en": "Everyone in your team has been recognised this quarter. :tada:",
        "zh": "本季度你团队的每个人都已获得认可。:tada:",
    },
    "home.manager": {"en": "For managers", "zh": "主管视图"},
    "home.summary": {"en": "This quarter's summary", "zh": "本季度小结"},
    "home.summary_hint": {
        "en": "Your direct reports' scores with reasons, as a message, chart, CSV and HTML report in your DMs. "
        "Also `{cmd} summary @someone` and `{cmd} team`.",
        "zh": "直接下属的得分及依据，以消息、雷达图、CSV 和 HTML 报告发到你的私信。"
        "也可以用 `{cmd} summary @某人` 和 `{cmd} team`。",
    },
    "home.updated": {"en": "Updated {time}", "zh": "更新于 {time}"},
    # --- added for /values parity ---
    "values.help_rights": {
        "en": "• `{cmd} evidence [@someone] [2026Q4]` - the evidence you may see about yourself or your people\n"
        "• `{cmd} export [@someone]` - your own data as a JSON file in your DM (admins: anyone's)\n"
        "• `{cmd} erase @someone` - admins: erase a person's data, after a confirmation",
        "zh": "• `{cmd} evidence [@某人] [2026Q4]` - 你可以查看的事例（自己或下属的）\n"
        "• `{cmd} export [@某人]` - 把你自己的数据以 JSON 文件发到你的私信（管理员：任何人的）\n"
        "• `{cmd} erase @某人` - 管理员：确认后删除某人的个人数据",
    },
    "evidence.title": {"en": "Evidence · {name}", "zh": "事例 · {name}"},
    "evidence.empty": {"en": "No evidence yet.", "zh": "没有事例。"},
    "evidence.more": {"en": "Showing the latest {shown} of {n}.", "zh": "仅显示最近 {shown} 条，共 {n} 条。"},
    "evidence.concern": {"en": "concern", "zh": "关注事项"},
    "evidence.from": {"en": "from {name}", "zh": "来自 {name}"},
    "evidence.usage": {
        "en": "Usage: `{cmd} evidence [@someone] [2026Q4]`",
        "zh": "用法：`{cmd} evidence [@某人] [2026Q4]`",
    },
    "export.usage": {
        "en": "Usage: `{cmd} export` (your own data); admins: `{cmd} export @colleague`",
        "zh": "用法：`{cmd} export`（导出自己的数据）；管理员：`{cmd} export @同事`",
    },
    "export.sent": {
        "en": "Here is everything Liumai stores about {name} (a JSON file in your DM). The export is in the audit log.",
        "zh": "六脉中关于 {name} 的全部数据已作为 JSON 文件发到你的私信。导出已记入审计日志。",
    },
    "export.sent_own": {
        "en": "{name}, your personal data in Liumai is in your DM (a JSON file). Concerns your managers "
        "recorded for the review, if any, are only counted; ask HR for their content. "
        "The export is in the audit log.",
        "zh": "{name}，你在六脉中的个人数据已作为 JSON 文件发到你的私信。主管为评估记下的关注事项（如有）只列出数量，"
        "内容可向 HR 申请。导出已记入审计日志。",
    },
    "export.comment": {"en": "Liumai data export · {name}", "zh": "六脉数据导出 · {name}"},
    "erase.usage": {
        "en": "Usage: `{cmd} erase @colleague` (admins only)",
        "zh": "用法：`{cmd} erase @同事`（仅管理员）",
    },
    "erase.title": {"en": "Erase {name}'s personal data?", "zh": "删除 {name} 的个人数据？"},
    "erase.body": {
        "en": "This deletes the recognition, evidence and concerns about {name} ({email}) and anonymises their "
        "identity; nominations they wrote for colleagues stay, anonymised. It cannot be undone and is "
        "recorded in the audit log.",
        "zh": "将删除关于 {name}（{email}）的认可、事例和关注事项，并匿名化其身份；"
        "其为同事写下的提名会保留但匿名。此操作不可撤销，并会记入审计日志。",
    },
    "erase.confirm": {"en": "Erase permanently", "zh": "确认删除"},
    "erase.cancel": {"en": "Cancel", "zh": "取消"},
    "erase.done": {
        "en": "Personal data erased: {nominations} nomination(s), {evidence} evidence item(s) and {concerns} "
        "concern(s) deleted; the identity is now {label}.",
        "zh": "已删除个人数据：提名 {nominations} 条，事例 {evidence} 条，关注事项 {concerns} 条；"
        "身份已替换为 {label}。",
    },
    "erase.cancelled": {"en": "Cancelled; nothing was erased.", "zh": "已取消，未删除任何数据。"},
}


def tx(key: str, lang: str, **params: object) -> str:
    """The text for `key` in `lang` (zh or en), with its placeholders filled."""
    entry = TEXTS[key]
    text = entry["zh"] if lang.startswith("zh") else entry["en"]
    return text.format(**params) if params else text

"""Texts of the `org import` / `org sync-feishu` and nomination commands, in Chinese and English.

Chosen by `--lang` (or LIUMAI_LANG / LANG) like the rest of the CLI; refusals that come from the
services are rendered from `liumai.i18n` instead.
"""

from __future__ import annotations

from liumai.cli.common import STATE

TEXTS: dict[str, dict[str, str]] = {
    # org import and sync
    "org.cannot_read": {"en": "cannot read {file}: {reason}", "zh": "无法读取 {file}：{reason}"},
    "org.not_utf8": {
        "en": "{file} is not UTF-8 text (save the CSV as UTF-8)",
        "zh": "{file} 不是 UTF-8 文本（请将 CSV 另存为 UTF-8）",
    },
    "org.nothing_imported": {
        "en": "nothing imported ({n} problem(s))",
        "zh": "未导入任何内容（{n} 个问题）",
    },
    "org.summary": {
        "en": (
            "created: {created}, updated: {updated}, unchanged: {unchanged}, deactivated: {deactivated}, "
            "reactivated: {reactivated}, teams created: {teams_created}"
        ),
        "zh": (
            "新建：{created}，更新：{updated}，未变：{unchanged}，停用：{deactivated}，"
            "重新启用：{reactivated}，新建团队：{teams_created}"
        ),
    },
    "org.dry_run": {
        "en": "Dry run: nothing was changed. This is what the import would do:",
        "zh": "试运行：未做任何更改。实际导入将会：",
    },
    "org.no_changes": {"en": "(no changes)", "zh": "（没有变更）"},
    "org.col.change": {"en": "change", "zh": "变更"},
    "org.col.who": {"en": "e-mail / team", "zh": "邮箱 / 团队"},
    "org.col.details": {"en": "details (old -> new)", "zh": "详情（原值 -> 新值）"},
    "org.kind.created": {"en": "create", "zh": "新建"},
    "org.kind.updated": {"en": "update", "zh": "更新"},
    "org.kind.reactivated": {"en": "reactivate", "zh": "重新启用"},
    "org.kind.deactivated": {"en": "deactivate", "zh": "停用"},
    "org.kind.teams_created": {"en": "create team", "zh": "新建团队"},
    "org.would_refuse": {
        "en": (
            "Without --allow-deactivate this would be refused: it deactivates {count} of {active} active "
            "people, more than the {limit} allowed."
        ),
        "zh": (
            "不加 --allow-deactivate 时此操作会被拒绝：它将停用 {active} 名在职人员中的 {count} 名，"
            "超过允许的 {limit} 名。"
        ),
    },
    "org.would_deactivate": {"en": "would deactivate: {emails}", "zh": "将停用：{emails}"},
    "org.refused_hint": {
        "en": (
            "Check that the source lists everyone (`{cmd} --dry-run` shows every change), "
            "or add --allow-deactivate if these people really left."
        ),
        "zh": (
            "请确认数据源包含所有人（`{cmd} --dry-run` 可预览全部变更）；"
            "如果这些人确实已离开，请加上 --allow-deactivate。"
        ),
    },
    # nominations
    "nominate.header": {"en": "nomination #{id}", "zh": "提名 #{id}"},
    "nominate.again": {"en": " (already recorded)", "zh": "（此前已记录）"},
    "nominate.col.behaviour": {"en": "behaviour", "zh": "行为"},
    "nominate.col.statement": {"en": "statement", "zh": "描述"},
    "nominate.col.confidence": {"en": "conf.", "zh": "置信度"},
    "nominate.col.quote": {"en": "quote", "zh": "引文"},
    "nominate.no_suggestion": {"en": "no suggestion: {reason}", "zh": "没有建议：{reason}"},
    "nominate.confirmed": {
        "en": "confirmed {criterion}: evidence #{evidence} is pending a manager's review",
        "zh": "已确认 {criterion}：事例 #{evidence} 等待主管审核",
    },
    "nominate.was_confirmed": {
        "en": "already confirmed as {criterion}: evidence #{evidence}",
        "zh": "此前已确认为 {criterion}：事例 #{evidence}",
    },
    "nominate.is_cancelled": {"en": "this nomination was cancelled", "zh": "这条提名已取消"},
    "nominate.confirm_hint": {
        "en": "confirm with: {cmd}   (the nominator's choice of behaviour)",
        "zh": "确认：{cmd}   （由提名人选择行为）",
    },
    "nominate.cancel_hint": {"en": "cancel with:  {cmd}", "zh": "取消：{cmd}"},
    "nomination.already_confirmed": {
        "en": "nomination #{id} was already confirmed as {criterion} (evidence #{evidence}); nothing changed",
        "zh": "提名 #{id} 此前已确认为 {criterion}（事例 #{evidence}），未做任何更改",
    },
    "nomination.already_cancelled": {
        "en": "nomination #{id} was already cancelled; nothing changed",
        "zh": "提名 #{id} 此前已取消，未做任何更改",
    },
    "nomination.cancelled": {"en": "nomination #{id} cancelled", "zh": "提名 #{id} 已取消"},
}


def tr(key: str, **params: object) -> str:
    """The text in the CLI's language (`--lang`)."""
    entry = TEXTS[key]
    return entry.get(STATE.lang, entry["en"]).format(**params)

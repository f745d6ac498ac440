"""What counts as an English line in Chinese output: the rule tests/test_cli_zh.py holds the CLI
to, shared by the other tests that check Chinese text (calibration, settings, the demo)."""

from __future__ import annotations

import re

# What stays as it is in a Chinese line: identifiers, data and names, never prose.
ALLOWED = [
    r"\S+@\S+",  # e-mail addresses
    r"(?:sqlite|postgresql\+\w+)://\S*",  # database URLs
    r"(?<![\w-])/[^\s，。：；（）]+",  # absolute paths
    r"--[a-z][a-z-]*",  # flags
    r"`[^`]*`",  # commands in backquotes
    r"\bliumai(?: [a-z-]+)+",  # commands
    r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b",  # settings names (LIUMAI_LANG)
    r"\b[a-z_]+\.\d+\b",  # behaviour ids (teamwork.3)
    r"\[[a-z_]+\]",  # value keys ([customer_first])
    r"\b(?:customer_first|teamwork|embrace_change|integrity|passion|dedication)\b",
    r"\b[A-Z]+\d[A-Z0-9]*\b",  # platform ids (C0ALPHA, U0ANN)
    r"\b\d{4}Q\d\b|\b\d{4}-W\d{2}\b",  # quarters and weeks
    r"'[^']*'",  # quoted input echoed back ('maybe', 'tem')
    r"\b(?:Slack|SQLite|PostgreSQL|ISO|HTML|CSV|JSON|Markdown|HR|ID|UTF-8|open_id|true/false)\b",  # names
    r"\b(?:zh-CN|en-US|U012ABCDEF|C012AB|oc_|ou_)\b",  # formats shown as examples
    r"\b(?:Boss Chen|HR Admin|Manager Li|Manager Two|Ann|Bob|Cat|Alpha|Beta|alpha|beta|lead|people)\b",  # org data
    r"\b(?:email|name|team|manager_email|slack_user_id|feishu_open_id|is_admin|locale)\b",  # CSV columns
    r"\b(?:team_name_zh|team_name_en|team_slack_channel|team_feishu_chat)\b",
    r"\b(?:offline|llm|md|html|csv|json|xlsx)\b",  # option values
    r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b",  # snake_case codes (metric names, CSV columns)
    r"\b(?:top1|top3|p50|p95|zh|en)\b",  # metric names
    r"\bv\d[\w.-]*|\b\d{4}\.\d+\b|alibaba[\w.-]*",  # rubric versions and sources
]
ALLOWED_RE = re.compile("|".join(f"(?:{p})" for p in ALLOWED))
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def english_lines(text: str, also: tuple[str, ...] = ()) -> list[str]:
    out = []
    for line in text.splitlines():
        rest = ALLOWED_RE.sub(" ", line.replace("\\", ""))  # Markdown escapes (customer\_first\.1)
        for word in also:
            rest = rest.replace(word, " ")
        if ENGLISH.search(rest):
            out.append(line)
    return out

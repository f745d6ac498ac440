"""Making user text inert in every output: no pings, no markup, no formulas.

Story text is written by colleagues and must never mention a channel (`<!channel>`, `@here`,
`@all`), a person, or change the layout of the message it is shown in, whatever it contains.
"""

from __future__ import annotations

import html
import re

_ZWSP = "\u200b"
_BROADCAST = re.compile(r"@(?=(channel|here|everyone|all|所有人)\b)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Strip control characters (keep newlines and tabs) and defuse broadcast mentions."""
    return _BROADCAST.sub("@" + _ZWSP, _CONTROL.sub("", text))


def slack_text(text: str) -> str:
    """For Slack: &, <, > escaped (so `<!channel>` or `<@U1>` are shown, not parsed), broadcasts defused.

    Use in plain_text objects or mrkdwn; in mrkdwn also pass through `slack_mrkdwn`.
    """
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MRKDWN = re.compile(r"([*_~`|])")


def slack_mrkdwn(text: str) -> str:
    """Slack mrkdwn has no escape character: break formatting runs with a zero-width space."""
    return _MRKDWN.sub(lambda m: m.group(1) + _ZWSP, slack_text(text))


def feishu_text(text: str) -> str:
    """For Feishu cards (plain_text / lark_md): no <at> tags, no @all."""
    out = clean(text).replace("<", "＜").replace(">", "＞")
    return out


_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown(text: str) -> str:
    """Markdown: every markup character escaped, newlines kept as line breaks."""
    return _MD.sub(r"\\\1", clean(text)).replace("\n", "  \n")


def html_text(text: str) -> str:
    return html.escape(clean(text), quote=True).replace("\n", "<br>")


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_cell(value: object) -> object:
    """Spreadsheet formula injection (`=HYPERLINK(...)`): text cells starting like a formula get a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def file_slug(text: str, fallback: str) -> str:
    """A file-name-safe piece of a report's name (an e-mail's local part, a team key); names that are
    not ASCII (王芳) fall back, since chat clients mangle non-ASCII attachment names."""
    return _SLUG.sub("-", text.split("@", 1)[0]).strip("-.")[:40] or fallback

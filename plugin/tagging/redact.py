"""Replace contact details and platform user ids in a story before it leaves the process.

Why: the LLM needs the behaviour a story describes, not who can be reached where; with
`LIUMAI_LLM_REDACT=true` e-mail addresses, phone numbers and platform mentions (Slack
`<@U123>` / `<@U123|name>`, Feishu `@_user_1` / `<at user_id="ou_...">name</at>`, Feishu open
ids) are replaced by placeholders such as `[EMAIL_1]` before the prompt is built.

The quote check still works: the LLM quotes the redacted text, the quote is checked against the
redacted story, and `Redaction.restore` puts the original text back, so a stored quote is always
words of the story the nominator wrote. The same original text always gets the same placeholder.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

MIN_PHONE_DIGITS = 7

# Order matters: earlier patterns claim their text first (a mention's user id is not a phone).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("USER", re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>\n]*)?>")),  # Slack user mention
    ("USER", re.compile(r"<at\b[^>]*>[^<]*</at>", re.IGNORECASE)),  # Feishu rich-text mention
    ("USER", re.compile(r"@_user_\d+")),  # Feishu text-message mention key
    ("USER", re.compile(r"\b(?:ou|on|oc)_[0-9a-f]{16,}\b")),  # Feishu open/union/chat ids
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    # International: + country code, then digit groups (at least 7 digits after the code).
    ("PHONE", re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)")),
    # CN mobile, optionally with 86 and 3-4-4 separators: 13812345678, 138-1234-5678, 138 1234 5678.
    ("PHONE", re.compile(r"(?<!\d)(?:86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")),
    # CN landline with area code: 010-12345678, 0571-8888 8888, (021) 12345678.
    ("PHONE", re.compile(r"(?<!\d)(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{3,4}[ -]?\d{4}(?!\d)")),
    # North-American style: (555) 123-4567, 555-123-4567, 555.123.4567.
    ("PHONE", re.compile(r"(?<!\d)(?:\(\d{3}\)\s?|\d{3}[-.])\d{3}[-.]\d{4}(?!\d)")),
)


@dataclass(slots=True)
class Redaction:
    """A redacted text and the placeholder -> original mapping to undo it."""

    text: str
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.mapping)

    def restore(self, text: str) -> str:
        """Put the original text back for every placeholder (case-insensitively: models may
        re-case a placeholder they copy)."""
        if not self.mapping:
            return text
        lowered = {k.casefold(): v for k, v in self.mapping.items()}
        pattern = re.compile("|".join(re.escape(k) for k in sorted(self.mapping, key=len, reverse=True)), re.I)
        return pattern.sub(lambda m: lowered[m.group(0).casefold()], text)


def redact(text: str) -> Redaction:
    """Replace e-mail addresses, phone numbers and platform user mentions by placeholders."""
    mapping: dict[str, str] = {}
    by_original: dict[str, str] = {}
    counters: dict[str, int] = {}

    def placeholder(kind: str, original: str) -> str:
        if original in by_original:
            return by_original[original]
        n = counters.get(kind, 0)
        while True:
            n += 1
            token = f"[{kind}_{n}]"
            # Never reuse a token the story already contains literally: restore must be unambiguous.
            if token.casefold() not in text.casefold():
                break
        counters[kind] = n
        mapping[token] = original
        by_original[original] = token
        return token

    def sub(kind: str, m: re.Match[str]) -> str:
        found = m.group(0)
        if kind == "PHONE" and sum(ch.isdigit() for ch in found) < MIN_PHONE_DIGITS:
            return found  # "+1 2 3" is not a phone number
        return placeholder(kind, found)

    out = text
    for kind, pattern in _PATTERNS:
        out = pattern.sub(functools.partial(sub, kind), out)
    return Redaction(text=out, mapping=mapping)

"""Cleaning user text at the service boundary, so any input can be stored on any database.

PostgreSQL refuses NUL characters in text, UTF-8 cannot encode lone surrogates (which JSON
payloads can carry as `\\ud800` escapes), and other control characters only break layouts.
They are removed or replaced; everything else - markup, SQL, emoji, any script - is kept
verbatim and made inert where it is shown (plugin/reports/escape.py).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def clean_text(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text  # the common case (an e-mail, an id, a name): nothing to replace or strip
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> '?'
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))

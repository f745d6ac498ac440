"""The summary section's labels (`summary.*` in the message catalogue) for every summary renderer.

A module of its own so the HTML, Markdown, spreadsheet and chat renderers share one accessor
without importing each other.
"""

from __future__ import annotations

from liumai.messages import section

T: dict[str, dict[str, str]] = section("summary")


def tr(key: str, lang: str) -> str:
    return T[key]["zh" if lang.startswith("zh") else "en"]

"""The Feishu fixtures live in tests/feishu/fixtures.py, registered suite-wide by tests/conftest.py."""

from __future__ import annotations

from tests.feishu.fixtures import App, feishu_settings

__all__ = ["App", "feishu_settings"]

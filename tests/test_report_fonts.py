"""The CJK font subset of HTML reports: built once per set of characters, covering every one of them."""

from __future__ import annotations

import base64
import io
import re

import pytest

from liumai.reports import fonts

TEXT = "价值观季度小结 — 支付组：客户第一、团队合作、拥抱变化。王芳 Maria"


def _cmap(css: str) -> set[int]:
    from fontTools.ttLib import TTFont

    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css)
    assert data, css[:200]
    return set(TTFont(io.BytesIO(base64.b64decode(data.group(1)))).getBestCmap())


def test_the_subset_is_cut_once_per_character_set_and_covers_it(monkeypatch):
    if fonts._font_path() is None:
        pytest.skip("the CJK font (mplfonts) is not installed")
    from fontTools import subset

    cuts = []
    real = subset.Subsetter.subset

    def counting(self, font):
        cuts.append(1)
        return real(self, font)

    monkeypatch.setattr(subset.Subsetter, "subset", counting)
    text = TEXT + " 测试缓存"  # a set of characters no other test has cut in this process
    first = fonts.cjk_font_face(text)
    again = fonts.cjk_font_face(text[::-1] + "abc")  # same characters, other order, plus ASCII
    assert first and again == first and len(cuts) == 1
    assert {ord(c) for c in text if ord(c) > 0x2E7F} <= _cmap(first)
    fonts.cjk_font_face(text + "新")
    assert len(cuts) == 2
    assert fonts.cjk_font_face("ASCII only") == ""

"""A message may have a placeholder named `key` or `lang`: the lookup's own arguments are
positional-only, so filling `{key}` never collides with them (`team set "Bad Key"` crashed)."""

from __future__ import annotations

import pytest

from liumai.messages import in_lang, t
from liumai.services.errors import InvalidInput


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_key_placeholder_is_filled(lang):
    err = InvalidInput("team.bad_key", key="'Bad Key'")
    assert "'Bad Key'" in err.message(lang)
    assert t("service.team.bad_key", lang, key="'x'") == in_lang(lang)("service.team.bad_key", key="'x'")

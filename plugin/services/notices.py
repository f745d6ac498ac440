"""Notices: something a user should know about what they just did, which did not stop it.

Like a service error, a notice carries a message key and parameters, never a rendered string,
so each surface shows it in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from liumai.i18n import t


@dataclass(frozen=True)
class Notice:
    key: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Notice:
        return cls(key, tuple((k, str(v)) for k, v in sorted(params.items())))

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **dict(self.params))

    def to_dict(self, lang: str = "en") -> dict[str, str]:
        return {"key": self.key, "message": self.message(lang)}

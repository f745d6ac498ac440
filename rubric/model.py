"""Typed model of a rubric file (schema_version 1).

Models are strict (unknown keys are errors) so a typo in a company's own rubric is reported
instead of silently ignored. Structural checks that span several fields (levels 1..N without
gaps, ids matching `<value>.<level>`) live in `liumai.rubric.loader` so that every problem can be
reported at once, one line each.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_RE = re.compile(r"^[a-z][a-z0-9_]*\.[1-9][0-9]*$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class EvidenceRule(StrEnum):
    """How a behaviour is met, as the source states it (or project policy)."""

    DEFAULT_PASS = "default_pass"  # 本条没有不符合的案例即给分
    EVIDENCE_REQUIRED = "evidence_required"  # 本条有符合的案例才给分
    BOTH = "both"  # 有不符合的案例不给分，无符合的案例不给分


class Polarity(StrEnum):
    CONFORMING = "conforming"  # 符合的案例
    NON_CONFORMING = "non_conforming"  # 不符合的案例


Source = Literal["source_document", "public_copies", "policy", "project"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Strict):
    """A text in both first-class languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


class Case(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    source: Source = "project"

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


class GradeBand(_Strict):
    """A company's grade for totals >= `min` (grade bands are policy, never built in)."""

    min: float = Field(ge=0)
    label: LocalText


class Policy(_Strict):
    period: Literal["quarter"] = "quarter"
    progressive: bool = True
    min_distinct_nominators: int = Field(default=1, ge=1, le=20)
    grade_bands: list[GradeBand] = Field(default_factory=list)

    @field_validator("grade_bands")
    @classmethod
    def _bands_ascending(cls, bands: list[GradeBand]) -> list[GradeBand]:
        mins = [b.min for b in bands]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            raise ValueError("grade_bands must have strictly ascending `min` values")
        return bands


class Behaviour(_Strict):
    id: str
    level: int = Field(ge=1)
    statement: LocalText
    statement_source: Source
    variants: list[LocalText] = Field(default_factory=list)
    key_meaning: LocalText | None = None
    key_meaning_source: Source | None = None
    conforming_cases: list[Case] = Field(default_factory=list)
    non_conforming_cases: list[Case] = Field(default_factory=list)
    rule: EvidenceRule
    rule_source: Source
    half_point: bool = False
    half_point_note: LocalText | None = None
    # Words and phrases peers use when they describe this behaviour (either language); the
    # offline tagger indexes them beside the statement and cases. Optional in any rubric.
    cues: list[str] = Field(default_factory=list)

    @property
    def value_key(self) -> str:
        return self.id.split(".", 1)[0]


class Value(_Strict):
    key: str
    names: LocalText
    motto: LocalText
    description: LocalText | None = None
    description_source: Source | None = None
    behaviours: list[Behaviour]


class RubricSource(_Strict):
    document: str
    note: LocalText | None = None


class Rubric(_Strict):
    schema_version: Literal[1]
    id: str
    name: LocalText
    source: RubricSource | None = None
    policy: Policy = Field(default_factory=Policy)
    values: list[Value]
    # Set by the loader: sha256 of the canonical JSON of the file's content. Every stored
    # suggestion and score records it, so a result can always be traced to its rubric.
    content_hash: str = ""

    @property
    def version(self) -> str:
        """Short, human-quotable form of the content hash."""
        return f"{self.id}@{self.content_hash[:12]}"

    def behaviours(self) -> list[Behaviour]:
        return [b for v in self.values for b in v.behaviours]

    def behaviour(self, criterion_id: str) -> Behaviour:
        for b in self.behaviours():
            if b.id == criterion_id:
                return b
        raise KeyError(criterion_id)

    def value(self, key: str) -> Value:
        for v in self.values:
            if v.key == key:
                return v
        raise KeyError(key)

    @property
    def criterion_ids(self) -> frozenset[str]:
        return frozenset(b.id for b in self.behaviours())

    @property
    def value_keys(self) -> list[str]:
        return [v.key for v in self.values]

    def grade(self, total: float) -> GradeBand | None:
        band = None
        for b in self.policy.grade_bands:
            if total >= b.min:
                band = b
        return band

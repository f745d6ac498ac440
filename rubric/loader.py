"""Load and validate rubric files, explaining every problem on its own line.

A company loads its own rubric (or the 2019 set) from a path with the same schema; an admin
must be able to fix a broken file from the messages alone, so every message names where the
problem is (value key / behaviour id rather than list indices wherever the file allows).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from liumai.rubric.model import ID_RE, KEY_RE, EvidenceRule, Rubric

DEFAULT_RUBRIC = "liumai.yaml"


# How a problem's words are looked up: `text("rubric_file.key", **params)` in the reader's language.
Text = Callable[..., str]


@dataclass(frozen=True)
class Problem:
    """One problem of a rubric file: where it is, and what it is as a message key and parameters.

    Why a key and not words: this package imports nothing of the project (the import-linter
    contract keeps the engine reusable on its own), so it cannot read the message catalogue; the
    words live in the catalogue's `rubric_file` section with the rest of the product's texts, and
    each surface renders a problem in its reader's language (`render`, given the catalogue's
    lookup). `where` names the place with names from the file (`teamwork > teamwork.3 > rule`);
    "" is the whole file; `line`/`column` place a YAML syntax error.
    """

    where: str
    key: str
    params: tuple[tuple[str, object], ...] = ()
    line: int | None = None
    column: int | None = None

    def render(self, text: Text) -> str:
        if self.line is not None:
            where = text("rubric_file.at", line=self.line, column=self.column)
        else:
            where = self.where or text("rubric_file.whole_file")
        return f"{where}: {text('rubric_file.' + self.key, **dict(self.params))}"

    def __str__(self) -> str:  # logs and tracebacks: language-neutral, the key and its parameters
        at = f"{self.line}:{self.column}" if self.line is not None else self.where or "(file)"
        return f"{at}: {self.key}" + (f" {dict(self.params)}" if self.params else "")


def _problem(where: str, key: str, /, **params: object) -> Problem:
    return Problem(where, key, tuple(params.items()))


class RubricError(ValueError):
    """A rubric file that cannot be used; `problems` holds every problem (see `Problem`)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(str(p) for p in problems))

    def render(self, text: Text) -> str:
        """`source: problem; problem` in the words `text` looks up (one line, for an error message)."""
        return f"{self.source}: " + "; ".join(p.render(text) for p in self.problems)


def _named(node: Any, key: str, idx: int) -> tuple[str, Any]:
    """The `idx`-th value or behaviour under `node`, by the key or id the file gives it."""
    items = node.get(key) if isinstance(node, dict) else None
    item = items[idx] if isinstance(items, list) and idx < len(items) else None
    name = None
    if isinstance(item, dict):
        name = item.get("id") if key == "behaviours" else item.get("key")
    return (str(name) if name else f"{key}[{idx}]"), item


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    return node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None


def _label(raw: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location into `customer_first.3 > rule` style, using names from the file."""
    parts: list[str] = []
    node = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        if key in ("values", "behaviours") and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            name, node = _named(node, key, loc[i + 1])
            parts.append(name)
            i += 2
            continue
        parts.append(str(key))
        node = _child(node, key)
        i += 1
    return " > ".join(parts)


# pydantic error types -> (message key, {param: pydantic context field}); anything else is
# `invalid` with pydantic's own (English) words as its detail.
_PYDANTIC = {
    "extra_forbidden": ("unknown_field", {}),
    "missing": ("missing", {}),
    "greater_than_equal": ("at_least", {"limit": "ge"}),
    "greater_than": ("greater_than", {"limit": "gt"}),
    "less_than_equal": ("at_most", {"limit": "le"}),
    "less_than": ("less_than", {"limit": "lt"}),
}


def _pydantic_problems(raw: Any, err: ValidationError) -> list[Problem]:
    out = []
    rules = ", ".join(r.value for r in EvidenceRule)
    for e in err.errors():
        where = _label(raw, tuple(e["loc"]))
        ctx = e.get("ctx") or {}
        if e["loc"] and e["loc"][-1] == "rule" and e["type"] == "enum":
            out.append(_problem(where, "unknown_rule", value=repr(e["input"]), rules=rules))
        elif e["type"] in _PYDANTIC:
            key, fields = _PYDANTIC[e["type"]]
            out.append(_problem(where, key, **{p: ctx.get(f) for p, f in fields.items()}))
        else:
            out.append(_problem(where, "invalid", detail=e["msg"]))
    return out


def _structure_problems(raw: Any) -> list[Problem]:
    """Checks across fields that pydantic cannot express one error at a time."""
    if not isinstance(raw, dict):
        return [_problem("", "not_mapping")]
    values = raw.get("values")
    if not isinstance(values, list) or not values:
        return [_problem("values", "no_values")]
    keys = [v.get("key") for v in values if isinstance(v, dict)]
    problems = [_problem(str(key), "duplicate_value") for key, n in Counter(keys).items() if n > 1]
    for vi, v in enumerate(values):
        problems += _value_problems(vi, v)
    problems += _policy_problems(raw.get("policy"), values)
    return problems


def _value_problems(vi: int, v: Any) -> list[Problem]:
    """One value: its key, its behaviours' ids, and levels running 1..N."""
    if not isinstance(v, dict):
        return [_problem(f"values[{vi}]", "not_a_mapping")]
    key = v.get("key")
    vname = key or f"values[{vi}]"
    problems: list[Problem] = []
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(_problem(vname, "bad_key", name=repr(key)))
    behaviours = v.get("behaviours")
    if not isinstance(behaviours, list) or not behaviours:
        return [*problems, _problem(vname, "no_behaviours")]
    levels: list[int] = []
    for bi, b in enumerate(behaviours):
        problems += _behaviour_problems(vname, key, bi, b, levels)
    problems += [_problem(vname, "duplicate_level", level=lv) for lv, n in sorted(Counter(levels).items()) if n > 1]
    if levels:
        gaps = sorted(set(range(1, max(levels) + 1)) - set(levels))
        problems += [_problem(vname, "missing_level", level=lv) for lv in gaps]
    return problems


def _behaviour_problems(vname: str, key: Any, bi: int, b: Any, levels: list[int]) -> list[Problem]:
    """One behaviour's id against its value and level; its level is added to `levels`."""
    if not isinstance(b, dict):
        return [_problem(f"{vname} > behaviours[{bi}]", "not_a_mapping")]
    bid, level = b.get("id"), b.get("level")
    bname = bid or f"{vname} > behaviours[{bi}]"
    if isinstance(level, int) and not isinstance(level, bool):
        levels.append(level)
    if not isinstance(bid, str) or not ID_RE.match(bid):
        return [_problem(bname, "bad_id", id=repr(bid), value=key)]
    if isinstance(key, str) and isinstance(level, int) and bid != f"{key}.{level}":
        return [_problem(bname, "id_mismatch", id=repr(bid), value=repr(key), level=level, expected=f"{key}.{level}")]
    return []


def _policy_problems(policy: Any, values: list) -> list[Problem]:
    """Grade bands a person could never reach."""
    if not isinstance(policy, dict):
        return []
    n_behaviours = sum(len(v.get("behaviours") or []) for v in values if isinstance(v, dict))
    return [
        _problem("policy > grade_bands", "band_too_high", min=band["min"], max=n_behaviours)
        for band in policy.get("grade_bands") or []
        if isinstance(band, dict) and isinstance(band.get("min"), int | float) and band["min"] > n_behaviours
    ]


def content_hash(raw: Any) -> str:
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# libyaml's safe loader parses the bundled rubric ~10x faster than the pure-Python one (every CLI
# command loads it); same results, and PyYAML's wheels ship it.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_rubric(text: str, source: str = "<rubric>") -> Rubric:
    """Parse YAML text into a validated Rubric or raise RubricError listing every problem."""
    try:
        raw = yaml.load(text, Loader=_SAFE_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = str(getattr(exc, "problem", None) or exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise RubricError(source, [Problem("", "not_yaml", (("detail", detail),), line, column)]) from None
    problems = _structure_problems(raw)
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as err:
        problems.extend(_pydantic_problems(raw, err))
        rubric = None
    if problems or rubric is None:
        # Deduplicate while keeping order: both passes may notice the same thing.
        raise RubricError(source, list(dict.fromkeys(problems)))
    return rubric.model_copy(update={"content_hash": content_hash(raw)})


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load a rubric file; None means the bundled six-values rubric."""
    if path is None:
        return default_rubric()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(str(p), [_problem("", "cannot_read", reason=exc.strerror or str(exc))]) from None
    return parse_rubric(text, str(p))


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    text = resources.files("liumai.rubric.data").joinpath(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    return parse_rubric(text, f"rubric/data/{DEFAULT_RUBRIC}")


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem in a rubric file (render each in the reader's words); empty means valid."""
    try:
        load_rubric(path)
    except RubricError as err:
        return err.problems
    return []

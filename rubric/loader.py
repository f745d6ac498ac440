"""Load and validate rubric files, explaining every problem on its own line.

A company loads its own rubric (or the 2019 set) from a path with the same schema; an admin
must be able to fix a broken file from the messages alone, so every message names where the
problem is (value key / behaviour id rather than list indices wherever the file allows).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from liumai.rubric.model import ID_RE, KEY_RE, EvidenceRule, Rubric

DEFAULT_RUBRIC = "liumai.yaml"


class RubricError(ValueError):
    """A rubric file that cannot be used; `problems` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _label(raw: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location into `customer_first.3 > rule` style, using names from the file."""
    parts: list[str] = []
    node = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        if key in ("values", "behaviours") and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            idx = loc[i + 1]
            items = node.get(key) if isinstance(node, dict) else None
            item = items[idx] if isinstance(items, list) and idx < len(items) else None
            name = None
            if isinstance(item, dict):
                name = item.get("id") if key == "behaviours" else item.get("key")
            parts.append(str(name) if name else f"{key}[{idx}]")
            node = item
            i += 2
            continue
        parts.append(str(key))
        node = (
            node.get(key)
            if isinstance(node, dict)
            else (node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None)
        )
        i += 1
    return " > ".join(parts) or "(file)"


def _pydantic_problems(raw: Any, err: ValidationError) -> list[str]:
    out = []
    rules = ", ".join(r.value for r in EvidenceRule)
    for e in err.errors():
        where = _label(raw, tuple(e["loc"]))
        if e["loc"] and e["loc"][-1] == "rule" and e["type"] == "enum":
            msg = f"unknown rule {e['input']!r} (expected one of: {rules})"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling against the schema)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        else:
            msg = e["msg"]
        out.append(f"{where}: {msg}")
    return out


def _structure_problems(raw: Any) -> list[str]:
    """Checks across fields that pydantic cannot express one error at a time."""
    if not isinstance(raw, dict):
        return ["(file): the top level must be a mapping with schema_version, id, name, policy, values"]
    problems: list[str] = []
    values = raw.get("values")
    if not isinstance(values, list) or not values:
        return ["values: at least one value is required"]
    keys = [v.get("key") for v in values if isinstance(v, dict)]
    for key, n in Counter(keys).items():
        if n > 1:
            problems.append(f"{key}: duplicate value key")
    for vi, v in enumerate(values):
        if not isinstance(v, dict):
            problems.append(f"values[{vi}]: must be a mapping")
            continue
        key = v.get("key")
        vname = key or f"values[{vi}]"
        if not isinstance(key, str) or not KEY_RE.match(key):
            problems.append(f"{vname}: bad value key {key!r} (lowercase letters, digits and _)")
        behaviours = v.get("behaviours")
        if not isinstance(behaviours, list) or not behaviours:
            problems.append(f"{vname}: no behaviours")
            continue
        levels: list[int] = []
        for bi, b in enumerate(behaviours):
            if not isinstance(b, dict):
                problems.append(f"{vname} > behaviours[{bi}]: must be a mapping")
                continue
            bid, level = b.get("id"), b.get("level")
            bname = bid or f"{vname} > behaviours[{bi}]"
            if isinstance(level, int) and not isinstance(level, bool):
                levels.append(level)
            if not isinstance(bid, str) or not ID_RE.match(bid):
                problems.append(f"{bname}: bad id {bid!r} (expected <value>.<level>, e.g. {key}.1)")
            elif isinstance(key, str) and isinstance(level, int) and bid != f"{key}.{level}":
                problems.append(f"{bname}: bad id {bid!r} (value {key!r}, level {level} means {key}.{level})")
        for level, n in sorted(Counter(levels).items()):
            if n > 1:
                problems.append(f"{vname}: duplicate level {level}")
        if levels:
            for missing in sorted(set(range(1, max(levels) + 1)) - set(levels)):
                problems.append(f"{vname}: missing level {missing} (levels must run 1..N without gaps)")
    policy = raw.get("policy")
    if isinstance(policy, dict):
        n_behaviours = sum(len(v.get("behaviours") or []) for v in values if isinstance(v, dict))
        for band in policy.get("grade_bands") or []:
            if isinstance(band, dict) and isinstance(band.get("min"), int | float) and band["min"] > n_behaviours:
                problems.append(
                    f"policy > grade_bands: min {band['min']} is above the highest possible total {n_behaviours}"
                )
    return problems


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
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise RubricError(source, [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
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
        raise RubricError(str(p), [f"cannot read the file ({exc.strerror or exc})"]) from None
    return parse_rubric(text, str(p))


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    text = resources.files("liumai.rubric.data").joinpath(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    return parse_rubric(text, f"rubric/data/{DEFAULT_RUBRIC}")


def validate_file(path: str | Path) -> list[str]:
    """Every problem in a rubric file, one line each; an empty list means the file is valid."""
    try:
        load_rubric(path)
    except RubricError as err:
        return err.problems
    return []

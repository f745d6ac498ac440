"""Small rooms: no module past MAX_LINES and no function past MAX_COMPLEXITY (radon's cyclomatic
complexity) in the package's code, so a change stays readable where it is made.

Today's offenders are listed below, each with why it is still there; the lists can only shrink:
an entry that no longer offends fails the test too, so whoever splits a module deletes its entry.
Migrations are excluded (generated, never edited after release).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from radon.visitors import Class, ComplexityVisitor, Function

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("plugin", "rubric", "storage")
EXCLUDED = ("storage/migrations/",)
MAX_LINES = 400
MAX_COMPLEXITY = 15

# module -> why it is still longer than MAX_LINES
LONG_MODULES: dict[str, str] = {}

# "module:function" (methods as Class.method, closures as outer.inner) -> why it is still past MAX_COMPLEXITY
COMPLEX_FUNCTIONS: dict[str, str] = {}


def _modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(EXCLUDED):
                found.append(path)
    return found


def _functions(blocks: list[Function | Class], prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, complexity) of every function, method and closure."""
    for block in blocks:
        if isinstance(block, Class):
            yield from _functions(block.methods, f"{prefix}{block.name}.")
            continue
        yield f"{prefix}{block.name}", block.complexity
        yield from _functions(block.closures, f"{prefix}{block.name}.")


def _measure() -> tuple[dict[str, int], dict[str, int]]:
    """Lines of every module, and complexity of every function ("module:function")."""
    lines: dict[str, int] = {}
    complexity: dict[str, int] = {}
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        code = path.read_text(encoding="utf-8")
        lines[rel] = len(code.splitlines())
        visitor = ComplexityVisitor.from_code(code)
        for name, value in _functions([*visitor.functions, *visitor.classes]):
            key = f"{rel}:{name}"
            complexity[key] = max(value, complexity.get(key, 0))
    return lines, complexity


@pytest.fixture(scope="module")
def measured() -> tuple[dict[str, int], dict[str, int]]:
    return _measure()


def test_the_guard_sees_the_code(measured):
    lines, complexity = measured
    assert "plugin/services/org_csv.py" in lines and "rubric/engine.py" in lines
    assert not any(rel.startswith(EXCLUDED) for rel in lines)
    assert complexity["plugin/services/org_csv.py:parse_org_csv"] >= 1
    assert complexity["plugin/tagging/llm.py:LLMTagger.suggest"] >= 1


def test_no_module_is_past_the_line_limit(measured):
    lines, _ = measured
    long = {rel: n for rel, n in lines.items() if n > MAX_LINES}
    new = {rel: n for rel, n in long.items() if rel not in LONG_MODULES}
    assert not new, f"modules over {MAX_LINES} lines: split them along their seams: {new}"
    stale = sorted(set(LONG_MODULES) - set(long))
    assert not stale, f"no longer over {MAX_LINES} lines: delete from LONG_MODULES: {stale}"


def test_no_function_is_past_the_complexity_limit(measured):
    _, complexity = measured
    hot = {key: n for key, n in complexity.items() if n > MAX_COMPLEXITY}
    new = {key: n for key, n in hot.items() if key not in COMPLEX_FUNCTIONS}
    assert not new, f"functions past cyclomatic complexity {MAX_COMPLEXITY}: split them: {new}"
    stale = sorted(set(COMPLEX_FUNCTIONS) - set(hot))
    assert not stale, f"no longer past complexity {MAX_COMPLEXITY} (or gone): delete from COMPLEX_FUNCTIONS: {stale}"


def test_the_guard_catches_a_tangled_function_and_sees_closures():
    """The measure itself: 16 paths through a function are caught, and methods and closures are seen."""
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(15))
    code = f"def tangled(x):\n{branches}    return -1\n"
    visitor = ComplexityVisitor.from_code(code)
    assert dict(_functions(visitor.functions)) == {"tangled": MAX_COMPLEXITY + 1}
    nested = "class A:\n    def m(self):\n        def inner(y):\n            return y or 1\n        return inner\n"
    assert dict(_functions(ComplexityVisitor.from_code(nested).classes)) == {"A.m": 1, "A.m.inner": 2}

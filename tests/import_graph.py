"""The package-level import graph of Liumai, drawn from the code (ast, no imports executed).

`python -m tests.import_graph` prints it as a Mermaid flowchart; tests/test_architecture.py checks that
the README's architecture sketch and docs/architecture.md claim only edges that exist in this graph
and allow every edge that does. Layers are named by their folder: plugin/ is `liumai`, plugin/slack/
is `liumai.slack`, rubric/ is `liumai.rubric`, storage/ is `liumai.storage`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# folder -> import package (pyproject.toml's package-dir)
FOLDERS = {"plugin": "liumai", "rubric": "liumai.rubric", "storage": "liumai.storage", "prompts": "liumai.prompts"}
# The layers, by short name: a sub-package of liumai, or a group of modules directly in plugin/.
LAYERS = {
    "cli": ("liumai.cli",),
    "slack": ("liumai.slack",),
    "feishu": ("liumai.feishu",),
    "runtime": ("liumai.runtime", "liumai.web", "liumai.demo"),  # composition: builds the app from settings
    "services": ("liumai.services",),
    "reports": ("liumai.reports",),
    "tagging": ("liumai.tagging",),
    "rubric": ("liumai.rubric",),
    "storage": ("liumai.storage",),
    "prompts": ("liumai.prompts",),
    "data": ("liumai.data",),
}
BASE = "base"  # everything else directly in plugin/: config, i18n, periods, files, log redaction...


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to, or None for a module outside Liumai."""
    if module != "liumai" and not module.startswith("liumai."):
        return None
    for layer, prefixes in LAYERS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return layer
    return BASE


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    base = FOLDERS[rel.parts[0]]
    rest = [p for p in rel.with_suffix("").parts[1:] if p != "__init__"]
    return ".".join([base, *rest])


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)  # `from liumai import services`
    return out


def edges() -> dict[tuple[str, str], list[str]]:
    """(importing layer, imported layer) -> the modules that import across, for messages."""
    found: dict[tuple[str, str], list[str]] = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic scripts import the storage they migrate; not part of the layering
            module = _module_name(path)
            src = layer_of(module)
            for target in _imports(path, module):
                dst = layer_of(target)
                if src and dst and dst != src and (target in _known() or _is_package_prefix(target)):
                    found.setdefault((src, dst), []).append(module)
    return {k: sorted(set(v)) for k, v in sorted(found.items())}


_KNOWN: set[str] | None = None


def _known() -> set[str]:
    """Every module and package name in the project (to ignore `from x import function` names)."""
    global _KNOWN
    if _KNOWN is None:
        names: set[str] = set()
        for folder in FOLDERS:
            for path in (ROOT / folder).rglob("*.py"):
                name = _module_name(path)
                while name:
                    names.add(name)
                    name = name.rpartition(".")[0]
        _KNOWN = names
    return _KNOWN


def _is_package_prefix(target: str) -> bool:
    return target.rpartition(".")[0] in _known() and target.rpartition(".")[0] != "liumai"


def mermaid(graph: dict[tuple[str, str], list[str]]) -> str:
    lines = ["flowchart TD"]
    lines += [f"    {a} --> {b}" for a, b in graph]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(mermaid(edges()) + "\n")

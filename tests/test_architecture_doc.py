"""The architecture as written is the architecture in the code.

The import list in docs/architecture.md (and, once it carries one, the README's sketch) may only
allow edges; the code's package-level imports (tests/import_graph.py, ast only) must all be allowed.
Code cites only documents that are in the repository, and no module imports another's private names.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.import_graph import BASE, FOLDERS, LAYERS, ROOT, edges

DOC = ROOT / "docs" / "architecture.md"
README = ROOT / "README.md"
NODES = {*LAYERS, BASE}
ARROW = re.compile(r"^\s*([a-z]+)\s+->\s*(.*)$")


def allowed_edges(text: str) -> set[tuple[str, str]]:
    """The `layer -> layer, layer` lines of the first ```text block that has them."""
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.S):
        rules = [m for line in block.splitlines() if (m := ARROW.match(line))]
        if rules:
            out = set()
            for m in rules:
                src, targets = m.group(1), [t.strip() for t in m.group(2).split(",") if t.strip()]
                assert src in NODES and set(targets) <= NODES, (src, targets, NODES)
                out.update((src, t) for t in targets)
            return out
    raise AssertionError("no `layer -> layers` list in a ```text block")


def _unallowed(allowed: set[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    return {edge: mods for edge, mods in edges().items() if edge not in allowed}


def test_every_import_edge_is_allowed_by_docs_architecture():
    assert _unallowed(allowed_edges(DOC.read_text(encoding="utf-8"))) == {}


def test_the_graph_sees_the_known_layering():
    """Guards the graph builder itself: edges we know exist are found, forbidden ones are absent."""
    graph = edges()
    for edge in [("services", "storage"), ("slack", "services"), ("feishu", "services"), ("runtime", "slack")]:
        assert edge in graph, edge
    for src in ("rubric", "storage", "services", "reports", "tagging"):
        assert not {(src, a) for a in ("slack", "feishu", "cli")} & set(graph), src
    assert not [e for e in graph if e[0] == "rubric"]


def test_every_import_edge_is_allowed_by_the_readme_sketch():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Architecture") :]
    assert _unallowed(allowed_edges(section)) == {}


def _sources() -> list[Path]:
    return [path for folder in (*FOLDERS, "tests", "bench") for path in sorted((ROOT / folder).rglob("*.py"))]


def test_code_cites_only_documents_in_the_repository():
    """Design notes are cited as docs/NAME.md (and must exist); a design document kept elsewhere is not."""
    docs = re.compile(r"\b(docs/[\w.-]+\.md)\b")
    missing = []
    for path in _sources():
        if path.name == "test_architecture_doc.py":
            continue
        text = path.read_text(encoding="utf-8")
        missing += [f"{path.relative_to(ROOT)}: {n}" for n in docs.findall(text) if not (ROOT / n).exists()]
        missing += [f"{path.relative_to(ROOT)}: design.md" for _ in re.findall(r"\bdesign\.md\b", text)]
    assert missing == []


def test_no_module_imports_private_names_of_another():
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("liumai"):
                    found += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert found == []

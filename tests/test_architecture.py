"""The layer rules and the type checker, run as tests so that the README's test command (and CI) enforces them.

`liumai` is mapped from four folders (plugin/, rubric/, storage/, prompts/: [tool.setuptools.package-dir]),
which neither import-linter nor mypy can follow through the editable install's import hook. Both therefore
run inside a tree of symlinks shaped like the installed package, under build/ so that mypy's incremental
cache survives between runs; reported paths are mapped back to the repository's folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]
WORK = ROOT / "build" / "architecture"


def _link_tree(dest: Path) -> Path:
    """dest/liumai/... with a symlink per Python file, as the wheel would lay it out."""
    shutil.rmtree(dest / "liumai", ignore_errors=True)
    for package, folder in PACKAGE_DIRS.items():
        src = ROOT / folder
        out = dest.joinpath(*package.split("."))
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            target = out / Path(dirpath).relative_to(src)
            target.mkdir(parents=True, exist_ok=True)
            for name in filenames:
                if name.endswith((".py", ".pyi", ".typed")):
                    (target / name).symlink_to(Path(dirpath, name))
    return dest


def _to_repo_paths(output: str) -> str:
    """`liumai/rubric/engine.py` -> `rubric/engine.py`, `liumai/cli/main.py` -> `plugin/cli/main.py`."""
    for package, folder in sorted(PACKAGE_DIRS.items(), key=lambda kv: -len(kv[0])):
        output = output.replace(package.replace(".", "/") + "/", f"\0{folder}/")
    return output.replace("\0", "")


@pytest.fixture(scope="module")
def tree() -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return _link_tree(WORK)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "NO_COLOR": "1"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_import_contracts_hold(tree: Path) -> None:
    """Layers (pyproject.toml [tool.importlinter]) and no import circles; function-level imports count."""
    cli = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    proc = _run([sys.executable, "-c", cli, "--config", str(ROOT / "pyproject.toml"), "--no-cache"], tree)
    out = _to_repo_paths(proc.stdout + proc.stderr)
    assert proc.returncode == 0, out
    assert "0 broken" in out, out


def test_mypy_finds_no_errors(tree: Path) -> None:
    """mypy on the whole `liumai` package ([tool.mypy] in pyproject.toml): zero errors."""
    cache = WORK / ".mypy_cache"
    proc = _run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache)], tree
    )
    out = _to_repo_paths(proc.stdout + proc.stderr)
    assert proc.returncode == 0, out
    assert "Success: no issues found" in out, out


def test_storage_contract_lists_every_other_module() -> None:
    """The storage contract names its forbidden modules one by one: a new top-level module must join the list."""
    contract = next(
        c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["name"] == "storage imports only rubric"
    )
    top = {p.stem for p in (ROOT / "plugin").iterdir() if p.suffix == ".py" and p.stem != "__init__"}
    top |= {p.name for p in (ROOT / "plugin").iterdir() if (p / "__init__.py").is_file()}
    top |= {p.rsplit(".", 1)[1] for p in PACKAGE_DIRS if p.count(".") == 1}
    expected = {f"liumai.{name}" for name in top - {"rubric", "storage"}}
    assert set(contract["forbidden_modules"]) == expected

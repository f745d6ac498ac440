"""The installed distribution exposes exactly one import package, `liumai`.

The repository keeps its fixed top-level folders (plugin/, rubric/, storage/, prompts/); the wheel
maps them to `liumai`, `liumai.rubric`, `liumai.storage` and `liumai.prompts`, so nothing generic
lands in site-packages and a `storage/` folder in someone's working directory cannot shadow ours.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"plugin": "liumai", "rubric": "liumai.rubric", "storage": "liumai.storage", "prompts": "liumai.prompts"}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_folder_with_code_is_a_listed_package():
    cfg = _config()
    assert cfg["package-dir"] == {v: k for k, v in FOLDERS.items()}
    expected = set()
    for folder, package in FOLDERS.items():
        for d in [ROOT / folder, *(p for p in (ROOT / folder).rglob("*") if p.is_dir())]:
            if d.name == "__pycache__" or (not any(d.glob("*.py")) and not (d / "__init__.py").exists()):
                continue
            rel = d.relative_to(ROOT / folder).parts
            expected.add(".".join((package, *rel)))
    assert set(cfg["packages"]) == expected


def test_wheel_holds_only_the_liumai_package(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("liumai-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"liumai"}
    for needed in (
        "liumai/rubric/data/liumai.yaml",
        "liumai/prompts/tagging/system.md",
        "liumai/storage/migrations/env.py",
        "liumai/storage/migrations/script.py.mako",
        "liumai/slack/manifest.yml",
        "liumai/data/demo/stories.jsonl",
    ):
        assert needed in names, needed
    assert any(n.startswith("liumai/storage/migrations/versions/0001") for n in names)


def test_a_storage_folder_in_the_working_directory_cannot_shadow_the_package(tmp_path):
    """The reviewer's case: `python -m ... --help` from a directory holding a `storage/` folder."""
    (tmp_path / "storage").mkdir()
    (tmp_path / "storage" / "__init__.py").write_text("raise ImportError('shadowed')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    res = subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert "Usage" in res.stdout

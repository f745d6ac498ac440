"""A snappy CLI: what `liumai --help` and `liumai score` import (time is measured in bench/scale.py,
never asserted here). Importing the CLI must not import the platform SDKs, the LLM client, the
chart library, the web server or Alembic; `score` opens the database and scores, still without
any of them. Each check runs in a fresh interpreter, so nothing imported by other tests hides a
regression."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from liumai.storage.db import head_revision, revisions

HEAVY = ("slack_bolt", "slack_sdk", "lark_oapi", "openai", "matplotlib", "uvicorn", "starlette", "alembic")


def loaded_after(code: str, env: dict[str, str] | None = None) -> dict[str, bool]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r} + ('sqlalchemy',)}}))"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env or dict(os.environ)
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_heavy_library() -> None:
    loaded = loaded_after("import liumai.cli.main")
    assert not [m for m, yes in loaded.items() if yes], loaded  # not even SQLAlchemy for --help


def test_help_renders_without_heavy_libraries() -> None:
    code = (
        "from liumai.cli.main import app\n"
        "try:\n    app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    loaded = loaded_after(code)
    assert not [m for m, yes in loaded.items() if yes], loaded


def test_score_opens_the_database_without_alembic_or_sdks(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'start.db'}"
    env = {**os.environ, "LIUMAI_DATABASE_URL": url}
    setup = subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", "migrate"], capture_output=True, text=True, env=env, timeout=120
    )
    assert setup.returncode == 0, setup.stderr
    code = (
        "from liumai.cli.main import app\n"
        "try:\n    app(['score', '--person', 'nobody@example.com'], standalone_mode=False)\n"
        "except BaseException:\n    pass"
    )
    loaded = loaded_after(code, env)
    assert loaded.pop("sqlalchemy") is True  # it did open the database
    assert not [m for m, yes in loaded.items() if yes], loaded


def test_schema_gate_reads_the_same_history_as_alembic() -> None:
    from alembic.script import ScriptDirectory

    from liumai.storage.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(None))  # type: ignore[arg-type]
    assert head_revision() == script.get_current_head()
    assert revisions() == {rev.revision: rev.down_revision for rev in script.walk_revisions()}

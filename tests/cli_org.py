"""An in-process `liumai` (typer's CliRunner) on a fresh SQLite file holding the sample org chart."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import CliRunner

from liumai.cli.main import app
from tests.conftest import ORG_CSV


def cli_with_org(tmp_path, monkeypatch) -> Callable[..., object]:
    """`run(*args, code=0)`: the command's result, its exit code checked; migrated, org imported."""
    monkeypatch.setenv("LIUMAI_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        res = runner.invoke(app, list(args))
        assert res.exit_code == code, (args, res.stdout, res.stderr)
        return res

    run("migrate")
    (tmp_path / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    run("org", "import", "org.csv")
    return run

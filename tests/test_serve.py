"""`liumai serve` as a process: refuses an unmigrated database, serves /healthz, stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_"))}
    env["LIUMAI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    env["PYTHONPATH"] = str(ROOT)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_refuses_an_unmigrated_database(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", "serve", "--port", str(_free_port())],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [res.stderr.strip()] and "liumai migrate" in res.stderr


def test_serve_answers_healthz_and_stops(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "liumai.cli.main", "migrate"], env=env, check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "liumai.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, proc.stdout.read() if proc.poll() is not None else "no answer"
        assert body["status"] == "ok" and body["rubric"].startswith("liumai-six-values@")
        assert body["integrations"] == []
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode in (0, 1, -signal.SIGINT)

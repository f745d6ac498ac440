"""`liumai serve` with Slack configured starts without Bolt's "`token` will be unused" warning."""

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

from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.slack.harness import SECRET

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_"))}
    env.update({"LIUMAI_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "PYTHONPATH": str(ROOT)})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_slack_logs_no_token_warning(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "liumai.cli.main", "migrate"], env=env, check=True, capture_output=True)
    port = _free_port()
    with FakeSlackAPI() as fake:
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.base_url})
        proc = subprocess.Popen(
            [sys.executable, "-m", "liumai.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        body = None
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                        body = json.loads(r.read())
                        break
                except OSError:
                    time.sleep(0.2)  # polling for the port with a generous deadline, not synchronisation
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                out, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
    assert body is not None and "slack" in body["integrations"], out
    assert "will be unused" not in out, out
    assert BOT_TOKEN not in out

"""`liumai serve` as a child process on loopback, for tests that need the real server stack.

Kept out of conftest.py so test modules import it as an ordinary module (like tests/slack/harness.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without a developer's own Slack, Feishu or Liumai settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FEISHU_", "LIUMAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`liumai <args>` as a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "liumai.cli.main", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    log: IO[str]  # the process's stdout and stderr (a file: a full pipe would block the server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def output(self) -> str:
        """Everything the process has written so far."""
        self.log.seek(0)
        return self.log.read()


@contextmanager
def serve(env: dict[str, str], *args: str, deadline_s: float = 60) -> Iterator[Served]:
    """Start `liumai serve --no-worker` on a free loopback port; wait until /healthz answers."""
    port = free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - outlives this function: the test reads it
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker", *args]
    proc = subprocess.Popen(
        [sys.executable, "-m", "liumai.cli.main", *command],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(proc, port, log)
    try:
        deadline = time.monotonic() + deadline_s
        while True:
            assert proc.poll() is None, f"serve exited: {served.output()}"
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            try:
                status, body = served.get("/healthz", timeout=2)
                if status == 200 and json.loads(body)["status"] == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.1)  # polling a starting process, with a deadline
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

"""Reading what a database still holds, as raw bytes: erasure and retention tests grep these for
the strings of a person or a record that must be gone.

A SQLite database is its main file, WAL and shared memory, read as they are on disk, so free pages
and stale WAL frames cannot hide anything; a PostgreSQL test schema is read back with `pg_dump`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.engine import make_url


def sqlite_files(db_url: str) -> dict[str, bytes]:
    path = Path(make_url(db_url).database)
    return {p.name: p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()}


def pg_dump(db_url: str) -> bytes:
    url = make_url(db_url)
    options = unquote(parse_qs(urlsplit(db_url).query)["options"][0])
    schema = options.split("search_path=", 1)[1]
    res = subprocess.run(
        [
            shutil.which("pg_dump") or "pg_dump",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-n",
            schema,
            url.database or "postgres",
        ],
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert b"CREATE TABLE" in res.stdout
    return res.stdout


def stored_bytes(db_url: str) -> dict[str, bytes]:
    return sqlite_files(db_url) if db_url.startswith("sqlite") else {"pg_dump": pg_dump(db_url)}


def leftovers(files: dict[str, bytes], needles: list[str]) -> list[tuple[str, str]]:
    return [(name, n) for name, raw in files.items() for n in needles if n.encode() in raw]


def everywhere(files: dict[str, bytes], needle: str) -> bool:
    return any(needle.encode() in raw for raw in files.values())

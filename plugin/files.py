"""Files Liumai writes hold personal data: owner-only (0600, directories 0700) whatever the umask.

Every command that writes a file (summaries, exports, backups, the demo's reports) goes through
here; the SQLite database file itself is created the same way in `liumai.storage.db`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create `path` 0700 if it is missing (parents as the system makes them).

    An existing directory keeps its mode unless `tighten` (Liumai's own ~/.liumai): a directory
    the user chose, such as the current one, is theirs to set.
    """
    path = Path(path).expanduser()
    if not path.exists():
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    elif tighten and path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE_DIR)
    return path


def create_private(path: Path) -> Path:
    """Create a new, empty 0600 file; FileExistsError if something is there already."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    return Path(path)


def write_private(path: Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write `data` to `path`, created 0600; a file already there is made 0600 before it is written."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode) and mode & 0o077:
            os.fchmod(fd, PRIVATE_FILE)
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return Path(path)


@contextmanager
def private_output(path: Path) -> Iterator[IO[bytes]]:
    """A file written in pieces (a streamed report): a 0600 temporary file beside `path`, moved into
    place only when the writing finished, so a failure halfway never leaves half a report behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

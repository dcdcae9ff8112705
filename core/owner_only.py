"""Owner-only files and directories (0600 / 0700): the data directory holds customer data and secrets.

Modes are given when a file or directory is created, never set afterwards, so there is no moment
in which another local user could open it. Existing paths are left as the operator made them.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_dirs(path: Path | str) -> Path:
    """Create `path` and any missing parents as 0700 directories (existing ones are left alone)."""
    target = Path(path)
    missing: list[Path] = []
    for candidate in (target, *target.parents):
        if candidate.is_dir():
            break
        missing.append(candidate)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not directory.is_dir():
                raise
    return target


def create_file(path: Path | str, *, exclusive: bool = True) -> int:
    """Open a new 0600 file for writing and return its descriptor (FileExistsError when `exclusive` and it exists)."""
    flags = os.O_CREAT | os.O_WRONLY | (os.O_EXCL if exclusive else 0)
    return os.open(path, flags, FILE_MODE)

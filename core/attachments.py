"""Content-addressed file store: each file once, under PEYK_DATA_DIR/attachments/ab/cd/<sha256>."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from core.errors import ValidationError
from core.owner_only import make_dirs

MAX_BYTES = 20 * 1024 * 1024
_SHA256_HEX = frozenset("0123456789abcdef")

# Set by bootstrap from PEYK_DATA_DIR; tests call configure(tmp_path) or pass data_dir explicitly.
_data_dir = Path("data")


class AttachmentTooLarge(ValidationError):
    """A file over the size limit (the message says the limit)."""


def configure(data_dir: Path | str) -> None:
    """Set the data directory used when callers pass none."""
    global _data_dir
    _data_dir = Path(data_dir)


def data_dir() -> Path:
    """The configured data directory."""
    return _data_dir


def path_for(sha256: str, data_dir: Path | str | None = None) -> Path:
    """Where the file with this SHA-256 lives (whether or not it exists)."""
    if len(sha256) != 64 or not set(sha256) <= _SHA256_HEX:
        raise ValidationError(f"not a sha256 digest: {sha256!r}")
    root = Path(data_dir) if data_dir is not None else _data_dir
    return root / "attachments" / sha256[:2] / sha256[2:4] / sha256


def store_bytes(data_dir: Path | str | None, data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """Store `data` once (atomically: temp file, fsync, rename) and return its SHA-256."""
    if len(data) > max_bytes:
        raise AttachmentTooLarge(
            f"attachment is {len(data) / 1048576:.1f} MB, the limit is {max_bytes // 1048576} MB per file"
        )
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest, data_dir)
    if target.exists():
        return digest
    make_dirs(target.parent)  # 0700 directories; mkstemp makes the file 0600 and the rename keeps it
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # Same content under the same name: a concurrent writer's rename is equally correct.
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def read_bytes(sha256: str, data_dir: Path | str | None = None) -> bytes:
    """The stored file's bytes (FileNotFoundError when it is not there)."""
    return path_for(sha256, data_dir).read_bytes()

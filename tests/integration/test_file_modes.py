"""Owner-only files: what `python run.py` creates in a new data directory is 0600 (files) and 0700 (directories).

The service starts on a fresh SQLite database inside its data directory, with the SMTP listener on;
a mail with a file goes in over SMTP, and every path it made is checked. The secret key is created
with its mode (never chmod'ed after writing), and a spooled mail is owner-only while it waits.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from core.config import load_settings
from tests.support.mail import eventually, load_eml, mail_world, send_mail
from tests.support.service import RunningService, free_port


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def stored_sha256(database: Path) -> str | None:
    """The first stored attachment's digest, read with sqlite3 (this is SQLite whatever the suite's backend)."""
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn:
        row = conn.execute("SELECT sha256 FROM attachment ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


async def test_run_py_makes_its_data_dir_database_secret_key_attachments_and_spool_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    url = f"sqlite://{data / 'peyk.sqlite3'}"
    port = free_port()
    env = {
        "PEYK_DATABASE_URL": url,
        "PEYK_DATA_DIR": str(data),
        "PEYK_SMTP_INGRESS": f"127.0.0.1:{port}",
        "PEYK_MAIL_FROM": "پشتیبانی <support@example.ir>",
        "PEYK_SECRET_KEY": "",  # generated into the data directory
    }
    service = RunningService(env, tmp_path)
    await service.start()
    try:
        await send_mail(port, load_eml("email/multipart_attachment.eml"))
        sha256 = await eventually(lambda: stored_sha256(data / "peyk.sqlite3"))
    finally:
        await service.stop()
    stored = data / "attachments" / sha256[:2] / sha256[2:4] / sha256
    spool = data / "spool" / "mail"
    directories = [data, data / "attachments", stored.parent.parent, stored.parent, spool.parent, spool]
    assert {str(d.relative_to(tmp_path)): mode(d) for d in directories} == {
        str(d.relative_to(tmp_path)): 0o700 for d in directories
    }
    files = [data / "peyk.sqlite3", data / "secret_key", stored]
    files += [p for p in data.iterdir() if p.name.startswith("peyk.sqlite3-")]  # -wal, -shm while they exist
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


async def test_a_mail_waiting_in_the_spool_is_a_0600_file(db: str, tmp_path: Path) -> None:
    async with mail_world(tmp_path, worker=False) as world:
        await send_mail(world.port, load_eml("email/persian_utf8_plain.eml"))
        (waiting,) = world.spool.pending()
        assert mode(world.spool.path(waiting)) == 0o600
        assert mode(world.spool.directory) == 0o700


def test_the_secret_key_is_created_0600_and_never_chmod_ed_after_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chmods: list[str] = []
    monkeypatch.setattr(Path, "chmod", lambda self, *a, **k: chmods.append(str(self)))
    monkeypatch.setattr(os, "chmod", lambda path, *a, **k: chmods.append(str(path)))
    old = os.umask(0)  # whatever the umask, the file is born 0600
    try:
        key = load_settings({"PEYK_DATA_DIR": str(tmp_path / "fresh")}).secret_key
    finally:
        os.umask(old)
    key_file = tmp_path / "fresh" / "secret_key"
    assert chmods == []
    assert (mode(key_file), mode(tmp_path / "fresh")) == (0o600, 0o700)
    assert key_file.read_text() == key and len(key) >= 32
    assert load_settings({"PEYK_DATA_DIR": str(tmp_path / "fresh")}).secret_key == key

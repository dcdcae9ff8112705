"""The mail spool behind the SMTP listener: 250 only once a mail is on disk, and nothing spooled is ever lost.

Real SMTP sessions to the listener, the real database; the only stand-ins force rare failures
(database down, disk refusing the write).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import aiosmtplib
import pytest

from channels import mail_spool
from channels.email_intake import MailIntake, MailRules
from channels.mail_service import start_mail
from channels.mail_spool import MailSpool, SpoolWorker, spool_dir
from core.config import Settings
from core.models import Alarm, Message
from tests.support.mail import eventually, load_eml, mail_world, send_mail, with_headers
from tests.support.service import free_port

FIRST = load_eml("email/persian_utf8_plain.eml")


def on_the_wire(raw: bytes) -> bytes:
    """What the listener receives for a fixture mail (SMTP lines end in CRLF)."""
    return raw.replace(b"\n", b"\r\n")


def mail(n: int) -> bytes:
    return with_headers(FIRST, Message_ID=f"<spool-{n}@mail.gmail.com>", Subject=f"نامه {n}")


async def test_250_comes_only_after_the_mail_and_its_envelope_are_complete_on_disk(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[Path] = []
    real_fsync_dir = mail_spool._fsync_dir

    def slow_fsync_dir(directory: Path) -> None:
        import time

        time.sleep(0.3)  # a slow disk: the answer must still wait for it
        real_fsync_dir(directory)
        synced.append(directory)

    monkeypatch.setattr(mail_spool, "_fsync_dir", slow_fsync_dir)
    async with mail_world(tmp_path, worker=False) as world:
        _, answer = await send_mail(
            world.port, FIRST, sender="ali.rezaei1368@gmail.com", recipients=("support@example.ir", "sales@example.ir")
        )
        assert synced == [world.spool.directory]  # the directory entry was durable before the 250
        mail_id = answer.removeprefix("2.0.0 OK: queued as ")
        (path,) = world.spool.directory.iterdir()
        assert path == world.spool.path(mail_id)
        head, _, body = path.read_bytes().partition(b"\n")
        assert body == on_the_wire(FIRST)
        envelope = json.loads(head)
        assert envelope["mail_from"] == "ali.rezaei1368@gmail.com"
        assert envelope["rcpt_tos"] == ["support@example.ir", "sales@example.ir"]
        assert envelope["peer"].startswith("127.0.0.1:")
        assert envelope["received"]
        assert world.spool.read(mail_id).raw == on_the_wire(FIRST)
    assert await Message.all().count() == 0  # no worker: it waits in the spool


async def test_a_mail_spooled_while_the_database_is_down_is_stored_once_it_is_back(db: str, tmp_path: Path) -> None:
    failures = 0

    async with mail_world(tmp_path, retry_first=0.1) as world:
        real_ingest = world.intake.ingest

        async def flaky_ingest(*args: object, **kwargs: object) -> object:
            nonlocal failures
            if failures < 3:  # forcing the rare failure: the database is down for three attempts
                failures += 1
                raise ConnectionError("database is down")
            return await real_ingest(*args, **kwargs)

        world.intake.ingest = flaky_ingest  # type: ignore[assignment]
        answer = await world.send(FIRST, settle=False)
        assert answer.startswith("2.0.0 OK: queued as ")
        mail_id = answer.removeprefix("2.0.0 OK: queued as ")
        await eventually(lambda: failures >= 1)
        assert world.spool.pending() == [mail_id]  # kept while failing
        await world.drain()
        assert failures == 3
    assert await Message.all().count() == 1
    assert list(world.spool.directory.iterdir()) == []


async def test_mails_left_by_a_crash_are_taken_at_start_once_each(db: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    spool = MailSpool(spool_dir(data_dir))  # the crashed process: mails spooled, worker never ran
    ids = [
        await spool.put(mail(n), mail_from="ali.rezaei1368@gmail.com", rcpt_tos=["support@example.ir"])
        for n in range(3)
    ]
    (spool.directory / "9999999999999999999-000000-1.tmp").write_bytes(b'{"mail_from": ""}\nhalf a ma')  # no 250 given
    # The first one had been stored just before the crash, its file not yet deleted.
    intake = MailIntake(MailRules(own_domains=("example.ir",), data_dir=data_dir))
    assert (await intake.take(mail(0), envelope_from="ali.rezaei1368@gmail.com")).status == "stored"
    assert spool.pending() == ids

    port = free_port()
    settings = Settings(
        secret_key="k" * 32,
        data_dir=data_dir,
        smtp_ingress=("127.0.0.1", port),
        mail_from="support@example.ir",
    )
    close = await start_mail(settings)
    try:
        await eventually(lambda: not list(spool.directory.iterdir()))
    finally:
        await close()
    subjects = [m.subject for m in await Message.all().order_by("id")]
    assert subjects == ["نامه 0", "نامه 1", "نامه 2"]


async def test_a_failed_spool_write_answers_451_and_leaves_no_partial_file(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")  # forcing the rare failure: the disk refuses the flush

    async with mail_world(tmp_path) as world:
        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await send_mail(world.port, FIRST)
        assert refused.value.code == 451
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert list(world.spool.directory.iterdir()) == []
        assert (await world.send(FIRST)).startswith("2.0.0 OK: queued as ")  # the sender's retry works
    assert await Message.all().count() == 1
    assert list(world.spool.directory.iterdir()) == []


async def test_mails_from_one_sender_are_stored_in_the_order_they_were_accepted(db: str, tmp_path: Path) -> None:
    big = with_headers(load_eml("email/multipart_attachment.eml"), Message_ID="<spool-a@mail.gmail.com>", Subject="A")
    sent = [big, with_headers(mail(1), Subject="B"), with_headers(mail(2), Subject="C")]
    async with mail_world(tmp_path, worker=False) as world:
        for raw in sent:  # all three wait in the spool, then one worker parses them ahead in parallel
            assert (await world.send(raw, settle=False)).startswith("2.0.0 OK: queued as ")
        worker = SpoolWorker(world.spool, world.intake, parallel=3)
        await worker.start()
        try:
            async with asyncio.timeout(30):
                await worker.drain()
        finally:
            await worker.close()
        live = SpoolWorker(world.spool, world.intake)  # and while a worker runs, as they come
        await live.start()
        try:
            for n in (3, 4, 5):
                await world.send(with_headers(mail(n), Subject=f"D{n}"), settle=False)
            async with asyncio.timeout(30):
                await live.drain()
        finally:
            await live.close()
    assert [m.subject for m in await Message.all().order_by("id")] == ["A", "B", "C", "D3", "D4", "D5"]


async def test_an_unparseable_spooled_mail_is_held_with_its_alarm_and_its_file_removed(db: str, tmp_path: Path) -> None:
    bad = with_headers(FIRST, From=None, Message_ID="<no-sender@x>")
    async with mail_world(tmp_path) as world:
        assert (await world.send(bad)).startswith("2.0.0 OK: queued as ")
        assert list(world.spool.directory.iterdir()) == []
    assert await Alarm.filter(kind="mail_unparsed").count() == 1
    assert await Message.all().count() == 0


async def test_a_mail_that_keeps_failing_on_its_own_is_kept_for_review_and_the_next_one_is_stored(
    db: str, tmp_path: Path
) -> None:
    attempts = 0
    async with mail_world(tmp_path, retry_first=0.02) as world:
        real_ingest = world.intake.ingest

        async def poisoned(msg: object, **kwargs: object) -> object:
            nonlocal attempts
            if getattr(msg, "subject", "") == "نامه 1":  # a bug only this mail triggers; the database is fine
                attempts += 1
                raise RuntimeError("a parser bug nobody foresaw")
            return await real_ingest(msg, **kwargs)

        world.intake.ingest = poisoned  # type: ignore[assignment]
        assert (await world.send(mail(1), settle=False)).startswith("2.0.0 OK: queued as ")
        assert (await world.send(mail(2), settle=False)).startswith("2.0.0 OK: queued as ")
        await world.drain()
        assert list(world.spool.directory.iterdir()) == []
    assert attempts == world.worker.hold_after  # type: ignore[union-attr]
    assert [m.subject for m in await Message.all()] == ["نامه 2"]  # the good mail was not held up
    (alarm,) = await Alarm.filter(kind="mail_unparsed")
    assert "kept for review" in alarm.text

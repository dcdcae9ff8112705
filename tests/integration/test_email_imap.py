"""The IMAP poller against a real Dovecot on 127.0.0.1: nothing skipped, nothing imported twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from channels.email_intake import MailIntake, MailRules
from channels.imap_poller import ImapPoller
from core.actions.mailbox import mailbox_position, save_mailbox_position
from core.models import Alarm, Channel, Message
from tests.support.dovecot import Dovecot
from tests.support.mail import eventually, load_eml, with_headers

MAILS = [
    load_eml("email/persian_utf8_plain.eml"),
    load_eml("email/windows1256_qp.eml"),
    load_eml("email/multipart_attachment.eml"),
    load_eml("email/outlook_reply.eml"),
]


@pytest.fixture
async def dovecot() -> AsyncIterator[Dovecot]:
    server = Dovecot()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def intake(db: str, tmp_path: Path) -> MailIntake:
    return MailIntake(MailRules(data_dir=tmp_path / "data"))


def poller(dovecot: Dovecot, intake: MailIntake, **kwargs: Any) -> ImapPoller:
    options: dict[str, Any] = {"poll_interval": 3600, "backoff": (0.05, 0.2), "timeout": 5, **kwargs}
    return ImapPoller(dovecot.url, intake.take, **options)


async def run_one_pass(p: ImapPoller) -> int:
    """Start, let one full import pass finish, stop; returns how many mails it imported."""
    await p.start()
    try:
        await asyncio.wait_for(p.wait_for_pass(0), 30)
    finally:
        await p.stop()
    return p.imported


async def test_mail_that_arrived_while_the_poller_was_stopped_is_imported_once_and_never_again(
    dovecot: Dovecot, intake: MailIntake
) -> None:
    await dovecot.append(MAILS[0], MAILS[1])
    assert await run_one_pass(poller(dovecot, intake)) == 2
    await dovecot.append(MAILS[2])  # the service is down meanwhile
    assert await run_one_pass(poller(dovecot, intake)) == 1
    assert await run_one_pass(poller(dovecot, intake)) == 0  # a plain restart re-imports nothing
    assert await Message.filter(channel=Channel.EMAIL).count() == 3
    position = await mailbox_position(poller(dovecot, intake).target.key)
    assert position is not None and position.last_uid == 3


async def test_idle_brings_new_mail_while_the_poller_runs(dovecot: Dovecot, intake: MailIntake) -> None:
    p = poller(dovecot, intake)  # poll_interval is an hour: only IDLE can bring the next pass
    await p.start()
    try:
        passes = await asyncio.wait_for(p.wait_for_pass(0), 30)
        await dovecot.append(MAILS[0])
        await asyncio.wait_for(p.wait_for_pass(passes), 30)
    finally:
        await p.stop()
    assert p.imported == 1
    assert await Message.filter(external_id__startswith="<CAGk8w3pQ").count() == 1


async def test_without_idle_the_mailbox_is_polled(dovecot: Dovecot, intake: MailIntake) -> None:
    p = poller(dovecot, intake, use_idle=False, poll_interval=0.1)
    await p.start()
    try:
        passes = await asyncio.wait_for(p.wait_for_pass(0), 30)
        await dovecot.append(MAILS[1])
        while p.imported < 1:
            passes = await asyncio.wait_for(p.wait_for_pass(passes), 30)
    finally:
        await p.stop()
    assert await Message.all().count() == 1


async def test_the_poller_reconnects_after_the_server_goes_away(dovecot: Dovecot, intake: MailIntake) -> None:
    p = poller(dovecot, intake)
    await p.start()
    try:
        await asyncio.wait_for(p.wait_for_pass(0), 30)
        await dovecot.restart()  # drops the IDLE connection
        await dovecot.append(MAILS[0])
        await eventually(lambda: p.imported >= 1)
    finally:
        await p.stop()
    assert await Message.all().count() == 1


async def test_a_new_uidvalidity_rereads_the_mailbox_without_storing_anything_twice(
    dovecot: Dovecot, intake: MailIntake
) -> None:
    await dovecot.append(MAILS[0], MAILS[1])
    p = poller(dovecot, intake)
    assert await run_one_pass(p) == 2
    # The server rebuilt the mailbox: UIDs were renumbered under a new UIDVALIDITY than we remember.
    stored = await mailbox_position(p.target.key)
    assert stored is not None
    await save_mailbox_position(p.target.key, stored.uidvalidity + 1, 999)
    await dovecot.append(MAILS[2])
    again = poller(dovecot, intake)
    assert await run_one_pass(again) == 3  # everything read again …
    assert await Message.all().count() == 3  # … and only the new one stored
    position = await mailbox_position(p.target.key)
    assert position == stored.__class__(stored.uidvalidity, 3)


async def test_an_unparseable_mail_is_held_and_does_not_block_the_next(dovecot: Dovecot, intake: MailIntake) -> None:
    bad = with_headers(MAILS[0], From=None, Message_ID="<broken@x>")
    await dovecot.append(bad, MAILS[3])
    assert await run_one_pass(poller(dovecot, intake)) == 2
    assert await Alarm.filter(kind="mail_unparsed").count() == 1
    assert await Message.all().count() == 1
    assert await run_one_pass(poller(dovecot, intake)) == 0


async def test_stop_leaves_idle_and_logs_out(dovecot: Dovecot, intake: MailIntake) -> None:
    p = poller(dovecot, intake)
    await p.start()
    await asyncio.wait_for(p.wait_for_pass(0), 30)
    await p.stop()
    await eventually(lambda: "Logged out" in dovecot.log())


async def test_a_mail_that_keeps_failing_to_store_is_held_and_the_rest_still_arrive(
    dovecot: Dovecot, intake: MailIntake
) -> None:
    real_ingest = intake.ingest

    async def ingest_failing_on_one(msg: Any, **kwargs: Any) -> Any:
        # Forcing the rare failure: this one mail trips the store every time (a poison mail).
        if msg.external_id == "<000801d95c3a$4f1e2b20$ed5a8160$@parsian-trading.ir>":
            raise RuntimeError("value too long for the column")
        return await real_ingest(msg, **kwargs)

    intake.ingest = ingest_failing_on_one
    await dovecot.append(MAILS[1], MAILS[0])
    p = poller(dovecot, intake, hold=intake.hold, max_tries=3)
    await p.start()
    try:
        await eventually(lambda: p.imported >= 2)
    finally:
        await p.stop()
    assert await Message.filter(external_id__startswith="<CAGk8w3pQ").count() == 1
    (alarm,) = await Alarm.filter(kind="mail_unparsed")
    assert "3 tries" in alarm.text

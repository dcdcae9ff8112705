"""Limits of one incoming mail over real SMTP sessions: how many files are kept, how many recipients are taken.

A mail with more attachments than allowed is still stored, with the first files and a Persian
reason for the rest that staff read on its conversation; RCPT beyond the recipients limit is 452.
The defaults (100 and 100) run on the in-process listener; the settings are proven on `python run.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.actions.staff import create_user
from core.models import Attachment, Message, Role
from tests.support.databases import create_database, drop_database
from tests.support.mail import MailWorld, eventually, mail_world, send_mail
from tests.support.orm import orm_on
from tests.support.service import RunningService, free_port
from tests.support.web import WebServer, web

__all__ = ["web"]


def mail_with_files(count: int, message_id: str = "<many-files@example.com>") -> bytes:
    """A Persian mail from a customer carrying `count` small, distinct text files."""
    mail = EmailMessage()
    mail["From"] = "سارا کریمی <sara.karimi@example.com>"
    mail["To"] = "support@example.ir"
    mail["Subject"] = "مدارک پرونده"
    mail["Message-ID"] = message_id
    mail.set_content("سلام، مدارک پرونده پیوست است.")
    for n in range(1, count + 1):
        mail.add_attachment(f"برگهٔ {n}".encode(), maintype="text", subtype="plain", filename=f"page-{n:03d}.txt")
    return mail.as_bytes()


@pytest.fixture
async def world(db: str, tmp_path: Path) -> AsyncIterator[MailWorld]:
    async with mail_world(tmp_path) as w:
        yield w


async def test_a_mail_with_101_files_is_stored_with_the_first_100_and_says_why_the_last_was_refused(
    world: MailWorld, web: WebServer
) -> None:
    await world.send(mail_with_files(101), sender="sara.karimi@example.com")
    message = await Message.get(external_id="<many-files@example.com>")
    names = [a.name for a in await Attachment.filter(message_id=message.id).order_by("id")]
    assert names == [f"page-{n:03d}.txt" for n in range(1, 101)]
    refused = message.meta["refused_attachments"]
    assert (refused["count"], refused["limit"], refused["names"]) == (1, 100, ["page-101.txt"])
    assert "۱۰۱ پیوست داشت" in refused["reason"] and "۱۰۰ پیوست" in refused["reason"]
    await create_user("nazanin", "a-long-password", role=Role.ADMIN)
    browser = web.browser()
    try:
        await browser.sign_in("nazanin")
        status, page = await browser.get(f"/admin/conversations/{message.conversation_id}")
    finally:
        await browser.close()
    assert status == 200 and "۱۰۱ پیوست داشت" in page


async def test_the_101st_recipient_of_one_message_gets_452_and_the_mail_goes_to_the_first_100(
    world: MailWorld,
) -> None:
    recipients = tuple(f"desk{n}@example.ir" for n in range(1, 102))
    refused, answer = await send_mail(world.port, mail_with_files(1), recipients=recipients)
    assert list(refused) == ["desk101@example.ir"] and refused["desk101@example.ir"].code == 452
    assert answer.startswith("2.0.0 OK: queued as")
    await world.drain()
    message = await Message.get()
    assert "desk100@example.ir" in message.meta["to"] and "desk101@example.ir" not in message.meta["to"]


async def test_run_py_takes_both_limits_from_the_settings(tmp_path: Path) -> None:
    url = await create_database(tmp_path)
    port = free_port()
    env = {
        "PEYK_DATABASE_URL": url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_SMTP_INGRESS": f"127.0.0.1:{port}",
        "PEYK_MAIL_FROM": "پشتیبانی <support@example.ir>",
        "PEYK_MAIL_MAX_ATTACHMENTS": "2",
        "PEYK_SMTP_MAX_RECIPIENTS": "3",
    }
    service = RunningService(env, tmp_path)
    await service.start()
    try:
        recipients = ("a@example.ir", "b@example.ir", "c@example.ir", "d@example.ir")
        refused, _ = await send_mail(port, mail_with_files(3), recipients=recipients)
        assert {k: v.code for k, v in refused.items()} == {"d@example.ir": 452}
        async with orm_on(url):
            message = await _stored()
            files = await Attachment.filter(message_id=message.id).count()
        assert files == 2 and message.meta["refused_attachments"]["names"] == ["page-003.txt"]
    finally:
        await service.stop()
        await drop_database(url)


async def _stored() -> Message:
    """The one mail, once the service's spool worker has stored it."""
    return await eventually(lambda: Message.filter(external_id="<many-files@example.com>").first())

"""Bot files are fetched after the ack (issue 21 point 6): stored by reference, fetched in the background, retried.

Updates go over HTTP to the running app; the files come from the fake Bot API's getFile and file URL.
A download gate on the fake holds the download so the ack is seen to come first.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import replace
from datetime import UTC, datetime

from aiohttp.test_utils import TestServer

from admin.app import create_app
from core import attachments
from core.actions.file_fetch import MAX_ATTEMPTS, claim_due, fetch_failed
from core.models import Attachment, Channel, FileState, Message, Role, User
from core.models.enums import AccessScope
from tests.support.api import staff
from tests.support.bot_service import BotService, eventually, fakes, fixture, peyk
from tests.support.web import WebBrowser

__all__ = ["fakes", "peyk"]
MARYAM = "5123456789"
PHOTO_ID = "AgACAgQAAxkBAAIBZ2dPhoto1280"
DOC_ID = "BQACAgQAAxkBAAIBaGdDocument1"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"
PDF = b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF"


async def _thread_page(peyk: BotService, message: Message) -> str:
    """The conversation page as an admin sees it (a second app on the same database: plain-HTTP cookies)."""
    if not await User.exists(username="files_admin"):
        await staff("files_admin", role=Role.ADMIN, scope=AccessScope.ALL)
    desk = TestServer(create_app(replace(peyk.settings, public_url=None, http_port=0)), host="127.0.0.1")
    await desk.start_server()
    browser = WebBrowser(str(desk.make_url("")).rstrip("/"))
    try:
        await browser.sign_in("files_admin")
        status, page = await browser.get(f"/admin/conversations/{message.conversation_id}")
        assert status == 200, page
        return page
    finally:
        await browser.close()
        await desk.close()


async def _make_due(attachment_id: int, peyk: BotService) -> None:
    """Skip the backoff wait: the row is due now, and the fetcher is told."""
    await Attachment.filter(id=attachment_id).update(fetch_after=datetime.now(UTC))
    peyk.runtime.fetchers[Channel.TELEGRAM].kick()


async def test_the_update_is_acked_before_its_file_is_downloaded_and_staff_see_it_arriving(peyk: BotService) -> None:
    peyk.telegram.add_file(PHOTO_ID, JPEG, path="photos/file_7.jpg")
    gate = peyk.telegram.download_gate = asyncio.Event()
    started = time.monotonic()
    answer = await asyncio.wait_for(peyk.update(fixture("photo")), timeout=10)
    assert answer.status == 200 and answer.body["status"] == "stored"
    message = await Message.get(external_id=f"{MARYAM}:103")
    (row,) = await Attachment.filter(message=message)
    assert row.state == FileState.PENDING and row.sha256 == ""  # acked with the reference only
    await eventually(lambda: _asked_for(peyk, PHOTO_ID))  # the download is under way, held by the gate
    page = await _thread_page(peyk, message)
    assert "در حال دریافت فایل" in page and f"/admin/attachments/{row.id}" not in page

    gate.set()
    await eventually(lambda: Attachment.exists(id=row.id, state=FileState.STORED))
    stored = await Attachment.get(id=row.id)
    assert (stored.sha256, stored.size) == (hashlib.sha256(JPEG).hexdigest(), len(JPEG))
    assert attachments.read_bytes(stored.sha256) == JPEG
    page = await _thread_page(peyk, message)
    assert "در حال دریافت فایل" not in page and f"/admin/attachments/{row.id}" in page
    assert time.monotonic() - started < 15


async def _asked_for(peyk: BotService, file_id: str) -> bool:
    return any(c.params.get("file_id") == file_id for c in peyk.telegram.calls_to("getFile"))


async def test_a_failed_download_is_retried_and_then_stored(peyk: BotService) -> None:
    peyk.telegram.fail("500", method="getFile", times=1)
    peyk.telegram.add_file(DOC_ID, PDF, path="documents/file_9.pdf")
    assert (await peyk.update(fixture("document"))).status == 200
    message = await Message.get(external_id=f"{MARYAM}:104")
    (row,) = await Attachment.filter(message=message)
    await eventually(Attachment.filter(id=row.id, fetch_attempts=1, fetch_error__not_isnull=True).exists)
    waiting = await Attachment.get(id=row.id)
    assert waiting.state == FileState.PENDING and waiting.fetch_after is not None
    assert waiting.fetch_after > datetime.now(UTC)  # backing off, not hammering the Bot API

    await _make_due(row.id, peyk)
    await eventually(lambda: Attachment.exists(id=row.id, state=FileState.STORED))
    stored = await Attachment.get(id=row.id)
    assert (stored.fetch_attempts, stored.sha256) == (2, hashlib.sha256(PDF).hexdigest())


async def test_a_file_that_never_comes_is_given_up_after_the_last_attempt_with_the_reason_shown(
    peyk: BotService,
) -> None:
    assert (await peyk.update(fixture("document"))).status == 200  # the fake knows no such file
    message = await Message.get(external_id=f"{MARYAM}:104")
    (row,) = await Attachment.filter(message=message)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await eventually(Attachment.filter(id=row.id, fetch_attempts=attempt, fetch_error__not_isnull=True).exists)
        if attempt < MAX_ATTEMPTS:
            await _make_due(row.id, peyk)
    await eventually(lambda: Attachment.exists(id=row.id, state=FileState.FAILED))
    failed = await Attachment.get(id=row.id)
    assert failed.fetch_error is not None and "تلگرام" in failed.fetch_error
    assert len([c for c in peyk.telegram.calls_to("getFile") if c.params["file_id"] == DOC_ID]) == MAX_ATTEMPTS
    page = await _thread_page(peyk, message)
    assert "دریافت نشد" in page and "در حال دریافت فایل" not in page


async def test_a_file_over_the_bot_api_limit_is_refused_at_once_with_a_persian_reason(peyk: BotService) -> None:
    peyk.telegram.too_big.add(DOC_ID)
    assert (await peyk.update(fixture("document"))).status == 200
    message = await Message.get(external_id=f"{MARYAM}:104")
    (row,) = await Attachment.filter(message=message)
    await eventually(lambda: Attachment.exists(id=row.id, state=FileState.FAILED))
    failed = await Attachment.get(id=row.id)
    assert failed.fetch_attempts == 1 and failed.fetch_error is not None and "مگابایت" in failed.fetch_error


async def test_two_fetchers_never_claim_one_file(peyk: BotService) -> None:
    assert (await peyk.update(fixture("document"))).status == 200  # unknown to the fake: the first try fails
    (row,) = await Attachment.filter(message__external_id=f"{MARYAM}:104")
    await eventually(Attachment.filter(id=row.id, fetch_attempts=1, fetch_error__not_isnull=True).exists)
    assert await claim_due(Channel.TELEGRAM) == []  # backing off: not due
    await Attachment.filter(id=row.id).update(fetch_after=datetime.now(UTC))
    first, second = await asyncio.gather(claim_due(Channel.TELEGRAM), claim_due(Channel.TELEGRAM))
    assert sorted([len(first), len(second)]) == [0, 1]
    (claim,) = first or second
    assert claim.attempt == 2
    assert await claim_due(Channel.TELEGRAM) == []  # leased to the winner
    assert await fetch_failed(claim, "test", channel=Channel.TELEGRAM) == FileState.PENDING

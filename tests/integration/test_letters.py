"""Scanned letters uploaded through the API (multipart over real HTTP to `python run.py`)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core.actions.staff import issue_token
from core.models import Attachment, Contact, ContactIdentity, Message
from tests.support.databases import create_database, drop_database
from tests.support.orm import orm_on
from tests.support.seed import seed_contact, seed_user
from tests.support.service import RunningService

SCAN = (Path(__file__).resolve().parents[1] / "fixtures" / "letter" / "scan_elevator_request.pdf").read_bytes()
SUBJECT = "درخواست سرویس دوره‌ای آسانسور ساختمان مرکزی"


class Office:
    """The running service, its database and data directory, and a staff member's API token."""

    def __init__(self, service: RunningService, db_url: str, data_dir: Path, token: str) -> None:
        self.service, self.db_url, self.data_dir, self.token = service, db_url, data_dir, token

    async def api(self, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession(headers=headers) as session, session.get(self.service.url + path) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def upload(
        self,
        fields: dict[str, str],
        scan: tuple[str, bytes, str] | None,
        token: str | None = None,
        multipart: bool = True,
    ) -> tuple[int, Any]:
        form = aiohttp.FormData(default_to_multipart=multipart)
        for name, value in fields.items():
            form.add_field(name, value)
        if scan is not None:
            form.add_field("file", scan[1], filename=scan[0], content_type=scan[2])
        headers = {"Authorization": f"Bearer {token or self.token}"}
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{self.service.url}/api/v1/letters", data=form, headers=headers) as resp:
                return resp.status, await resp.json(content_type=None)


@pytest.fixture(scope="module")
async def office(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Office]:
    workdir = tmp_path_factory.mktemp("letters")
    url = await create_database(workdir)
    data_dir = workdir / "data"
    service = RunningService({"PEYK_DATABASE_URL": url, "PEYK_DATA_DIR": str(data_dir)}, workdir)
    await service.start()
    try:
        async with orm_on(url):
            clerk = await seed_user("mina", "مینا صادقی")
            token = await issue_token(clerk, name="letters test")
            await seed_contact("شرکت آسانسور پارس - مهندس كاظمي", "09123456789")
        yield Office(service, url, data_dir, token)
    finally:
        assert await service.stop() == 0
        await drop_database(url)


async def test_an_uploaded_letter_becomes_a_letter_message_with_its_scan_on_the_senders_contact(
    office: Office,
) -> None:
    fields = {
        "subject": SUBJECT,
        "sender_name": "مهندس کاظمی",
        "sender_phone": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "text": "نامه‌ی شماره‌ی ۱۴۰۵/۳۱۲ دریافت و اسکن شد.",
    }
    status, body = await office.upload(fields, ("نامه-۳۱۲.pdf", SCAN, "application/pdf"))
    assert status == 201, body
    assert body["created"] is True
    message = body["message"]
    assert (message["channel"], message["direction"], message["subject"]) == ("letter", "in", SUBJECT)
    assert [(a["name"], a["mime_type"], a["size"]) for a in message["attachments"]] == [
        ("نامه-۳۱۲.pdf", "application/pdf", len(SCAN))
    ]
    async with orm_on(office.db_url):
        contact = await Contact.get(id=body["contact_id"])
        assert contact.display_name == "شرکت آسانسور پارس - مهندس كاظمي"  # the existing contact, by phone
        stored = await Message.get(id=message["id"]).prefetch_related("conversation", "attachments")
        assert stored.conversation.contact_id == contact.id
        assert str(stored.conversation.channel) == "letter"
        assert "۱۴۰۵/۳۱۲" in stored.text
        attachment = await Attachment.get(message_id=stored.id)
    listed = await office.api(f"/api/v1/conversations/{body['conversation_id']}/messages")
    assert [m["id"] for m in listed["items"]] == [message["id"]]
    assert listed["items"][0]["attachments"][0]["name"] == "نامه-۳۱۲.pdf"
    digest = hashlib.sha256(SCAN).hexdigest()
    assert attachment.sha256 == digest
    assert (office.data_dir / "attachments" / digest[:2] / digest[2:4] / digest).read_bytes() == SCAN


async def test_the_same_scan_uploaded_twice_is_stored_once(office: Office) -> None:
    fields = {"subject": "پیش‌فاکتور قطعات یدکی چیلر", "sender_name": "آقای رضایی", "sender_phone": "+98 912 345 6789"}
    first = await office.upload(fields, ("chiller.pdf", SCAN, "application/pdf"))
    again = await office.upload(fields, ("chiller.pdf", SCAN, "application/pdf"))
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["created"] is False
    assert again[1]["message"]["id"] == first[1]["message"]["id"]
    async with orm_on(office.db_url):
        assert await Message.filter(subject="پیش‌فاکتور قطعات یدکی چیلر").count() == 1


async def test_a_letter_from_an_unknown_sender_opens_a_contact_with_both_ways_to_reach_them(office: Office) -> None:
    fields = {
        "subject": "شکایت از تأخیر در نصب کولر گازی",
        "sender_name": "زهرا موسوی",
        "sender_phone": "0935 111 2233",
        "sender_email": "Z.Mousavi@Example.ir",
    }
    status, body = await office.upload(fields, ("complaint.jpg", b"\xff\xd8\xff\xe0fake-jpeg-scan", "image/jpeg"))
    assert status == 201, body
    async with orm_on(office.db_url):
        contact = await Contact.get(id=body["contact_id"])
        identities = {(str(i.kind), i.value) for i in await ContactIdentity.filter(contact_id=contact.id)}
    assert contact.display_name == "زهرا موسوی"
    assert identities == {("phone", "+989351112233"), ("email", "z.mousavi@example.ir")}


PDF = ("a.pdf", SCAN, "application/pdf")
SENDER = {"sender_name": "x", "sender_phone": "09123456789"}


@pytest.mark.parametrize(
    ("fields", "scan", "reason"),
    [
        ({"subject": SUBJECT, **SENDER}, None, "multipart/form-data"),
        ({"subject": SUBJECT, **SENDER}, None, "file: required"),
        ({"subject": SUBJECT, **SENDER, "file": "not a file part"}, None, "file: expected a PDF"),
        (SENDER, PDF, "subject"),
        ({"subject": SUBJECT, "sender_name": "x"}, PDF, "sender"),
        ({"subject": SUBJECT, "sender_name": "x", "sender_phone": "12"}, PDF, "phone"),
        ({"subject": SUBJECT, **SENDER}, ("a.exe", b"MZ", "application/x-msdownload"), "PDF"),
        ({"subject": SUBJECT, **SENDER, "color": "red"}, PDF, "unknown field"),
    ],
)
async def test_an_incomplete_upload_gets_400_with_a_reason_and_stores_nothing(
    office: Office, fields: dict[str, str], scan: tuple[str, bytes, str] | None, reason: str
) -> None:
    async with orm_on(office.db_url):
        before = await Message.all().count()
    status, body = await office.upload(fields, scan, multipart=reason != "multipart/form-data")
    assert status == 400, body
    assert body["error"] == "bad_request" and reason in body["reason"], body
    async with orm_on(office.db_url):
        assert await Message.all().count() == before


async def test_an_upload_without_a_valid_token_gets_401(office: Office) -> None:
    fields = {"subject": SUBJECT, "sender_name": "x", "sender_phone": "09123456789"}
    status, body = await office.upload(fields, ("a.pdf", SCAN, "application/pdf"), token="pk_not-a-real-token")
    assert status == 401, body

"""SQL-injection and XSS payloads through every front door: kept as plain text, shown escaped.

Sent to `python run.py` as a Telegram update (text and sender name), a Kavenegar inbound SMS, a mail
over SMTP (subject, body, sender name), a PBX call event (call id and agent name) and the JSON API
(a note, a search). Afterwards every table is intact, every payload is stored byte for byte, the API
returns it unchanged as JSON, and the admin pages (inbox, conversation, contact) show it escaped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlencode

import aiohttp
import aiosmtplib
import pytest
from markupsafe import escape

from tests.reliability.helpers import SECRET, TOKEN, RestartableBotApi, post_json, sql_rows, sql_value, telegram_update
from tests.support.fake_kavenegar import FakeKavenegar
from tests.support.mail import eventually
from tests.support.service import RunningService, free_port, run_py
from tests.support.web import WebBrowser

SQL = [
    "' OR '1'='1",
    "'; DROP TABLE message; --",
    "Robert'); DROP TABLE contact;--",
    '" OR ""="',
    "1; SELECT pg_sleep(5)--",
]
XSS = [
    "<script>alert('پیک')</script>",
    "<img src=x onerror=alert('x')>",
    "\"><svg/onload=alert('x')>",
    "</textarea><script>alert('x')</script>",
]
PAYLOADS = SQL + XSS
CALLBACK = "injection-callback"
CTI = "injection-cti-token"
PASSWORD = "a-long-enough-password-1405"
TABLES = ("contact", "contact_identity", "conversation", "message", "call", "staff_user")


@dataclass
class World:
    service: RunningService
    db_url: str
    smtp_port: int
    api_token: str


@pytest.fixture
async def world(fresh_db_url: str, tmp_path: Path) -> AsyncIterator[World]:
    bot = await RestartableBotApi(TOKEN).start()
    sms = FakeKavenegar()
    await sms.start()
    smtp_port = free_port()
    env = {
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        # No public URL: the admin's cookies are then not Secure-only, so this plain-HTTP client can sign in.
        # The bot polls the fake Bot API instead of setting a webhook; the webhook route still takes updates.
        "PEYK_TELEGRAM_TOKEN": TOKEN,
        "PEYK_TELEGRAM_API_URL": bot.api_url,
        "PEYK_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PEYK_KAVENEGAR_API_KEY": sms.api_key,
        "PEYK_KAVENEGAR_API_URL": sms.url,
        "PEYK_KAVENEGAR_CALLBACK_SECRET": CALLBACK,
        "PEYK_CTI_TOKEN": CTI,
        "PEYK_SMTP_INGRESS": f"127.0.0.1:{smtp_port}",
        "PEYK_MAIL_FROM": "پشتیبانی <support@example.ir>",
        "PEYK_ADMIN_PASSWORD": PASSWORD,
    }
    await run_py(env, tmp_path, "createadmin", "admin")
    token = (await run_py(env, tmp_path, "token", "admin")).splitlines()[-1].strip()
    running = RunningService(env, tmp_path)
    await running.start()
    yield World(running, fresh_db_url, smtp_port, token)
    assert await running.stop() == 0, running.log()
    await bot.stop()
    await sms.stop()


async def _send_everywhere(world: World) -> None:
    base = world.service.url
    async with aiohttp.ClientSession() as session:
        for n, payload in enumerate(PAYLOADS):
            update = telegram_update(700_000 + n, 6_400_000_000 + n, 1, payload, name=payload)
            assert (
                await post_json(session, base + "/hooks/telegram", update, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
                == 200
            )
            fields = urlencode(
                {"messageid": str(66_000_000 + n), "from": f"0912777{n:04d}", "to": "1000", "message": payload}
            )
            async with session.post(
                f"{base}/hooks/kavenegar/{CALLBACK}/inbound",
                data=fields,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ) as resp:
                assert resp.status == 200, await resp.text()
            event = {
                "event": "newCall",
                "callId": payload,
                "from": f"0912888{n:04d}",
                "to": "02188776655",
                "user": payload,
            }
            assert await post_json(session, f"{base}/hooks/cti/{CTI}", event) == 200
            mail = EmailMessage()
            mail["From"] = f"{payload} <sender{n}@example.com>"
            mail["To"] = "support@example.ir"
            mail["Subject"] = payload
            mail["Message-ID"] = f"<injection-{n}@example.com>"
            mail.set_content(payload)
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=world.smtp_port, start_tls=False) as client:
                await client.sendmail(f"sender{n}@example.com", ["support@example.ir"], bytes(mail))
    # 250 means "durably spooled": wait for the spool worker to store every mail.
    query = "SELECT COUNT(*) FROM message WHERE channel = 'email' AND direction = 'in'"

    async def all_mail_stored() -> bool:
        return await sql_value(world.db_url, query) >= len(PAYLOADS)

    await eventually(all_mail_stored)


async def test_injection_payloads_from_every_channel_are_stored_as_text_and_rendered_escaped(world: World) -> None:
    await _send_everywhere(world)
    db = world.db_url
    for table in TABLES:  # nothing dropped, nothing broken
        assert await sql_value(db, f'SELECT COUNT(*) FROM "{table}"') is not None
    for channel in ("telegram", "sms", "email"):
        rows = await sql_rows(db, "SELECT text FROM message WHERE channel = ? AND direction = 'in'", channel)
        texts = [r[0].strip() for r in rows]
        assert sorted(texts) == sorted(PAYLOADS), channel
    rows = await sql_rows(db, "SELECT subject FROM message WHERE channel = 'email' AND direction = 'in'")
    subjects = [r[0] for r in rows]
    assert sorted(subjects) == sorted(PAYLOADS)
    names = {r[0] for r in await sql_rows(db, "SELECT display_name FROM contact")}
    assert set(PAYLOADS) <= names
    calls = {r[0] for r in await sql_rows(db, "SELECT external_id FROM call")}
    assert calls == set(PAYLOADS)

    headers = {"Authorization": f"Bearer {world.api_token}"}
    base = world.service.url + "/api/v1"
    async with aiohttp.ClientSession(headers=headers) as api:
        conversations = await sql_rows(db, "SELECT id FROM conversation WHERE channel = 'telegram' ORDER BY id")
        first = conversations[0][0]
        for payload in PAYLOADS:
            async with api.post(
                f"{base}/conversations/{first}/messages", json={"text": payload, "internal": True}
            ) as r:
                assert r.status in (200, 201), await r.text()
            async with api.get(f"{base}/contacts?q={quote(payload)}") as r:
                assert r.status == 200, await r.text()
        for (conversation_id,) in conversations:
            async with api.get(f"{base}/conversations/{conversation_id}/messages") as r:
                assert r.headers["Content-Type"].startswith("application/json")
                body = json.loads(await r.text())
            assert {m["text"] for m in body["items"]} & set(PAYLOADS)
        notes = {r[0] for r in await sql_rows(db, "SELECT text FROM message WHERE internal = ?", True)}
        assert set(PAYLOADS) <= notes

    browser = WebBrowser(world.service.url)
    try:
        status, _ = await browser.sign_in("admin", PASSWORD)
        assert status == 302
        pages = ["/admin/inbox", f"/admin/conversations/{first}/messages"]
        pages += [f"/admin/conversations/{c}" for (c,) in conversations]
        # Contact pages of the SMS senders: their timelines show the payloads. (A contact without any
        # phone identity, as Telegram- and email-only contacts are, makes the contact page answer 500
        # today: contact.html takes `|first` of an empty list. Reported; admin/web is not this suite's.)
        sms_contacts = await sql_rows(db, "SELECT contact_id FROM conversation WHERE channel = 'sms'")
        pages += [f"/admin/contacts/{c}" for (c,) in sms_contacts]
        html = ""
        for path in pages:
            status, text = await browser.get(path)
            assert status == 200, (path, text[:300])
            html += text
    finally:
        await browser.close()
    for payload in XSS:
        assert payload not in html  # never as markup
        assert str(escape(payload)) in html  # but shown, as text

"""`python run.py` with mail configured: SMTP ingress, IMAP polling of Dovecot, SMTP out, fax gateway.

Mail that arrived by IMAP while the service was down is imported when it is back, none twice;
everything shows up in the API on the right contact, and a staff reply reaches the SMTP sink.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from channels.email_parse import header_text, read_email
from tests.support.dovecot import Dovecot
from tests.support.mail import SmtpSink, eventually, load_eml, send_mail, with_headers
from tests.support.service import ROOT, RunningService, free_port


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
async def dovecot() -> AsyncIterator[Dovecot]:
    server = Dovecot()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    server = await SmtpSink().start()
    yield server
    await server.close()


async def test_run_py_takes_mail_by_smtp_and_imap_and_sends_replies(
    tmp_path: Path, fresh_db_url: str, dovecot: Dovecot, sink: SmtpSink
) -> None:
    ingress_port = free_port()
    env = {
        **os.environ,
        "PEYK_DATABASE_URL": fresh_db_url,
        "PEYK_DATA_DIR": str(tmp_path / "data"),
        "PEYK_ADMIN_PASSWORD": "a-long-password",
        "PEYK_SMTP_INGRESS": f"127.0.0.1:{ingress_port}",
        "PEYK_MAIL_FROM": "support@example.ir",
        "PEYK_SMTP_URL": sink.url,
        "PEYK_IMAP_URL": dovecot.url,
        "PEYK_FAX_GATEWAYS": "fax@pbx.example.ir",
    }
    await asyncio.to_thread(_run, ["createadmin", "maryam"], env, tmp_path)
    token = await asyncio.to_thread(_run, ["token", "maryam"], env, tmp_path)
    await dovecot.append(load_eml("email/windows1256_qp.eml"))  # arrived before the service ever ran
    service = RunningService(env, tmp_path)
    await service.start()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(headers=headers) as http:

            async def get(path: str) -> Any:
                async with http.get(service.url + path) as resp:
                    assert resp.status == 200, await resp.text()
                    return await resp.json()

            async def channel_items(channel: str) -> list[dict[str, Any]]:
                return (await get(f"/api/v1/conversations?channel={channel}"))["items"]

            _, answer = await send_mail(ingress_port, load_eml("email/persian_utf8_plain.eml"))
            assert answer.startswith("2.0.0 OK: queued as ")  # durably spooled; stored moments later
            _, answer = await send_mail(ingress_port, load_eml("fax/freepbx_pdf.eml"), sender="fax@pbx.example.ir")
            assert answer.startswith("2.0.0 OK: queued as ")
            emails = await eventually(lambda: _when(channel_items("email"), 2))
            faxes = await eventually(lambda: _when(channel_items("fax"), 1))
            assert len(faxes) == 1
            assert list((tmp_path / "data" / "spool" / "mail").iterdir()) == []  # taken, so removed
            by_subject = {c["subject"]: c for c in emails}
            gmail = by_subject["خرابی دستگاه کپی"]
            contact = await get(f"/api/v1/contacts/{gmail['contact_id']}")
            assert "ali.rezaei1368@gmail.com" in str(contact)

            async with http.post(
                service.url + f"/api/v1/conversations/{gmail['id']}/messages", json={"text": "سلام، پیگیری می‌کنیم."}
            ) as resp:
                assert resp.status in (200, 201), await resp.text()
            (envelope,) = await sink.wait_for(1)
            mail = read_email(envelope.original_content)
            assert header_text(mail, "Subject") == "Re: خرابی دستگاه کپی"
            assert header_text(mail, "In-Reply-To") == (
                "<CAGk8w3pQ+Zx7d1f_6p9Rr2mAq0hV0sY2vTm5=Lr1XK9uFJ4n2Q@mail.gmail.com>"
            )
            assert mail["Reply-To"] == f"support+c{gmail['id']}@example.ir"

        # Down for a while: mail reaching the mailbox meanwhile is imported when the service is back.
        assert await service.stop() == 0, service.log()
        answer_by_imap = with_headers(
            load_eml("email/persian_utf8_plain.eml"),
            Message_ID="<back-online@mail.gmail.com>",
            In_Reply_To=header_text(mail, "Message-ID"),
        )
        await dovecot.append(answer_by_imap, load_eml("email/rfc2047_subject.eml"))
        service = RunningService(env, tmp_path)
        await service.start()
        async with aiohttp.ClientSession(headers=headers) as http:

            async def messages(conversation_id: int) -> list[dict[str, Any]]:
                async with http.get(service.url + f"/api/v1/conversations/{conversation_id}/messages") as resp:
                    return (await resp.json())["items"]

            async def listed() -> list[dict[str, Any]]:
                async with http.get(service.url + "/api/v1/conversations?channel=email") as resp:
                    return (await resp.json())["items"]

            thread = await eventually(lambda: _when(messages(gmail["id"]), 3))
            assert [m["direction"] for m in thread].count("in") == 2
            everything = await eventually(lambda: _when(listed(), 3))
            assert len(everything) == 3  # the new topic by IMAP; nothing imported twice
    finally:
        await service.stop()


async def _when(result: Awaitable[list[Any]], count: int) -> list[Any] | None:
    items = await result
    assert len(items) <= count, items
    return items if len(items) == count else None

"""Mail in tests: fixture .eml files with one header changed, an SMTP client, and an SMTP sink.

The sink is a real aiosmtpd server on a loopback port (the "company mail server" our email
sender hands mail to); it records every envelope, and can be told to answer with an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.header import Header
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email_in import SmtpIngress, start_smtp_ingress
from channels.email_intake import MailIntake, MailRules
from channels.fax_ocr import FaxOcr
from channels.mail_spool import MailSpool, SpoolWorker, spool_dir
from core import attachments, threading

MAIL_FROM = "پشتیبانی <support@example.ir>"

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
_HEADER_START = re.compile(rb"^([A-Za-z0-9-]+):", re.MULTILINE)


def load_eml(name: str) -> bytes:
    """A fixture mail's bytes: `email/persian_utf8_plain.eml`, `fax/freepbx_pdf.eml`, …"""
    return (FIXTURES / name).read_bytes()


def _encode(value: str) -> bytes:
    return (value if value.isascii() else Header(value, "utf-8").encode()).encode("ascii")


def with_headers(raw: bytes, **headers: str | None) -> bytes:
    """The same mail with headers replaced, added, or (value None) removed; `Message_ID` → `Message-ID`."""
    head, _, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
    lines = head.splitlines()
    names = {k.replace("_", "-").lower(): v for k, v in headers.items()}
    kept: list[bytes] = []
    dropping = False
    for line in lines:
        match = _HEADER_START.match(line)
        if match:
            dropping = match.group(1).decode().lower() in names
        if not dropping:
            kept.append(line)
    for key, value in headers.items():
        if value is not None:
            kept.append(key.replace("_", "-").encode() + b": " + _encode(value))
    return b"\n".join(kept) + b"\n\n" + body


async def send_mail(
    port: int,
    raw: bytes,
    *,
    sender: str = "customer@example.com",
    recipients: tuple[str, ...] = ("support@example.ir",),
) -> tuple[dict, str]:
    """One real SMTP session to 127.0.0.1:port; returns aiosmtplib's (refused, final response) pair.

    `sender=""` sends the null return path (`MAIL FROM:<>`) the way bounces come.
    """
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=30) as client:
        errors, response = await client.sendmail(sender, list(recipients), raw)
    return errors, response


@dataclass
class SinkHandler:
    """Records what the sink accepts; `fail_with` makes DATA answer that reply instead (e.g. 451 …)."""

    received: list[Envelope] = field(default_factory=list)
    fail_with: str | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.fail_with:
            return self.fail_with
        self.received.append(envelope)
        self.arrived.set()
        return "250 2.0.0 Ok: queued"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd in our loop); `url` suits PEYK_SMTP_URL."""

    def __init__(self) -> None:
        self.handler = SinkHandler()
        self.server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=false"

    @property
    def received(self) -> list[Envelope]:
        return self.handler.received

    async def start(self) -> SmtpSink:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: SMTP(self.handler, hostname="sink.test", enable_SMTPUTF8=True, loop=loop), "127.0.0.1", 0
        )
        return self

    async def wait_for(self, count: int, timeout: float = 20) -> list[Envelope]:
        """Wait until `count` mails have arrived."""

        async def arrived() -> None:
            while len(self.handler.received) < count:
                self.handler.arrived.clear()
                await self.handler.arrived.wait()

        await asyncio.wait_for(arrived(), timeout)
        return self.handler.received

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@dataclass
class MailWorld:
    """A running SMTP listener over the test database, its spool and worker, the intake, and where files go."""

    ingress: SmtpIngress
    intake: MailIntake
    data_dir: Path
    spool: MailSpool
    worker: SpoolWorker | None

    @property
    def port(self) -> int:
        return self.ingress.port

    async def send(self, raw: bytes, *, settle: bool = True, **kwargs: Any) -> str:
        """Send over SMTP; returns the server's final answer (`2.0.0 OK: queued as <id>`).

        With `settle` (the default) it then waits until the spool worker has taken every spooled mail,
        so the outcome (stored, duplicate, held) is in the database when this returns.
        """
        _, response = await send_mail(self.port, raw, **kwargs)
        if settle:
            await self.drain()
        return response

    async def drain(self, timeout: float = 30) -> None:
        """Wait until the spool worker has taken every spooled mail."""
        assert self.worker is not None, "this world runs no spool worker"
        async with asyncio.timeout(timeout):
            await self.worker.drain()


@contextlib.asynccontextmanager
async def mail_world(
    tmp_path: Path,
    *,
    rules: MailRules | None = None,
    ocr: FaxOcr | None = None,
    size_limit: int = 2_000_000,
    worker: bool = True,
    retry_first: float = 1.0,
) -> AsyncIterator[MailWorld]:
    """Our domain example.ir, Message-IDs @example.ir, files under tmp_path; the listener on a free port.

    `worker=False` runs the listener and spool without the worker (mails stay spooled).
    """
    data_dir = tmp_path / "data"
    old_dir, old_host = attachments.data_dir(), threading.message_id_host()
    attachments.configure(data_dir)
    threading.configure(MAIL_FROM)
    intake = MailIntake(rules or MailRules(own_domains=("example.ir",), data_dir=data_dir), ocr=ocr)
    spool = MailSpool(spool_dir(data_dir))
    runner = SpoolWorker(spool, intake, retry_first=retry_first) if worker else None
    if runner is not None:
        await runner.start()
    ingress = await start_smtp_ingress(
        spool, ("@example.ir",), "127.0.0.1", 0, hostname="example.ir", data_size_limit=size_limit
    )
    try:
        yield MailWorld(ingress, intake, data_dir, spool, runner)
    finally:
        await ingress.close()
        if runner is not None:
            await runner.close()
        if ocr is not None:
            await ocr.close()
        attachments.configure(old_dir)
        threading.configure(old_host)


async def eventually(check: Callable[[], Any], timeout: float = 30) -> Any:
    """Poll `check` (sync or async) until it returns something truthy; TimeoutError after `timeout` s."""
    async with asyncio.timeout(timeout):
        while True:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            await asyncio.sleep(0.05)

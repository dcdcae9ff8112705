"""Email out (CH-MAIL): the outbox's email Sender on aiosmtplib (PEYK_SMTP_URL, STARTTLS or SMTPS, auth)."""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from channels.base import Delivery, HoldQueue, PermanentSendError, Sender, TransientSendError
from channels.email_compose import build_email, sender_parts
from core import attachments
from core.config import Settings
from core.db import int_column
from core.errors import ConfigError
from core.models import Channel, Message, OutboundMessage

log = logging.getLogger(__name__)

TRUE = ("1", "true", "yes", "on")
# The server refuses us, not this one mail (bad login, TLS demanded): hold the queue and alarm.
SETUP_CODES = (530, 534, 535, 538)


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to hand mail over: host, port, implicit TLS or STARTTLS, login."""

    host: str
    port: int
    use_tls: bool
    start_tls: bool | None
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp://user:pass@host:587?starttls=true` or `smtps://user:pass@host:465` as an SmtpTarget.

    Without `starttls`, STARTTLS is used when the server offers it; `starttls=false` turns it off.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("PEYK_SMTP_URL: expected smtp://user:pass@host:587?starttls=true or smtps://…")
    flag = (parse_qs(parts.query).get("starttls") or [""])[0].lower()
    use_tls = parts.scheme == "smtps"
    start_tls = None if use_tls or not flag else flag in TRUE
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if use_tls else 587 if start_tls else 25),
        use_tls=use_tls,
        start_tls=False if use_tls else start_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def classify(exc: Exception) -> Exception:
    """An aiosmtplib error as the dispatcher's kind: 4xx/connection transient, 5xx permanent."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        reason = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)[:500]
        return PermanentSendError(reason) if codes and all(c >= 500 for c in codes) else TransientSendError(reason)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reason = f"SMTP {exc.code} {exc.message}"[:500]
        if exc.code in SETUP_CODES:
            return HoldQueue(f"the mail server refused our login or connection settings: {reason}")
        return PermanentSendError(reason) if exc.code >= 500 else TransientSendError(reason)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return HoldQueue(f"the mail server does not support what PEYK_SMTP_URL asks for: {exc}")
    return TransientSendError(f"{type(exc).__name__}: {exc}"[:500])


class EmailSender:
    """Sends one outbox row as one SMTP transaction; the Message-ID is the provider id."""

    channel = Channel.EMAIL

    def __init__(
        self,
        smtp_url: str,
        mail_from: str,
        *,
        timeout: float = 60.0,
        data_dir: Path | str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.target = parse_smtp_url(smtp_url)
        self.mail_from = mail_from
        self.envelope_from = "{1}@{2}".format(*sender_parts(mail_from))
        self.timeout = timeout
        self.data_dir = data_dir
        self.tls_context = tls_context

    async def send(self, out: OutboundMessage) -> Delivery:
        """Build the mail for this outbox row and hand it to the SMTP server; the Message-ID comes back."""
        payload = dict(out.payload or {})
        conversation_id = None
        if out.message_id is not None:
            values = await int_column(Message.filter(id=out.message_id), "conversation_id")
            conversation_id = values[0] if values else None
        files = await asyncio.to_thread(self._read_files, payload.get("attachments") or [])
        msg = build_email(
            payload, out.recipient, self.mail_from, kind=out.kind, conversation_id=conversation_id, files=files
        )
        try:
            await aiosmtplib.send(
                msg.as_bytes(policy=policy.SMTP),
                sender=self.envelope_from,
                recipients=[out.recipient],
                hostname=self.target.host,
                port=self.target.port,
                username=self.target.username,
                password=self.target.password,
                use_tls=self.target.use_tls,
                start_tls=self.target.start_tls,
                tls_context=self.tls_context,
                local_hostname=self.envelope_from.rpartition("@")[2],
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise classify(exc) from exc
        return Delivery(provider_id=str(msg["Message-ID"]))

    def _read_files(self, items: list[dict]) -> list[tuple[str, str, bytes]]:
        files = []
        for item in items:
            try:
                data = attachments.read_bytes(str(item["sha256"]), self.data_dir)
            except (KeyError, FileNotFoundError, ValueError) as exc:
                raise PermanentSendError(f"attachment {item.get('name')!r} is missing from the file store") from exc
            files.append((str(item.get("name") or "file"), str(item.get("mime_type") or ""), data))
        return files

    async def close(self) -> None:
        """Nothing to close: each send is its own SMTP connection."""


def email_senders(settings: Settings) -> dict[Channel, Sender]:
    """The email Sender when PEYK_SMTP_URL is set (PEYK_MAIL_FROM is then required), else nothing."""
    if not settings.smtp_url:
        return {}
    if not settings.mail_from:
        raise ConfigError("PEYK_MAIL_FROM: required when PEYK_SMTP_URL is set (the From address of our mail)")
    try:
        sender_parts(settings.mail_from)
    except ValueError as exc:
        raise ConfigError(f"PEYK_MAIL_FROM: {exc}") from exc
    return {Channel.EMAIL: EmailSender(settings.smtp_url, settings.mail_from, data_dir=settings.data_dir)}

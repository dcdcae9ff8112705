"""One way in for every raw mail (SMTP via the spool, or IMAP): parse as email or fax, store, or keep it for review.

`take` = `read` (parse, off the loop; never raises) then `store` (ingest, or hold for review). The
spool worker calls the two halves separately so it can parse ahead while storing in arrival order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from channels.base import InboundMessage, InvalidInbound
from channels.email_charset import header_text
from channels.email_copy import UNPARSED_MAIL_ALARM
from channels.email_parse import MAX_ATTACHMENTS, limit_attachments
from channels.email_parse import parse_inbound as parse_email
from channels.fax import DEFAULT_NUMBER_PATTERNS, is_fax_document, is_fax_gateway, parse_fax
from channels.fax_ocr import FaxOcr
from core import attachments
from core.actions.holds import raise_alarm_once
from core.actions.inbox import IngestResult, ingest_message
from core.errors import ValidationError
from core.models import Channel

log = logging.getLogger(__name__)

MAX_MAIL_BYTES = 25 * 1024 * 1024
Ingest = Callable[..., Awaitable[IngestResult]]


@dataclass(frozen=True)
class MailRules:
    """What the intake needs from the settings: our mail domains, fax gateways and patterns, data directory,
    and how many files one mail may bring (PEYK_MAIL_MAX_ATTACHMENTS)."""

    own_domains: tuple[str, ...] = ()
    fax_gateways: tuple[str, ...] = ()
    fax_patterns: tuple[str, ...] = DEFAULT_NUMBER_PATTERNS
    data_dir: Path | None = None
    max_attachments: int = MAX_ATTACHMENTS


@dataclass(frozen=True)
class Intake:
    """What happened to one raw mail: stored (new), duplicate (stored before), or held for review."""

    status: Literal["stored", "duplicate", "held"]
    channel: Channel | None = None
    message_id: int | None = None
    review_sha256: str | None = None
    reason: str = ""


def choose_parser(raw: bytes, rules: MailRules, envelope_from: str | None = None) -> Channel:
    """EMAIL, or FAX when the mail comes from one of the configured fax gateways."""
    if not rules.fax_gateways:
        return Channel.EMAIL
    sender = parseaddr(header_text(BytesHeaderParser(policy=policy.default).parsebytes(raw), "From"))[1]
    candidates = [sender, envelope_from or ""]
    return Channel.FAX if any(is_fax_gateway(c, rules.fax_gateways) for c in candidates if c) else Channel.EMAIL


class MailIntake:
    """Parses and stores raw mails; a mail that cannot be parsed is kept as a file and admins are told."""

    def __init__(self, rules: MailRules, *, ocr: FaxOcr | None = None, ingest: Ingest = ingest_message) -> None:
        self.rules = rules
        self.ocr = ocr
        self.ingest = ingest

    def parse(self, raw: bytes, envelope_from: str | None, envelope_to: Sequence[str]) -> InboundMessage:
        """The InboundMessage of a raw mail (InvalidInbound when it cannot be one), with at most the allowed files."""
        return limit_attachments(self._parse(raw, envelope_from, envelope_to), self.rules.max_attachments)

    def _parse(self, raw: bytes, envelope_from: str | None, envelope_to: Sequence[str]) -> InboundMessage:
        if choose_parser(raw, self.rules, envelope_from) is Channel.FAX:
            msg = parse_fax(raw, patterns=self.rules.fax_patterns, envelope_from=envelope_from, envelope_to=envelope_to)
            fax = dict(msg.meta["fax"])
            if self.ocr is not None and fax["documents"]:
                fax["ocr"] = self.ocr.state_for([a.mime_type for a in msg.attachments if is_fax_document(a)])
                if fax["ocr"] == "off":
                    fax["ocr_reason"] = self.ocr.reason or "PDF pages need pdftoppm (poppler-utils)"
            elif fax["documents"]:
                fax["ocr_reason"] = "OCR is not configured"
            return replace(msg, meta={**msg.meta, "fax": fax})
        return parse_email(
            raw, envelope_from=envelope_from, envelope_to=envelope_to, own_domains=self.rules.own_domains
        )

    async def take(self, raw: bytes, *, envelope_from: str | None = None, envelope_to: Sequence[str] = ()) -> Intake:
        """Store one raw mail; database trouble propagates (the caller answers 451 / retries later)."""
        return await self.store(raw, await self.read(raw, envelope_from, envelope_to))

    async def read(self, raw: bytes, envelope_from: str | None, envelope_to: Sequence[str]) -> InboundMessage | str:
        """The parsed mail, or why it cannot be one (then `store` keeps it for review); never raises."""
        try:
            # Parsing is pure and can take a while on a big mail: off the event loop.
            return await asyncio.to_thread(self.parse, raw, envelope_from, envelope_to)
        except Exception as exc:  # InvalidInbound, or a parser bug on mail nobody foresaw
            return _reason(exc)

    async def store(self, raw: bytes, parsed: InboundMessage | str) -> Intake:
        """Store what `read` made of `raw`, or hold `raw` for review; database trouble propagates."""
        if isinstance(parsed, str):
            return await self.hold(raw, parsed)
        msg = parsed
        try:
            result = await self.ingest(msg, data_dir=self.rules.data_dir)
        except ValidationError as exc:
            return await self.hold(raw, _reason(exc))
        channel = Channel(msg.channel)
        if result.created and channel is Channel.FAX and self.ocr is not None:
            if (result.message.meta.get("fax") or {}).get("ocr") == "pending":
                self.ocr.submit(result.message.id)
        return Intake("stored" if result.created else "duplicate", channel, result.message.id)

    async def hold(self, raw: bytes, reason: str) -> Intake:
        """Keep an unparseable mail as a file (by its SHA-256) and raise one admin alarm about it."""
        # Kept whatever its size: this copy is all there is of the mail.
        limit = max(MAX_MAIL_BYTES, len(raw))
        sha = await asyncio.to_thread(attachments.store_bytes, self.rules.data_dir, raw, max_bytes=limit)
        log.warning("mail kept for review (%s): %s", sha, reason)
        await raise_alarm_once(
            f"mail_unparsed:{sha}",
            "mail_unparsed",
            UNPARSED_MAIL_ALARM.format(sha=sha, reason=reason[:200]),
            object_type="mail",
            object_id=sha[:40],
        )
        return Intake("held", review_sha256=sha, reason=reason)


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidInbound | ValidationError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"

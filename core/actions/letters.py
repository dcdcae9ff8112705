"""Scanned paper letters (نامه) uploaded by staff: each enters the inbox as a `letter` message (CH-LETTER)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from core import attachments
from core.actions.audit import record
from core.actions.contacts import add_identity
from core.actions.inbox import IngestResult, ingest_message
from core.areas import Area, require_write
from core.errors import ValidationError
from core.identities import normalize_identity
from core.inbound import InboundAttachment, InboundMessage
from core.models import Channel, IdentityKind, User
from core.tx import atomic

log = logging.getLogger(__name__)

MAX_SUBJECT = 300
MAX_TEXT = 10_000
SCAN_TYPES = ("application/pdf", "image/")


def _sender_identities(phone: str | None, email: str | None) -> list[tuple[IdentityKind, str]]:
    found = []
    if phone and phone.strip():
        found.append((IdentityKind.PHONE, normalize_identity(IdentityKind.PHONE, phone)))
    if email and email.strip():
        found.append((IdentityKind.EMAIL, normalize_identity(IdentityKind.EMAIL, email)))
    if not found:
        raise ValidationError("sender: give the sender's phone or email, so the letter lands on their contact")
    return found


def letter_id(data: bytes, identity: str, subject: str) -> str:
    """The letter's external id: the same scan from the same sender under the same subject is one letter."""
    digest = hashlib.sha256(data + b"\0" + identity.encode() + b"\0" + subject.encode()).hexdigest()
    return f"letter-{digest[:40]}"


async def receive_letter(
    *,
    data: bytes,
    file_name: str,
    mime_type: str,
    subject: str,
    sender_name: str,
    by: User,
    phone: str | None = None,
    email: str | None = None,
    text: str = "",
    data_dir: Path | str | None = None,
) -> IngestResult:
    """Store an uploaded scan as an inbound `letter` message on the sender's contact (once per scan)."""
    require_write(by, Area.INBOX)
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError("subject: required")
    if len(subject) > MAX_SUBJECT or len(text) > MAX_TEXT:
        raise ValidationError(f"subject: at most {MAX_SUBJECT} characters; text: at most {MAX_TEXT}")
    if not data:
        raise ValidationError("file: the scanned letter is empty")
    if len(data) > attachments.MAX_BYTES:
        raise attachments.AttachmentTooLarge(f"file: the limit is {attachments.MAX_BYTES // 1048576} MB")
    if not mime_type.startswith(SCAN_TYPES):
        raise ValidationError(f"file: expected a PDF or an image scan, got {mime_type or 'no type'}")
    identities = _sender_identities(phone, email)
    (kind, value), extra = identities[0], identities[1:]
    msg = InboundMessage(
        channel=Channel.LETTER,
        external_id=letter_id(data, value, subject),
        identity_kind=kind,
        identity_value=value,
        sender_name=" ".join((sender_name or "").split())[:200],
        subject=subject,
        text=text.strip(),
        attachments=(InboundAttachment(name=file_name or "letter", mime_type=mime_type, data=data),),
        meta={"uploaded_by": by.id},
    )
    result = await ingest_message(msg, data_dir=data_dir)
    if result.created:
        async with atomic() as out:
            await record(by, "letter.upload", result.message, subject=subject, sender=value)
            out.emit("letter.uploaded", message_id=result.message.id, contact_id=result.contact.id)
    for extra_kind, extra_value in extra:
        await _also_reach(result, extra_kind, extra_value, by)
    return result


async def _also_reach(result: IngestResult, kind: IdentityKind, value: str, by: User) -> None:
    # The second way to reach the sender (email next to a phone) joins their contact when nobody has it.
    try:
        await add_identity(result.contact.id, kind, value, by=by)
    except ValidationError as exc:
        log.info("letter %s: %s not added to contact %s: %s", result.message.id, kind, result.contact.id, exc)

"""What a channel hands to the core: one inbound message in provider-neutral form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.models.enums import Channel, IdentityKind


@dataclass(frozen=True)
class InboundAttachment:
    """A file that came with a message (bytes already fetched, or a provider file id to fetch later)."""

    name: str
    mime_type: str
    data: bytes = b""
    provider_file_id: str | None = None
    content_id: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One inbound message: who sent it (identity), where it threads, and what it says.

    `external_id` is the provider's id, unique per channel (Telegram `chat:message`, Kavenegar
    messageid, email Message-ID, PBX callId); the core dedupes on (channel, external_id).
    """

    channel: Channel
    external_id: str
    identity_kind: IdentityKind
    identity_value: str
    sender_name: str = ""
    text: str = ""
    html: str | None = None
    subject: str = ""
    thread_key: str = ""
    sent_at: datetime | None = None
    attachments: tuple[InboundAttachment, ...] = ()
    # Email threading keys (Message-ID of this mail, In-Reply-To, References, plus-address tag).
    email_message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    thread_tag: str | None = None
    # Auto-replies and bounces are stored but never reopen a conversation or get an answer.
    automated: bool = False
    # A phone the sender proved is theirs (Telegram shared contact of their own user id).
    verified_phone: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

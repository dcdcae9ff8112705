"""Where a reply on a conversation goes: the recipient on its channel and, for email, the thread headers."""

from __future__ import annotations

from typing import Any

from core.errors import ValidationError
from core.models import Case, CaseStatus, Channel, Contact, ContactIdentity, Conversation, IdentityKind, Message
from core.phones import try_normalize_phone
from core.threading import make_message_id

IDENTITY_OF = {
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
    Channel.BALE: IdentityKind.BALE,
    Channel.SMS: IdentityKind.PHONE,
    Channel.EMAIL: IdentityKind.EMAIL,
}
MAX_REFERENCES = 10
# Subject of a reply on a thread that never had one (Persian copy, shown to the customer).
DEFAULT_SUBJECT = "پاسخ پشتیبانی"


async def recipient_for(conversation: Conversation, contact: Contact) -> str:
    """The chat id, phone or address a reply goes to; ValidationError when the contact cannot be reached there."""
    channel = conversation.channel
    if channel not in IDENTITY_OF:
        raise ValidationError(f"conversations on {channel.value} cannot be answered on the same channel")
    if channel.value in (contact.unreachable or []):
        raise ValidationError(f"the contact cannot be reached on {channel.value} (blocked or invalid)")
    # SMS opt-out (لغو، ۱۱، STOP) covers marketing only (CH-SMS): a staff answer to the customer's
    # own message still goes out; the dispatcher skips campaign rows to opted-out numbers.
    key = conversation.thread_key.strip()
    if channel == Channel.SMS:
        key = try_normalize_phone(key) or ""
    elif channel == Channel.EMAIL and "@" not in key:
        key = ""
    if key:
        return key
    identity = (
        await ContactIdentity.filter(contact_id=contact.id, kind=IDENTITY_OF[channel])
        .order_by("-verified", "-id")
        .first()
    )
    if identity is None:
        raise ValidationError(f"the contact has no {IDENTITY_OF[channel].value} to send to")
    return identity.value


async def email_headers(conversation: Conversation) -> dict[str, Any]:
    """Subject, our new Message-ID, In-Reply-To and References for a reply in an email thread."""
    subject = conversation.subject.strip() or DEFAULT_SUBJECT
    if not subject.lower().startswith(("re:", "پاسخ:")):
        subject = f"Re: {subject}"
    case = await Case.filter(conversation_id=conversation.id).exclude(status=CaseStatus.CLOSED).order_by("-id").first()
    if case is not None and f"[#{case.number}]" not in subject:
        # The case tag threads the customer's answer even if their mail client drops our headers.
        subject = f"{subject} [#{case.number}]"
    ids = await (
        Message.filter(conversation_id=conversation.id, email_message_id__not_isnull=True, internal=False)
        .order_by("-id")
        .limit(MAX_REFERENCES)
        .values_list("email_message_id", flat=True)
    )
    chain = [str(i) for i in reversed(ids)]
    root = conversation.email_root_id
    if root and root not in chain:
        chain.insert(0, root)
    return {
        "subject": subject[:500],
        "message_id": make_message_id(conversation.id),
        "in_reply_to": chain[-1] if chain else None,
        "references": chain,
    }

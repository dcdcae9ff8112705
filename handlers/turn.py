"""One stored inbound message as the dialog engine takes it: ids, who sent it, and what it carries."""

from __future__ import annotations

from dataclasses import dataclass

from core.actions.inbox import IngestResult
from core.inbound import InboundMessage
from core.models import Channel, IdentityKind

BOT_IDENTITY = {
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
    Channel.BALE: IdentityKind.BALE,
    Channel.SMS: IdentityKind.PHONE,
}


@dataclass(frozen=True)
class Turn:
    """A message already committed to the inbox, ready for one step of the engine."""

    conversation_id: int
    contact_id: int
    channel: Channel
    message_id: int
    sender: str
    text: str = ""
    kind: str = "text"
    photos: int = 0
    shared_contact: bool = False
    verified_phone: str | None = None
    opt_out: bool = False
    automated: bool = False

    @classmethod
    def of(cls, stored: IngestResult, msg: InboundMessage) -> Turn:
        """The turn of a stored message (the engine never sees raw provider objects)."""
        kind = str(msg.meta.get("kind") or "text")
        images = sum(1 for a in msg.attachments if a.mime_type.startswith("image/"))
        return cls(
            conversation_id=stored.conversation.id,
            contact_id=stored.contact.id,
            channel=Channel(msg.channel),
            message_id=stored.message.id,
            sender=msg.identity_value,
            # A button press is read by its signed data; its text is the label staff see in the inbox.
            text=str(msg.meta.get("callback_data") or "") if kind == "callback" else msg.text or "",
            kind=kind,
            photos=images,
            shared_contact=kind == "contact",
            verified_phone=msg.verified_phone,
            opt_out=bool(msg.meta.get("opt_out")),
            automated=msg.automated,
        )

    @property
    def is_button(self) -> bool:
        """True for a pressed inline button (its text is the button's signed data)."""
        return self.kind == "callback"

    @property
    def identity_kind(self) -> IdentityKind:
        """The kind of identity the sender wrote from."""
        return BOT_IDENTITY[self.channel]

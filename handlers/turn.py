"""One stored inbound message as the dialog engine takes it: ids, who sent it, and what it carries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from core.actions.inbox import IngestResult
from core.actions.threads import BOT_CHANNELS
from core.inbound import InboundMessage
from core.models import Channel, IdentityKind

BOT_IDENTITY = {
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
    Channel.BALE: IdentityKind.BALE,
    Channel.SMS: IdentityKind.PHONE,
}


@dataclass(frozen=True)
class Turn:
    """A message already committed to the inbox, ready for one step of the engine.

    `pending` says a PendingStep row was written with the message: the step claims it in its own
    transaction, so it is taken once even if the turn is offered twice (after a restart, or by two
    processes).
    """

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
    pending: bool = False
    attempts: int = 0  # failed attempts at this step so far (also kept on its PendingStep row)

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
    def wants_step(self) -> bool:
        """False for what the bot never answers: other channels, auto-replies, opt-out words."""
        return self.channel in BOT_CHANNELS and not self.automated and not self.opt_out

    @property
    def identity_kind(self) -> IdentityKind:
        """The kind of identity the sender wrote from."""
        return BOT_IDENTITY[self.channel]

    def to_json(self) -> dict[str, Any]:
        """The turn as a JSON object (kept in its PendingStep row)."""
        data = asdict(self)
        data["channel"] = self.channel.value
        data.pop("pending")
        data.pop("attempts")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], attempts: int = 0) -> Turn:
        """A pending turn read back from its PendingStep row (unknown keys of a newer version ignored)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        return cls(**{**values, "channel": Channel(values["channel"]), "pending": True, "attempts": attempts})

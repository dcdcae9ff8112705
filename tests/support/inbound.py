"""Building InboundMessages for tests the way each channel's parse_inbound would."""

from __future__ import annotations

import itertools
from typing import Any

from core.inbound import InboundMessage
from core.models import Channel, IdentityKind

_ids = itertools.count(1)


def telegram(user_id: int | str, text: str = "سلام", *, message_id: int | None = None, **extra: Any) -> InboundMessage:
    """A private Telegram message from `user_id` (chat id = user id)."""
    mid = message_id if message_id is not None else next(_ids)
    return InboundMessage(
        channel=Channel.TELEGRAM,
        external_id=f"{user_id}:{mid}",
        identity_kind=IdentityKind.TELEGRAM,
        identity_value=str(user_id),
        thread_key=str(user_id),
        text=text,
        **extra,
    )


def sms(sender: str, text: str = "سلام", *, external_id: str | None = None, **extra: Any) -> InboundMessage:
    """An inbound SMS from `sender` (any spelling of the number)."""
    return InboundMessage(
        channel=Channel.SMS,
        external_id=external_id or f"sms-{next(_ids)}",
        identity_kind=IdentityKind.PHONE,
        identity_value=sender,
        thread_key=sender,
        text=text,
        **extra,
    )


def email(
    sender: str,
    subject: str = "درخواست",
    text: str = "متن نامه",
    *,
    message_id: str | None = None,
    **extra: Any,
) -> InboundMessage:
    """An inbound email from `sender` with its own Message-ID."""
    mid = message_id or f"<mail-{next(_ids)}@customer.example>"
    return InboundMessage(
        channel=Channel.EMAIL,
        external_id=mid,
        identity_kind=IdentityKind.EMAIL,
        identity_value=sender,
        thread_key=sender,
        subject=subject,
        text=text,
        email_message_id=mid,
        **extra,
    )

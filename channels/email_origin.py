"""Whose mail it really is when one of our own people sent it: a forward, or a Bcc copy (CH-MAIL).

Staff forward a customer's mail to the shared address, or Bcc it on their own replies (or a
mailbox rule forwards copies). Either way the mail belongs on the customer's contact, not on a
contact made for the colleague: a forward on its original sender, a copy of staff's own mail on
its first outside recipient.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from typing import Literal

_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{3,}\s*(?:Forwarded message|Forwarded Message|Original Message|"
    r"پیام بازارسال[\u200c ]?شده|پیام هدایت[\u200c ]?شده|پیام اصلی)\s*-{3,}|Begin forwarded message:)\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_FROM_LINE = re.compile(r"^\s*\*?(?:From|از|فرستنده)\*?\s*:\s*(.+)$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Origin:
    """The outside person a mail from our own domain is about, and how we know."""

    address: str
    name: str
    kind: Literal["forwarded", "own-copy"]


def is_own(address: str, own_domains: Sequence[str]) -> bool:
    """True when `address` is in one of our own mail domains (`example.ir` or `@example.ir`)."""
    domain = address.rpartition("@")[2].lower()
    return bool(domain) and any(domain == d.lower().lstrip("@") for d in own_domains)


def _attached_sender(msg: EmailMessage) -> tuple[str, str] | None:
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            inner: Message = part.get_payload(0)  # type: ignore[assignment]
            name, address = parseaddr(str(inner.get("From", "")))
            if "@" in address:
                return address.lower(), name
    return None


def _inline_sender(text: str) -> tuple[str, str] | None:
    marker = _FORWARD_MARKER.search(text)
    if marker is None:
        return None
    line = _FROM_LINE.search(text, marker.end())
    if line is None:
        return None
    name, address = parseaddr(line.group(1).strip())
    return (address.lower(), name) if "@" in address else None


def find_origin(
    msg: EmailMessage, sender: str, text: str, recipients: Sequence[str], own_domains: Sequence[str]
) -> Origin | None:
    """For mail whose sender is one of ours: the forwarded original's sender, else the first outside recipient."""
    if not own_domains or not is_own(sender, own_domains):
        return None
    for found in (_attached_sender(msg), _inline_sender(text)):
        if found is not None and not is_own(found[0], own_domains):
            return Origin(found[0], found[1], "forwarded")
    to_and_cc = getaddresses([str(msg.get("To", "")), str(msg.get("Cc", ""))])
    for name, address in [*to_and_cc, *(("", r) for r in recipients)]:
        address = address.strip().lower()
        if "@" in address and not is_own(address, own_domains):
            return Origin(address, name.strip(), "own-copy")
    return None

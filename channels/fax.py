"""Fax-to-mail (CH-FAX): a gateway's mail becomes a `fax` message from the sender's fax number."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from channels.base import InboundAttachment, InboundMessage
from channels.email_parse import parse_inbound as parse_email
from channels.fax_pages import count_pages
from core.models import Channel, IdentityKind
from core.phones import try_normalize_phone
from core.text import to_ascii_digits

_NUMBER = r"(?P<number>\+?\(?[0-9][0-9 ()\-]{2,22}[0-9])"
# Subject and body lines of common gateways (Asterisk/FreePBX, HylaFAX, eFax, RingCentral, Persian
# services). Digits are made ASCII first, so Persian-digit numbers match too. The first match wins.
DEFAULT_NUMBER_PATTERNS: tuple[str, ...] = (
    rf"(?i)(?:fax|facsimile)(?:\s+message)?\s+(?:received\s+)?from[:\s]+\"?{_NUMBER}",
    rf"(?i)\b(?:caller[\s\-]*id|cid|sender|from\s+number|sender\s+number|remote\s+(?:id|csid|station)|tsi|csid)"
    rf"\s*[:=]\s*\"?{_NUMBER}",
    rf"(?:نمابر|فکس|فاکس)\s+(?:دریافتی\s+|جدید\s+)?از\s+(?:شماره\s+)?{_NUMBER}",
    rf"شماره\s+(?:فرستنده|ارسال[\s\u200c]*کننده|تماس[\s\u200c]*گیرنده|فکس|نمابر)\s*[:：]\s*{_NUMBER}",
)
UNKNOWN_NUMBER = "unknown"
DOCUMENT_TYPES = frozenset({"application/pdf", "image/tiff", "image/tif", "image/x-tiff"})
_DOCUMENT_NAMES = re.compile(r"\.(pdf|tiff?)$", re.IGNORECASE)


def is_fax_gateway(sender: str, gateways: Iterable[str]) -> bool:
    """True when `sender` is one of PEYK_FAX_GATEWAYS (an address, or `@domain` for all of it)."""
    address = sender.strip().lower()
    domain = "@" + address.rpartition("@")[2]
    return any(address == g or (g.startswith("@") and domain == g) for g in (x.strip().lower() for x in gateways))


def find_fax_number(subject: str, body: str, patterns: Sequence[str] = DEFAULT_NUMBER_PATTERNS) -> str | None:
    """The sender's fax number named in the subject (tried first) or the body, normalised when possible."""
    for text in (subject, body):
        flat = to_ascii_digits(text)
        for pattern in patterns:
            match = re.search(pattern, flat)
            if match:
                digits = re.sub(r"[^\d+]", "", match.group("number"))
                if len(digits.lstrip("+")) >= 4:
                    return try_normalize_phone(digits) or digits
    return None


def is_fax_document(item: InboundAttachment) -> bool:
    """True for the fax pages themselves: a PDF or TIFF (by type, or by name when typed octet-stream)."""
    return item.mime_type.lower() in DOCUMENT_TYPES or bool(_DOCUMENT_NAMES.search(item.name))


def parse_fax(
    raw: bytes,
    *,
    patterns: Sequence[str] = DEFAULT_NUMBER_PATTERNS,
    envelope_from: str | None = None,
    envelope_to: Sequence[str] = (),
    ocr: str = "off",
) -> InboundMessage:
    """A gateway mail as a fax message: identity = the fax number, documents and page count in meta.

    `ocr` is what the admin will show about OCR for this fax (`off`, or `pending` when it will run).
    """
    mail = parse_email(raw, envelope_from=envelope_from, envelope_to=envelope_to, channel=Channel.FAX)
    number = find_fax_number(mail.subject, mail.text, patterns)
    documents = [a for a in mail.attachments if is_fax_document(a)]
    pages = [count_pages(a.data, a.mime_type, a.name) for a in documents]
    fax = {
        "number": number,
        "gateway": mail.identity_value,
        "documents": [a.name for a in documents],
        "pages": sum(p for p in pages if p) if any(pages) else None,
        "ocr": ocr if documents else "off",
    }
    return replace(
        mail,
        identity_kind=IdentityKind.FAX,
        identity_value=number or UNKNOWN_NUMBER,
        sender_name=number or mail.sender_name,
        thread_key=number or UNKNOWN_NUMBER,
        # Gateways send no threads of their own; the number is the thread (continued by the core).
        in_reply_to=None,
        references=(),
        thread_tag=None,
        # Gateways are robots and may say so (Auto-Submitted); the fax behind them is a person's.
        automated=False,
        meta={**{k: v for k, v in mail.meta.items() if k != "automated_reason"}, "fax": fax},
    )

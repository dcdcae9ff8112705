"""Kavenegar (کاوه‌نگار) SMS, the pure part: callback parsing, status codes, part counting, opt-out words."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from channels.base import parse_error
from core.inbound import InboundMessage
from core.models import Channel, IdentityKind, MessageStatus
from core.phones import try_normalize_phone
from core.text import normalize_search, to_ascii_digits

# Kavenegar's numeric delivery statuses (its "status" field and the delivery callback).
STATUS_MAP: dict[int, MessageStatus] = {
    1: MessageStatus.QUEUED,  # در صف ارسال
    2: MessageStatus.QUEUED,  # زمان‌بندی شده
    4: MessageStatus.SENT,  # ارسال به مخابرات
    5: MessageStatus.SENT,  # ارسال به مخابرات
    6: MessageStatus.FAILED,  # خطا در ارسال
    10: MessageStatus.DELIVERED,  # رسیده به گیرنده
    11: MessageStatus.FAILED,  # نرسیده به گیرنده
    13: MessageStatus.FAILED,  # لغو شده
    14: MessageStatus.FAILED,  # بلاک شده (فیلتر)
}
STATUS_NAMES = {
    1: "queued",
    2: "scheduled",
    4: "sent to center",
    5: "sent to center",
    6: "failed",
    10: "delivered",
    11: "undelivered",
    13: "cancelled",
    14: "filtered (the receiver blocks ads)",
}
# Kavenegar answers 100 for a messageid/localid it does not know (or older than its lookup window).
STATUS_UNKNOWN_ID = 100

# GSM 03.38: the default alphabet (one septet each) and its extension table (escape + one septet).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Words that unsubscribe a number from marketing SMS (compared after normalize_search).
OPT_OUT_WORDS = frozenset({"لغو", "11", "stop"})
_EDGE_PUNCTUATION = re.compile(r"^[\s.!،؛,;:\-]+|[\s.!،؛,;:\-]+$")
_DIGITS = re.compile(r"\d{1,30}")
_IRAN_MOBILE_E164 = re.compile(r"\+989\d{9}")


def map_status(code: int) -> MessageStatus:
    """The message status for a Kavenegar status code; ValueError for a code it does not define."""
    try:
        return STATUS_MAP[code]
    except KeyError:
        raise ValueError(f"unknown Kavenegar status {code}") from None


def status_reason(code: int) -> str:
    """A short English reason for a failed status, stored as the message error."""
    return f"Kavenegar status {code}: {STATUS_NAMES.get(code, 'unknown')}"


def _units(text: str) -> tuple[list[int], int, int]:
    """Per-character cost and the single/multipart limits of the cheapest encoding that fits."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        return [2 if ch in GSM_EXTENDED else 1 for ch in text], GSM_SINGLE, GSM_PART
    # UCS-2 counts UTF-16 code units: characters outside the BMP (emoji) take two.
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text], UCS2_SINGLE, UCS2_PART


def sms_parts(text: str) -> int:
    """How many SMS parts `text` is billed as (GSM-7 160/153, else UCS-2 70/67 per part)."""
    costs, single, part = _units(text)
    if sum(costs) <= single:
        return 1
    # An escaped GSM character or a surrogate pair is never split across two parts.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return max(parts, math.ceil(sum(costs) / part))


def is_opt_out(text: str) -> bool:
    """True when the whole SMS is an opt-out word: لغو, 11 (any digits), STOP; trimmed, any case."""
    word = _EDGE_PUNCTUATION.sub("", normalize_search(text or ""))
    return word in OPT_OUT_WORDS


def _field(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name)
    if value is None:
        raise parse_error(f"missing field {name!r}")
    return value


def _numeric(fields: Mapping[str, str], name: str) -> str:
    value = to_ascii_digits(_field(fields, name).strip())
    if not _DIGITS.fullmatch(value):
        raise parse_error(f"field {name!r} is not a number", value=value[:40])
    return value


def parse_inbound(fields: Mapping[str, str]) -> InboundMessage:
    """An inbound SMS from Kavenegar's forward fields (messageid, from, to, message)."""
    message_id = _numeric(fields, "messageid")
    raw_from = _field(fields, "from")
    phone = try_normalize_phone(raw_from)
    if phone is None:
        raise parse_error("field 'from' is not a phone number", value=raw_from[:40])
    line = _numeric(fields, "to")
    text = _field(fields, "message")
    if "\x00" in text:
        raise parse_error("field 'message' contains a NUL character")
    return InboundMessage(
        channel=Channel.SMS,
        external_id=message_id,
        identity_kind=IdentityKind.PHONE,
        identity_value=phone,
        text=text.strip(),
        thread_key=phone,
        meta={"to": line, "opt_out": is_opt_out(text)},
    )


def parse_status(fields: Mapping[str, str]) -> tuple[str, int]:
    """The provider message id and numeric status of a delivery callback (messageid, status)."""
    return _numeric(fields, "messageid"), int(_numeric(fields, "status"))


def receptor_of(phone: str) -> str:
    """Kavenegar's receptor form of a phone number: 09121234567 in Iran, 00<country…> abroad."""
    if _IRAN_MOBILE_E164.fullmatch(phone):
        return "0" + phone[3:]  # outbox recipients are stored normalized: skip the full parse (campaigns)
    e164 = try_normalize_phone(phone)
    if e164 is None:
        raise ValueError(f"not a phone number: {phone!r}")
    if e164.startswith("+98"):
        return "0" + e164[3:]
    return "00" + e164[1:]

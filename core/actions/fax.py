"""Fax actions (CH-FAX): OCR results made searchable, and the admin's fax-number patterns."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import ValidationError
from core.models import Channel, Message, Setting, User
from core.text import normalize_search
from core.tx import atomic

# The admin's fax-number patterns (a JSON list of regexes); absent or empty means the defaults.
FAX_PATTERNS_KEY = "fax.number_patterns"
OCR_STATES = ("off", "pending", "done", "failed")
MAX_OCR_CHARS = 200_000


async def record_fax_ocr(message_id: int, status: str, text: str = "", *, reason: str = "") -> Message | None:
    """Store a fax's OCR outcome in its meta and, when there is text, add it to the search text."""
    if status not in OCR_STATES:
        raise ValueError(f"unknown OCR status {status!r}")
    async with atomic() as out:
        message = await Message.filter(id=message_id, channel=Channel.FAX).select_for_update().first()
        if message is None:
            return None
        meta = dict(message.meta or {})
        fax = dict(meta.get("fax") or {})
        fax["ocr"] = status
        if reason:
            fax["ocr_reason"] = reason[:300]
        else:
            fax.pop("ocr_reason", None)
        text = text.strip()[:MAX_OCR_CHARS]
        if text:
            meta["ocr_text"] = text
        meta["fax"] = fax
        message.meta = meta
        message.text_search = normalize_search(f"{message.subject}\n{message.text}\n{meta.get('ocr_text', '')}")
        await message.save(update_fields=["meta", "text_search"])
        out.emit("message.updated", message_id=message.id, conversation_id=message.conversation_id, ocr=status)
    return message


async def set_fax_number_patterns(patterns: Sequence[str], *, by: User | None) -> list[str]:
    """Replace the regexes that find a sender's fax number in gateway mail (empty list: the defaults).

    Each must compile and have a `(?P<number>…)` group; ValidationError names the first bad one.
    """
    require_write(by, Area.SETTINGS)
    checked: list[str] = []
    for pattern in patterns:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValidationError(f"patterns: {pattern!r} is not a regular expression ({exc})") from exc
        if "number" not in compiled.groupindex:
            raise ValidationError(f"patterns: {pattern!r} has no (?P<number>...) group")
        checked.append(pattern)
    async with atomic():
        setting, _ = await Setting.update_or_create(key=FAX_PATTERNS_KEY, defaults={"value": checked})
        await record(by, "fax.patterns", setting, patterns=checked)
    return checked

"""Iranian phone numbers: every common spelling to one E.164 form (+989121234567)."""

from __future__ import annotations

import re

import phonenumbers

from core.errors import ValidationError
from core.text import to_ascii_digits

_JUNK = re.compile(r"[\s\-().\u200c\u200e\u200f/]")


def normalize_phone(raw: str, region: str = "IR") -> str:
    """E.164 form of a phone number written any common Iranian way; ValidationError if invalid."""
    text = _JUNK.sub("", to_ascii_digits(raw or ""))
    if not text:
        raise ValidationError("phone number is empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("98") and len(text) == 12:
        text = "+" + text
    elif text.startswith("9") and len(text) == 10:
        text = "0" + text
    if not re.fullmatch(r"\+?\d{4,16}", text):
        raise ValidationError(f"not a phone number: {raw!r}")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str) -> str | None:
    """normalize_phone, or None when the input is not a valid number."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None

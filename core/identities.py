"""The stored form of a contact identity: one spelling per phone, email or messenger id."""

from __future__ import annotations

import re

from core.errors import ValidationError
from core.models.enums import IdentityKind
from core.phones import normalize_phone
from core.text import to_ascii_digits

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_NON_DIGITS = re.compile(r"[^0-9+]")
PHONE_KINDS = (IdentityKind.PHONE, IdentityKind.FAX)


def normalize_identity(kind: IdentityKind | str, raw: str, *, strict: bool = True) -> str:
    """The value an identity is stored and looked up by; ValidationError when `strict` and invalid.

    Phones and fax numbers become E.164, emails lower case, messenger ids trimmed. With
    `strict=False` (inbound messages, which must never be lost) an odd sender such as an SMS
    short code keeps its digits instead of being refused.
    """
    kind = IdentityKind(kind)
    text = (raw or "").strip()
    if not text:
        raise ValidationError(f"{kind.value}: the value is empty")
    if kind in PHONE_KINDS:
        try:
            return normalize_phone(text)
        except ValidationError:
            if strict:
                raise
            digits = _NON_DIGITS.sub("", to_ascii_digits(text))
            return (digits or text)[:255]
    if kind is IdentityKind.EMAIL:
        value = text.removeprefix("mailto:").strip("<> ").lower()
        if not _EMAIL.match(value):
            if strict:
                raise ValidationError(f"email: not an email address: {raw!r}")
            return value[:255]
        return value[:255]
    value = to_ascii_digits(text)
    if len(value) > 255:
        raise ValidationError(f"{kind.value}: the value is longer than 255 characters")
    return value

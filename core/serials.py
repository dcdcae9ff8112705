"""Device serials (شماره سریال) and product codes: one spelling for matching, whatever the customer typed."""

from __future__ import annotations

import re
import unicodedata

from core.errors import ValidationError
from core.text import to_ascii_digits

MAX_SERIAL = 60
# Spaces, every dash people type (hyphen, en/em dash, minus, Persian tatweel), slashes, dots and
# invisible marks (ZWNJ, direction marks): a label reads "AC-24 000/15", the customer types "ac2400015".
_NOISE = re.compile("[\\s\\-\u2010-\u2015\u2212\u0640_/\\\\.\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalize_serial(text: str) -> str:
    """The matching form of a serial: ASCII digits, upper case, no spaces, dashes or other separators."""
    if not isinstance(text, str):
        raise ValidationError("serial must be text")
    key = _NOISE.sub("", to_ascii_digits(unicodedata.normalize("NFKC", text))).upper()
    if not key:
        raise ValidationError("serial is empty")
    if len(key) > MAX_SERIAL:
        raise ValidationError(f"serial is longer than {MAX_SERIAL} characters")
    return key


def try_normalize_serial(text: str | None) -> str | None:
    """normalize_serial, or None for empty or impossible input (for lookups, never raises)."""
    try:
        return normalize_serial(text or "")
    except ValidationError:
        return None


def display_serial(text: str) -> str:
    """The serial as printed on the label, tidied: ASCII digits, single spaces, upper case."""
    return " ".join(to_ascii_digits(unicodedata.normalize("NFKC", text)).split()).upper()[:100]


def normalize_code(text: str) -> str:
    """A product code: ASCII digits, upper case, no spaces (dashes kept, they are part of codes)."""
    if not isinstance(text, str):
        raise ValidationError("code must be text")
    code = "".join(to_ascii_digits(unicodedata.normalize("NFKC", text)).split()).upper()
    if not code:
        raise ValidationError("code is empty")
    if len(code) > 50:
        raise ValidationError("code is longer than 50 characters")
    return code

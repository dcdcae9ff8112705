"""Money: stored as an integer number of Rials, shown in Rial or Toman (تومان = ۱۰ ریال)."""

from __future__ import annotations

import re

from core.errors import ValidationError
from core.text import to_ascii_digits, to_persian_digits

CURRENCIES = ("IRR", "IRT")
UNIT_NAMES = {"IRR": "ریال", "IRT": "تومان"}
THOUSANDS_SEPARATOR = "\u066c"  # ٬ ARABIC THOUSANDS SEPARATOR
MINUS = "\u2212"  # a real minus sign: a hyphen gets moved around by the bidi algorithm
RIALS_PER_TOMAN = 10
MAX_RIALS = 10**18  # fits a 64-bit BIGINT column with room to add
# Separators people type between digit groups: comma, Persian comma, ٬, apostrophe, spaces, ZWNJ.
_SEPARATORS = re.compile(r"[,،\u066c'’\s\u200c\u200f\u200e\u00a0\u202f]")
_UNITS = {"ریال": "IRR", "ريال": "IRR", "rial": "IRR", "rials": "IRR", "irr": "IRR"} | {
    "تومان": "IRT",
    "toman": "IRT",
    "tomans": "IRT",
    "irt": "IRT",
}
_UNIT_RE = re.compile("(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")\s*$", re.I)


def _check_currency(currency: str) -> str:
    if currency not in CURRENCIES:
        raise ValidationError(f"unknown currency {currency!r} (expected IRR or IRT)")
    return currency


def format_number(number: int) -> str:
    """An integer with Persian digits and the Persian thousands separator: ۲٬۵۰۰٬۰۰۰."""
    grouped = f"{abs(number):,}".replace(",", THOUSANDS_SEPARATOR)
    return (MINUS if number < 0 else "") + to_persian_digits(grouped)


def to_display_amount(rials: int, currency: str = "IRR") -> int:
    """The number shown for an amount of Rials: itself, or whole Tomans (rounded toward zero)."""
    if _check_currency(currency) == "IRT":
        sign = -1 if rials < 0 else 1
        return sign * (abs(rials) // RIALS_PER_TOMAN)
    return rials


def format_money(rials: int, currency: str = "IRR") -> str:
    """«۲٬۵۰۰٬۰۰۰ ریال», or with currency IRT «۲۵۰٬۰۰۰ تومان» (stored value is always Rials)."""
    if isinstance(rials, bool) or not isinstance(rials, int):
        raise ValidationError(f"money must be a whole number of Rials, not {rials!r}")
    return f"{format_number(to_display_amount(rials, currency))} {UNIT_NAMES[currency]}"


def parse_money(text: str | int, currency: str = "IRR") -> int:
    """Rials from typed text in any digit set with any separators; a written unit (تومان/ریال) wins."""
    _check_currency(currency)
    if isinstance(text, int) and not isinstance(text, bool):
        raw = str(text)
    elif isinstance(text, str):
        raw = text
    else:
        raise ValidationError(f"amount must be text or a whole number, not {type(text).__name__}")
    cleaned = to_ascii_digits(raw).strip()
    if unit := _UNIT_RE.search(cleaned):
        currency = _UNITS[unit.group(1).lower()]
        cleaned = cleaned[: unit.start()]
    cleaned = _SEPARATORS.sub("", cleaned)
    negative = cleaned[:1] in ("-", MINUS)
    digits = cleaned[1:] if negative else cleaned
    if not digits:
        raise ValidationError("amount is empty")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(f"amount must be a whole number (digits and separators only): {raw!r}")
    too_long = len(digits.lstrip("0")) > len(str(MAX_RIALS))  # before int(): huge strings are slow or refused
    rials = 0 if too_long else int(digits) * (RIALS_PER_TOMAN if currency == "IRT" else 1)
    if too_long or rials >= MAX_RIALS:
        raise ValidationError(f"amount is too large: {raw!r}")
    return -rials if negative else rials

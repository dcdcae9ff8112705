"""How the bot shows values: Persian digits, Jalali dates, money, serials and numbers customers read."""

from __future__ import annotations

from datetime import date, datetime

from core.jalali import format_date, format_date_numeric
from core.money import format_money
from core.text import to_persian_digits
from core.warranty import WarrantyState, WarrantyStatus
from handlers import copy


def fa(value: object) -> str:
    """Any value as text with Persian digits (product names, serials and numbers from the database)."""
    return to_persian_digits(str(value))


def day(value: date | datetime, tz: str = "Asia/Tehran") -> str:
    """«۵ آذر ۱۴۰۵»."""
    return format_date(value, tz)


def numeric_day(value: date | datetime, tz: str = "Asia/Tehran") -> str:
    """«۱۴۰۵/۰۹/۰۵»."""
    return format_date_numeric(value, tz)


def money(rials: int, currency: str = "IRR") -> str:
    """«۲٬۵۰۰٬۰۰۰ ریال» (or Toman when the company shows Toman)."""
    return format_money(rials, currency)


def warranty(status: WarrantyStatus) -> str:
    """«تحت گارانتی تا ۱۴۰۶/۰۳/۱۵», «گارانتی به پایان رسیده» or «بدون گارانتی»."""
    if status.state == WarrantyState.ACTIVE and status.ends_on is not None:
        return copy.WARRANTY_ACTIVE.format(date=numeric_day(status.ends_on))
    if status.state == WarrantyState.ENDED:
        return copy.WARRANTY_ENDED
    return copy.WARRANTY_NONE


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

"""Human numbers of the form S-1405-00017: a prefix, the Jalali year and a yearly counter (Sequence rows)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tortoise import connections

from core.db import is_postgres
from core.jalali import jalali_year
from core.text import to_ascii_digits

_TYPED = re.compile(r"^([A-Z]?)[\s\-_/]*(\d{4})[\s\-_/]*(\d{1,7})$")


async def bump(name: str) -> int:
    """Increment the named counter and return its new value (call inside a transaction: the row stays locked)."""
    conn = connections.get("default")
    ph = "$1" if is_postgres() else "?"
    insert = f'INSERT INTO "sequence" ("name", "value") VALUES ({ph}, 0) ON CONFLICT DO NOTHING'
    await conn.execute_query(insert, [name])
    rows = await conn.execute_query_dict(
        f'UPDATE "sequence" SET "value" = "value" + 1 WHERE "name" = {ph} RETURNING "value"', [name]
    )
    return int(rows[0]["value"])


async def next_yearly_number(prefix: str, counter: str, now: datetime | None = None) -> str:
    """The next number such as S-1405-00017: `prefix`, Jalali year (Tehran), a 5-digit count per year."""
    year = jalali_year(now or datetime.now(UTC))
    return format_yearly_number(prefix, year, await bump(f"{counter}-{year}"))


def format_yearly_number(prefix: str, year: int, count: int) -> str:
    """S-1405-00017."""
    return f"{prefix}-{year}-{count:05d}"


def parse_yearly_number(text: str | None, prefix: str) -> str | None:
    """The canonical number a person typed (۱۴۰۵-۱۷, s140500017, S-1405-00017), or None when it is not one.

    Only the given prefix (or none) is accepted, so an order number never matches a purchase order.
    """
    raw = "".join(to_ascii_digits(text or "").split()).upper()[:40]
    match = _TYPED.match(raw)
    if match is None or match.group(1) not in ("", prefix):
        return None
    year, count = int(match.group(2)), int(match.group(3))
    if count < 1 or count > 99999:
        return None
    return format_yearly_number(prefix, year, count)

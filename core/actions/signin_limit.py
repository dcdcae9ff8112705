"""The sign-in limit: failed attempts per (username, address), per username and per address.

Each attempt takes a slot before the password is checked, and taking it is one conditional UPDATE
("count + 1 where count < limit"), so thirty simultaneous attempts cannot all slip past a check
that has not counted them yet, on SQLite as on PostgreSQL. A successful sign-in gives its slots
back, so what is counted is failures.

A stranger who knows a username can lock it out only from their own address: the per-username
ceiling (10x higher) needs many addresses, and the per-address ceiling stops one address trying
many usernames. Every lock-out is written to the audit log once (per key and window).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from core.actions.audit import record_raw
from core.models import SignInCounter
from core.tx import atomic

WINDOW = timedelta(minutes=15)
PER_USER_AND_ADDRESS = 5
PER_USER = 50
PER_ADDRESS = 100


class SignInBlocked(Exception):
    """Too many failed attempts for this username or address; try again later."""


def _limits(username: str, ip: str) -> list[tuple[str, int, str]]:
    """(counter key, limit, what it is counted per, in Persian for the audit log), narrowest first."""
    return [
        (f"p:{username}|{ip}", PER_USER_AND_ADDRESS, "نام کاربری و نشانی"),
        (f"u:{username}", PER_USER, "نام کاربری"),
        (f"a:{ip}", PER_ADDRESS, "نشانی"),
    ]


async def _take(key: str, limit: int, now: datetime) -> bool:
    """Count one attempt on `key` if it is under `limit` in the current window; False when full."""
    since = now - WINDOW
    live = SignInCounter.filter(key=key, window_start__gte=since, count__lt=limit)
    if await live.update(count=F("count") + 1):
        return True
    if await SignInCounter.filter(key=key, window_start__lt=since).update(count=1, window_start=now, lock_logged=False):
        return True  # the old window is over: this attempt opens a new one
    try:
        await SignInCounter.create(key=key, window_start=now, count=1)
        return True
    except IntegrityError:  # another attempt created the row a moment ago: count on it
        return bool(await live.update(count=F("count") + 1))


async def give_back(keys: list[str]) -> None:
    """Return the slots of an attempt that turned out not to be a failure (the password was right)."""
    if keys:
        await SignInCounter.filter(key__in=keys, count__gt=0).update(count=F("count") - 1)


async def _log_lockout(key: str, username: str, ip: str, scope: str, limit: int) -> None:
    if await SignInCounter.filter(key=key, lock_logged=False).update(lock_logged=True):
        async with atomic():
            await record_raw(None, "login.locked", "login", username[:40] or "-", ip=ip, counted_per=scope, limit=limit)


async def take_attempt(username: str, ip: str) -> list[str]:
    """Count this attempt against every limit; its counter keys, or SignInBlocked when one is full."""
    now, taken = datetime.now(UTC), list[str]()
    for key, limit, scope in _limits(username, ip):
        if not await _take(key, limit, now):
            await give_back(taken)
            await _log_lockout(key, username, ip, scope, limit)
            raise SignInBlocked(scope)
        taken.append(key)
    return taken

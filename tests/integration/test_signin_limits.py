"""The sign-in limit holds under concurrency, a stranger cannot lock staff out from anywhere, and the
password check neither blocks the event loop nor tells who exists (issue 11.6 and 11.7)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from argon2.exceptions import VerifyMismatchError

from admin.web import copy
from core import passwords
from core.actions.signin_limit import PER_USER, PER_USER_AND_ADDRESS
from core.models import AuditLog
from tests.support.seed import seed_user
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]


async def browser_at(web: WebServer, address: str) -> WebBrowser:
    """A browser whose connections come from `address` (any 127.x.y.z reaches the loopback server)."""
    browser = web.browser()
    await browser.session.close()
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    browser.session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True))
    await browser.get("/admin/login")
    return browser


async def attempt(browser: WebBrowser, username: str, password: str) -> str:
    """One sign-in from a browser that has the form open: "ok", "wrong" or "blocked"."""
    status, page = await browser.post("/admin/login", {"username": username, "password": password})
    if status == 302:
        return "ok"
    assert status == 401, (status, page[:300])
    return "blocked" if copy.LOGIN_BLOCKED in page else "wrong"


async def storm(web: WebServer, address: str, username: str, count: int) -> list[str]:
    """`count` wrong passwords for `username` from `address`, all at once, each from its own browser."""
    browsers = [await browser_at(web, address) for _ in range(count)]
    try:
        return list(await asyncio.gather(*(attempt(b, username, "a-wrong-guess") for b in browsers)))
    finally:
        for browser in browsers:
            await browser.close()


async def test_thirty_parallel_wrong_passwords_get_five_checks_and_one_audited_lock_out(web: WebServer) -> None:
    await seed_user("zahra", "زهرا احمدی")
    outcomes = await storm(web, "127.0.0.1", "zahra", 30)
    assert outcomes.count("wrong") == PER_USER_AND_ADDRESS == 5
    assert outcomes.count("blocked") == 25
    assert await AuditLog.filter(action="login.failed", object_id="zahra").count() == 5
    locks = await AuditLog.filter(action="login.locked").values("object_id", "changes")
    lock = {"ip": "127.0.0.1", "counted_per": "نام کاربری و نشانی", "limit": 5}
    assert locks == [{"object_id": "zahra", "changes": lock}]
    browser = await browser_at(web, "127.0.0.1")
    try:
        assert await attempt(browser, "zahra", "a-long-password") == "blocked"  # even the right one waits here
    finally:
        await browser.close()


async def test_a_stranger_who_locks_a_username_from_their_address_does_not_lock_the_staff_member_out(
    web: WebServer,
) -> None:
    await seed_user("zahra", "زهرا احمدی")
    assert (await storm(web, "127.0.0.66", "zahra", 8)).count("blocked") == 3
    desk = await browser_at(web, "127.0.0.1")
    try:
        assert await attempt(desk, "zahra", "a-long-password") == "ok"
    finally:
        await desk.close()


async def test_guesses_from_many_addresses_stop_at_the_per_username_ceiling(web: WebServer) -> None:
    await seed_user("zahra", "زهرا احمدی")
    addresses = [f"127.0.1.{n}" for n in range(1, PER_USER // PER_USER_AND_ADDRESS + 1)]
    for address in addresses:  # ten addresses, five guesses each: fifty, the ceiling
        assert (await storm(web, address, "zahra", PER_USER_AND_ADDRESS)).count("wrong") == PER_USER_AND_ADDRESS
    fresh = await browser_at(web, "127.0.2.1")
    try:
        assert await attempt(fresh, "zahra", "a-long-password") == "blocked"
    finally:
        await fresh.close()
    locks = await AuditLog.filter(action="login.locked").values_list("changes", flat=True)
    assert [lock["counted_per"] for lock in locks] == ["نام کاربری"]


class RecordingHasher:
    """The real argon2 hasher, noting which hash each check was made against."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.checked: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.checked.append(password_hash)
        return bool(self.real.verify(password_hash, password))

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))


@pytest.fixture
def recording() -> Iterator[RecordingHasher]:
    real = passwords._hasher
    passwords._hasher = fake = RecordingHasher(real)  # type: ignore[assignment]
    try:
        yield fake
    finally:
        passwords._hasher = real


async def test_an_unknown_username_costs_one_argon2_check_like_a_known_one(
    web: WebServer, recording: RecordingHasher
) -> None:
    zahra = await seed_user("zahra", "زهرا احمدی")
    browser = await browser_at(web, "127.0.0.1")
    try:
        assert await attempt(browser, "nobody-here", "a-wrong-guess") == "wrong"
        assert await attempt(browser, "zahra", "a-wrong-guess") == "wrong"
    finally:
        await browser.close()
    assert len(recording.checked) == 2 and all(h.startswith("$argon2id$") for h in recording.checked)
    assert recording.checked[0] != zahra.password_hash and recording.checked[1] == zahra.password_hash


class GatedHasher:
    """A hasher whose checks wait at a gate, noting the thread they run on and how many wait at once."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.entered = threading.Semaphore(0)
        self.lock = threading.Lock()
        self.threads: set[int] = set()
        self.in_flight = self.most_in_flight = 0
        self.timed_out = False

    def verify(self, password_hash: str, password: str) -> bool:
        with self.lock:
            self.threads.add(threading.get_ident())
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.entered.release()
        if not self.gate.wait(timeout=20):  # a deadlock breaker: on the loop thread nothing else could open it
            self.timed_out = True
        with self.lock:
            self.in_flight -= 1
        raise VerifyMismatchError

    def hash(self, password: str) -> str:
        return "$argon2id$v=19$m=65536,t=3,p=4$ZHVtbXlzYWx0$ZHVtbXloYXNo"


async def test_password_checks_run_on_a_bounded_pool_off_the_event_loop_while_healthz_answers(
    web: WebServer,
) -> None:
    await seed_user("zahra", "زهرا احمدی")
    browsers = [await browser_at(web, f"127.0.3.{n}") for n in range(1, 9)]
    real, gated = passwords._hasher, GatedHasher()
    passwords._hasher = gated  # type: ignore[assignment]
    try:
        logins = [asyncio.create_task(attempt(b, "zahra", "a-wrong-guess")) for b in browsers]
        for _ in range(passwords.HASHERS):  # every hashing thread is now held at the gate
            assert await asyncio.to_thread(gated.entered.acquire, timeout=30)
        async with aiohttp.ClientSession() as client, client.get(web.url + "/healthz") as resp:
            assert resp.status == 200
        assert not gated.timed_out, "healthz answered only once the blocked checks gave up"
        assert gated.most_in_flight == passwords.HASHERS  # the other logins wait for a hasher
        gated.gate.set()
        assert await asyncio.gather(*logins) == ["wrong"] * 8
        assert threading.main_thread().ident not in gated.threads
        assert gated.most_in_flight == passwords.HASHERS
    finally:
        gated.gate.set()
        passwords._hasher = real
        for browser in browsers:
            await browser.close()

"""`/healthz` latency while 30 wrong passwords arrive at once at `/admin/login` (issue 11, point 6).

Argon2 costs tens of milliseconds of CPU per check; run on the event loop, a burst of wrong
passwords stalls every other request. This starts `python run.py` on a fresh database with one
admin, lets each of `--clients` browsers (each from its own loopback address 127.0.0.N, so the
per-address sign-in limit lets every one of them reach the password check) open the sign-in page,
then fires all their wrong-password sign-ins at once while one client asks `/healthz` back to back.
The baseline is the same service's idle `/healthz` latency in the same run.

    .venv/bin/python -m bench.login_storm                 # 30 clients, SQLite
    .venv/bin/python -m bench.login_storm --clients 30 --rounds 3 --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time

import aiohttp

from bench.common import ROOT, Service, add_db_args, bench_database, fmt_ms, percentiles, print_table
from tests.support.service import run_py

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
USERNAME, PASSWORD = "storm-admin", "the-right-long-password"


async def _browser(url: str, n: int) -> tuple[aiohttp.ClientSession, str]:
    """A cookie-keeping client bound to 127.0.0.(n+2) that has opened the sign-in form; its CSRF token."""
    connector = aiohttp.TCPConnector(local_addr=(f"127.0.0.{n + 2}", 0))
    session = aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=120)
    )
    async with session.get(url + "/admin/login") as resp:
        found = CSRF.search(await resp.text())
    assert found, "no CSRF token on the sign-in page"
    return session, found.group(1)


async def _wrong_password(session: aiohttp.ClientSession, url: str, csrf: str, statuses: list[int]) -> None:
    form = {"username": USERNAME, "password": "a-wrong-guess", "csrf_token": csrf}
    async with session.post(url + "/admin/login", data=form, allow_redirects=False) as resp:
        await resp.read()
        statuses.append(resp.status)


async def _healthz_until(url: str, done: asyncio.Event, latencies: list[float]) -> None:
    """GET /healthz back to back until `done`; every answer's latency."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        while not done.is_set():
            started = time.monotonic()
            async with session.get(url + "/healthz") as resp:
                await resp.read()
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.01)


async def _idle(url: str, seconds: float) -> list[float]:
    done, latencies = asyncio.Event(), []
    task = asyncio.create_task(_healthz_until(url, done, latencies))
    await asyncio.sleep(seconds)
    done.set()
    await task
    return latencies


async def _storm(url: str, clients: int) -> tuple[list[float], list[int], float]:
    browsers = [await _browser(url, n) for n in range(clients)]
    done, latencies, statuses = asyncio.Event(), [], []
    sampler = asyncio.create_task(_healthz_until(url, done, latencies))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    try:
        await asyncio.gather(*(_wrong_password(s, url, csrf, statuses) for s, csrf in browsers))
    finally:
        wall = time.monotonic() - started
        done.set()
        await sampler
        for session, _ in browsers:
            await session.close()
    return latencies, statuses, wall


async def main(args: argparse.Namespace) -> None:
    rows = [("run", "healthz idle p50", "idle p-max", "storm p50", "storm p-max", "samples", "logins", "storm wall")]
    for run in range(args.rounds):
        async with bench_database(args) as db:
            env = {"PEYK_DATABASE_URL": db.url, "PEYK_DATA_DIR": str(db.workdir / "data")}
            await run_py({**env, "PEYK_ADMIN_PASSWORD": PASSWORD}, db.workdir, "createadmin", USERNAME)
            service = Service(env, db.workdir)
            await service.start()
            try:
                idle = await _idle(service.url, 2.0)
                storm, statuses, wall = await _storm(service.url, args.clients)
            finally:
                await service.stop()
        idle_p, storm_p = percentiles(idle, (50, 100)), percentiles(storm, (50, 100))
        counts = ", ".join(f"{s}x{statuses.count(s)}" for s in sorted(set(statuses)))
        rows.append((
            str(run + 1), fmt_ms(idle_p["p50"]), fmt_ms(idle_p["p100"]), fmt_ms(storm_p["p50"]),
            fmt_ms(storm_p["p100"]), str(len(storm)), counts, fmt_ms(wall),
        ))  # fmt: skip
    print_table(f"/healthz under {args.clients} parallel wrong-password sign-ins ({args.db}, {ROOT.name})", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    add_db_args(parser)
    asyncio.run(main(parser.parse_args()))

"""Shared benchmark plumbing: percentiles, load generators, helper processes, databases, RSS.

Every benchmark measures Peyk and a baseline in the same run on this shared machine, so what is
reported are medians, percentiles and ratios; absolute numbers are printed only as context.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/x.py` as well as `python -m bench.x`
    sys.path.insert(0, str(ROOT))

from tests.support import databases  # noqa: E402
from tests.support.service import RunningService, free_port  # noqa: E402

__all__ = [
    "ROOT",
    "Helper",
    "LoadResult",
    "RunningService",
    "Service",
    "add_db_args",
    "bench_database",
    "count_rows",
    "fmt_ms",
    "free_port",
    "get_json",
    "peak_rss_mb",
    "percentiles",
    "post_at_rate",
    "post_closed_loop",
    "print_table",
    "run_until_stopped",
    "wait_until",
]


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles of `values` (seconds in, seconds out); NaN when empty."""
    if not values:
        return {f"p{p}": float("nan") for p in points}
    ordered = sorted(values)
    out = {}
    for p in points:
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        out[f"p{p}"] = ordered[rank - 1]
    return out


def fmt_ms(seconds: float) -> str:
    """Seconds as milliseconds with one decimal."""
    return f"{seconds * 1000:.1f} ms"


def print_table(title: str, rows: Sequence[tuple[str, ...]]) -> None:
    """A small aligned table on stdout (first row is the header)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(f"\n## {title}")
    for n, row in enumerate(rows):
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size (VmHWM) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_until(check: Callable[[], Awaitable[Any]], *, timeout: float, interval: float = 0.05) -> Any:
    """Poll `check` until truthy; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done within {timeout}s")
        await asyncio.sleep(interval)


@dataclass
class LoadResult:
    """Latencies (s) of the answered requests, status counts, and wall time of the whole load."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    started: float = 0.0
    finished: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    def note(self, status: int, latency: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies.append(latency)


def _session(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))


async def _post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: Mapping[str, str], since: float, result: LoadResult
) -> None:
    try:
        async with session.post(url, data=body, headers=headers) as resp:
            await resp.read()
            result.note(resp.status, time.monotonic() - since)
    except (aiohttp.ClientError, TimeoutError):
        result.errors += 1


async def post_closed_loop(
    url: str, bodies: Sequence[bytes], *, concurrency: int, headers: Mapping[str, str]
) -> LoadResult:
    """POST every body with `concurrency` requests in flight (closed loop: as fast as answered)."""
    result = LoadResult()
    queue = iter(bodies)
    async with _session(concurrency) as session:

        async def worker() -> None:
            for body in queue:
                await _post(session, url, body, headers, time.monotonic(), result)

        result.started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.finished = time.monotonic()
    return result


async def post_at_rate(
    url: str, bodies: Sequence[bytes], *, rate: float, headers: Mapping[str, str], max_in_flight: int = 512
) -> LoadResult:
    """POST the bodies open-loop at `rate` per second; latency counts from each request's scheduled time.

    Counting from the schedule (not the actual send) keeps a stalled server from hiding its own
    queueing delay (no coordinated omission).
    """
    result = LoadResult()
    async with _session(max_in_flight) as session:
        tasks = []
        result.started = start = time.monotonic()
        for i, body in enumerate(bodies):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(session, url, body, headers, due, result)))
        await asyncio.gather(*tasks)
        result.finished = time.monotonic()
    return result


class Service(RunningService):
    """`python run.py` as a subprocess; with `profile` set, under pyinstrument writing pstats to that file."""

    def __init__(self, env: Mapping[str, str], workdir: Path, profile: Path | str | None = None) -> None:
        super().__init__(env, workdir)
        self.profile = Path(profile).resolve() if profile else None  # the service runs in `workdir`

    def command(self) -> list[str]:
        if self.profile is None:
            return super().command()
        return [
            sys.executable,
            "-m",
            "pyinstrument",
            "--renderer",
            "pstats",
            "-o",
            str(self.profile),
            *super().command()[1:],
        ]

    async def start(self, timeout: float = 90) -> None:  # a profiled start-up is slower
        await super().start(timeout)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


class Helper:
    """A helper process (`python -m bench.<module> ...`) that prints `READY <json>` once it serves.

    Helpers run until SIGTERM or until their stdin closes (`run_until_stopped`), so a benchmark that
    dies never leaves a fake server behind.
    """

    def __init__(self, module: str, *args: str, env: Mapping[str, str] | None = None) -> None:
        self.module = module
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.proc: asyncio.subprocess.Process | None = None
        self.info: dict[str, Any] = {}

    async def start(self, timeout: float = 60) -> Helper:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            *self.args,
            cwd=ROOT,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.PIPE,  # closed when this process dies: the helper then exits too
        )
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                line = (await self.proc.stdout.readline()).decode()
                if not line:
                    raise RuntimeError(f"{self.module} exited before it was ready")
                if line.startswith("READY "):
                    self.info = json.loads(line[6:])
                    return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def run_until_stopped() -> None:
    """In a helper: return on SIGTERM/SIGINT or when the parent closes our stdin (it died or is done)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def on_stdin() -> None:
        if not os.read(sys.stdin.fileno(), 4096):
            loop.remove_reader(sys.stdin.fileno())
            stop.set()

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stop.wait()


async def get_json(url: str) -> Any:
    """GET a JSON document (helpers' /stats endpoints)."""
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return await resp.json()


def add_db_args(parser: argparse.ArgumentParser) -> None:
    """--db sqlite|postgres and --pg-url (the server on which benchmark databases are created)."""
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg-url", default=os.environ.get("PEYK_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
    )


class bench_database:
    """A fresh empty database for one run (a SQLite file or a new PostgreSQL database) and a scratch dir."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.url = ""
        self._tmp = tempfile.TemporaryDirectory(prefix="peyk-bench-")

    async def __aenter__(self) -> bench_database:
        if self.args.db == "postgres":
            os.environ[databases.ENV] = self.args.pg_url
        else:
            os.environ.pop(databases.ENV, None)
        self.url = await databases.create_database(Path(self._tmp.name))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await databases.drop_database(self.url)
        self._tmp.cleanup()

    @property
    def workdir(self) -> Path:
        return Path(self._tmp.name)


async def count_rows(database_url: str, sql: str) -> int:
    """One integer from the service's database, read from outside the service (SQLite or PostgreSQL)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        path = database_url.split("://", 1)[1].split("?", 1)[0]
        with sqlite3.connect(path, timeout=30) as conn:
            return int(conn.execute(sql).fetchone()[0])
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()

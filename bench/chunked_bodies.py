"""Memory under oversized chunked bodies: parallel 24 MiB chunked POSTs (no Content-Length) to `/admin/login`.

An anonymous client must not make the server buffer more than the admin form limit. This starts
`python run.py`, reads its idle RSS, then sends `--clients` chunked form bodies of `--mib` MiB at once
and samples the service's RSS every 20 ms until every request is answered (or cut off). The
baseline is the same service's idle RSS in the same run.

    .venv/bin/python -m bench.chunked_bodies            # 8 x 24 MiB, SQLite
    .venv/bin/python -m bench.chunked_bodies --path /hooks/cti/x --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from bench.common import Service, add_db_args, bench_database, peak_rss_mb, print_table

CHUNK = 64 * 1024


def rss_mb(pid: int) -> float:
    """The current resident set size (VmRSS) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _body(total: int, sent: list[int]) -> AsyncIterator[bytes]:
    chunk = b"username=" + b"a" * (CHUNK - 9)
    while sent[0] < total:
        sent[0] += len(chunk)
        yield chunk
        chunk = b"a" * CHUNK


async def _post(url: str, total: int) -> tuple[str, int]:
    """One chunked POST; (status or error name, bytes the client handed to the socket)."""
    sent = [0]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    timeout = aiohttp.ClientTimeout(total=300)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, data=_body(total, sent), headers=headers) as resp:
                await resp.read()
                return str(resp.status), sent[0]
    except (aiohttp.ClientError, TimeoutError) as exc:
        return type(exc).__name__, sent[0]


async def _sample(pid: int, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mb(pid))
        try:
            await asyncio.wait_for(stop.wait(), 0.02)
        except TimeoutError:
            pass


async def main(args: argparse.Namespace) -> None:
    async with bench_database(args) as db:
        env = {"PEYK_DATABASE_URL": db.url, "PEYK_DATA_DIR": str(db.workdir / "data")}
        service = Service(env, db.workdir)
        await service.start()
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(20):  # warm the login page and the template cache
                    async with session.get(service.url + "/admin/login") as resp:
                        await resp.read()
            await asyncio.sleep(1)
            idle = rss_mb(service.pid)
            stop, peak = asyncio.Event(), [idle]
            sampler = asyncio.create_task(_sample(service.pid, stop, peak))
            started = time.monotonic()
            total = args.mib * 1024 * 1024
            results = await asyncio.gather(*(_post(service.url + args.path, total) for _ in range(args.clients)))
            elapsed = time.monotonic() - started
            stop.set()
            await sampler
            hwm = peak_rss_mb(service.pid)
        finally:
            await service.stop()
    answers: dict[str, int] = {}
    for status, _ in results:
        answers[status] = answers.get(status, 0) + 1
    sent = sum(s for _, s in results) / 1024 / 1024
    print_table(
        f"{args.clients} parallel {args.mib} MiB chunked POSTs to {args.path} ({args.db})",
        [
            ("idle RSS", "peak RSS under load", "peak - idle", "VmHWM", "answers", "MiB sent", "wall"),
            (
                f"{idle:.1f} MiB",
                f"{peak[0]:.1f} MiB",
                f"{peak[0] - idle:.1f} MiB",
                f"{hwm:.1f} MiB",
                ", ".join(f"{k}x{v}" for k, v in sorted(answers.items())),
                f"{sent:.1f}",
                f"{elapsed:.2f} s",
            ),
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mib", type=int, default=24)
    parser.add_argument("--path", default="/admin/login")
    add_db_args(parser)
    asyncio.run(main(parser.parse_args()))

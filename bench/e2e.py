"""The shared shape of the end-to-end webhook benchmarks (telegram_e2e, sms_e2e).

One system at a time: warm up, post N requests closed-loop and wait until the replies it queues stop
arriving at the provider fake (end-to-end rate), then post at a fixed offered rate open-loop (ack
latency), then read the process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bench.common import (
    LoadResult,
    fmt_ms,
    get_json,
    peak_rss_mb,
    percentiles,
    post_at_rate,
    post_closed_loop,
    print_table,
)

Done = Callable[[int], Awaitable[bool]]
HEADER = (
    "system",
    "2xx",
    "requests/s e2e",
    "replies/s",
    "replies",
    "ack p50",
    "ack p95",
    "ack p99",
    "fixed-rate ack p50 / p99",
    "peak RSS",
)


@dataclass
class Figures:
    """What one system did under the load."""

    name: str
    closed: LoadResult
    e2e_s: float
    replies: int
    open_loop: LoadResult | None = None
    rss_mb: float = float("nan")

    def row(self, updates: int) -> tuple[str, ...]:
        p = percentiles(self.closed.latencies)
        o = percentiles(self.open_loop.latencies) if self.open_loop else {"p50": 0, "p95": 0, "p99": 0}
        return (
            self.name,
            f"{self.closed.ok}/{updates}",
            f"{updates / self.e2e_s:.0f}",
            f"{self.replies / self.e2e_s:.0f}",
            str(self.replies),
            fmt_ms(p["p50"]),
            fmt_ms(p["p95"]),
            fmt_ms(p["p99"]),
            f"{fmt_ms(o['p50'])} / {fmt_ms(o['p99'])}",
            f"{self.rss_mb:.0f} MB",
        )


async def drain(stats_url: str, before: int, *, done: Done, quiet_s: float = 3.0, timeout: float = 300) -> dict:
    """Wait until the replies stop: `done()` says nothing is pending, and no new reply for `quiet_s`."""
    deadline = time.monotonic() + timeout
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        stats = await get_json(stats_url)
        if stats["count"] != last_count:
            last_count, last_change = stats["count"], time.monotonic()
        elif await done(stats["count"] - before) and time.monotonic() - last_change >= quiet_s:
            return stats
        await asyncio.sleep(0.25)
    raise TimeoutError("replies did not drain")


@dataclass
class Load:
    """What to post: headers, warm-up bodies, the measured bodies, the fixed-rate bodies and how."""

    headers: Mapping[str, str]
    warm: Sequence[bytes]
    bodies: Sequence[bytes]
    rate_bodies: Sequence[bytes]
    concurrency: int
    rate: float


class Bodies(Protocol):
    """A generator of request bodies: `batch(total, spread)` spreads `total` bodies over `spread` senders."""

    def batch(self, total: int, spread: int, /) -> list[bytes]: ...


Runner = Callable[[argparse.Namespace, Load], Awaitable[Figures]]


async def run_systems(
    args: argparse.Namespace,
    systems: Sequence[tuple[str, Runner]],
    *,
    headers: Mapping[str, str],
    bodies: Callable[[int], Bodies],
    warm: Callable[[], Bodies],
    count: int,
    spread: int,
) -> list[Figures]:
    """Measure each system (`args.only` picks one) under the same shape of load, each with its own seed."""
    rate_total = int(args.rate * args.rate_seconds)
    results = []
    for seed, (name, runner) in enumerate(systems, start=1):
        if args.only not in (None, name):
            continue
        gen = bodies(seed)
        load = Load(
            headers=headers,
            warm=warm().batch(40, 20),
            bodies=gen.batch(count, spread),
            rate_bodies=gen.batch(rate_total, max(spread, rate_total // 4)) if rate_total else [],
            concurrency=args.concurrency,
            rate=args.rate,
        )
        results.append(await runner(args, load))
    return results


async def measure(name: str, url: str, stats_url: str, load: Load, done: Done, pid: int) -> Figures:
    """Warm up, then the closed-loop load (e2e), then the open-loop load (ack latency at a fixed rate)."""
    await post_closed_loop(url, load.warm, concurrency=8, headers=load.headers)
    before = (await drain(stats_url, 0, done=done, quiet_s=1.0))["count"]
    closed = await post_closed_loop(url, load.bodies, concurrency=load.concurrency, headers=load.headers)
    stats = await drain(stats_url, before, done=done)
    replies = stats["count"] - before
    end = max(stats["last"], closed.finished) if replies else closed.finished
    figures = Figures(name, closed, end - closed.started, replies)
    if load.rate_bodies:
        figures.open_loop = await post_at_rate(url, load.rate_bodies, rate=load.rate, headers=load.headers)
        await drain(stats_url, 0, done=done, quiet_s=1.0)
    figures.rss_mb = peak_rss_mb(pid)
    return figures


def report(title: str, results: Sequence[Figures], count: int) -> None:
    """Print the table and the Peyk/baseline ratios (first result is Peyk, second the baseline)."""
    print_table(title, [HEADER, *(r.row(count) for r in results)])
    if len(results) == 2:
        peyk, bare = results
        print(f"\nratio peyk/baseline, requests/s end to end: {bare.e2e_s / peyk.e2e_s:.2f}x")
        if peyk.replies and bare.replies:
            ratio = (peyk.replies / peyk.e2e_s) / (bare.replies / bare.e2e_s)
            print(f"ratio peyk/baseline, replies/s: {ratio:.2f}x")
        else:
            print("ratio peyk/baseline, replies/s: n/a (Peyk queued no replies for this traffic)")


__all__ = ["Done", "Figures", "Load", "drain", "measure", "report"]

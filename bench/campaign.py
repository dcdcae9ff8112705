"""Campaign: 100k SMS recipients queued in bulk and dispatched through sendarray batches to a fake Kavenegar.

1. Peyk: the campaign is queued with `core.actions.bulk_outbox.queue_bulk` (kind "campaign"), then
   `python run.py` with the SMS channel on sends it: opt-out check per batch, sendarray of up to 200
   per call with our outbox ids as localids, each batch's results recorded in one transaction.
2. Baseline, same run: the same recipients sent straight through KavenegarClient.sendarray with the
   dispatcher's concurrency, no database: what the provider round trips alone cost.
Reported: queueing time, time to the last SMS accepted, and the ratio to the baseline.

    .venv/bin/python -m bench.campaign --recipients 100000 [--db postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path

import aiohttp

from bench.common import Helper, Service, add_db_args, bench_database, count_rows, get_json, print_table, wait_until
from bench.persian import mobile
from channels.kavenegar import receptor_of
from channels.kavenegar_client import MAX_ARRAY, KavenegarClient

LINE = "10004346"
TEXT = "فروش ویژه پاییزه: ۱۵٪ تخفیف کولرهای گازی تا پایان آذر. لغو۱۱"
UNSENT = "SELECT COUNT(*) FROM outbound_message WHERE status IN ('queued', 'sending')"
SENT = "SELECT COUNT(*) FROM outbound_message WHERE status = 'sent'"


def recipients(count: int) -> list[str]:
    """`count` distinct mobile numbers."""
    rng = random.Random(3)
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(mobile(rng), None)
    return list(seen)


async def wait_sent(stats_url: str, total: int, timeout: float) -> dict:
    """Until the fake accepted `total` distinct SMS."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = await get_json(stats_url)
        if stats["count"] >= total:
            return stats
        await asyncio.sleep(0.2)
    raise TimeoutError(f"only {stats['count']} of {total} SMS accepted within {timeout}s")


async def _none_unsent(url: str) -> bool:
    return await count_rows(url, UNSENT) == 0


async def run_peyk(args: argparse.Namespace, phones: list[str]) -> dict[str, float]:
    from core.actions.bulk_outbox import queue_bulk
    from core.db import close_db, init_db

    fake = await Helper("bench.fakes", "kavenegar").start()
    async with bench_database(args) as db:
        # Queued first, as an admin action would (on SQLite one process writes at a time: a second
        # process queueing while the service sends would only measure lock waits).
        await init_db(db.url)
        started = time.monotonic()
        queued, skipped = await queue_bulk("sms", phones, TEXT, kind="campaign", dedupe_prefix="bench-campaign")
        queue_s = time.monotonic() - started
        await close_db()
        env = {
            "PEYK_DATABASE_URL": db.url,
            "PEYK_DATA_DIR": str(db.workdir / "data"),
            "PEYK_KAVENEGAR_API_KEY": fake.info["api_key"],
            "PEYK_KAVENEGAR_API_URL": fake.info["api_url"],
            "PEYK_KAVENEGAR_SENDER": LINE,
            "PEYK_KAVENEGAR_CALLBACK_SECRET": "bench",
        }
        service = Service(env, db.workdir, profile=args.profile)
        launched = time.monotonic()
        await service.start()
        try:
            stats = await wait_sent(fake.info["stats"], queued, args.timeout)
            await wait_until(lambda: _none_unsent(db.url), timeout=args.timeout, interval=0.2)
            recorded_at = time.monotonic()
            sent = await count_rows(db.url, SENT)
            print(f"peyk ({args.db}): queued {queued} (skipped {skipped}), {sent} rows recorded sent")
        finally:
            await service.stop()
            await fake.stop()
    return {
        "queue": queue_s,
        "dispatch": stats["last"] - stats["first"],
        "launch_to_last": stats["last"] - launched,
        "recorded": recorded_at - launched,
    }


async def run_baseline(phones: list[str], concurrency: int) -> float:
    fake = await Helper("bench.fakes", "kavenegar").start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20)) as session:
            client = KavenegarClient(session, fake.info["api_key"], base_url=fake.info["api_url"], timeout=15)
            batches = [phones[i : i + MAX_ARRAY] for i in range(0, len(phones), MAX_ARRAY)]
            todo = iter(enumerate(batches))
            started = time.monotonic()

            async def worker() -> None:
                for n, batch in todo:
                    receptors = [receptor_of(p) for p in batch]
                    ids = [str(n * MAX_ARRAY + i) for i in range(len(batch))]
                    await client.sendarray(receptors, [TEXT] * len(batch), [LINE] * len(batch), ids)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            stats = await wait_sent(fake.info["stats"], len(phones), 60)
            return stats["last"] - started
    finally:
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--profile", type=Path, default=None)
    add_db_args(parser)
    args = parser.parse_args()
    phones = recipients(args.recipients)
    peyk = await run_peyk(args, phones)
    baseline = await run_baseline(phones, concurrency=4)
    total = peyk["queue"] + peyk["launch_to_last"]
    rows = [
        ("what", "seconds", "x baseline"),
        (f"queue {args.recipients} rows (queue_bulk, bulk inserts)", f"{peyk['queue']:.1f}", ""),
        ("first SMS accepted → last SMS accepted", f"{peyk['dispatch']:.1f}", f"{peyk['dispatch'] / baseline:.1f}x"),
        ("service launch → last SMS accepted", f"{peyk['launch_to_last']:.1f}", ""),
        ("service launch → every row recorded sent", f"{peyk['recorded']:.1f}", ""),
        ("total: queue + launch → last SMS accepted", f"{total:.1f}", f"{total / baseline:.1f}x"),
        ("baseline: bare sendarray x4, no database", f"{baseline:.1f}", "1.0x"),
    ]
    print_table(f"campaign: {args.recipients} SMS recipients, sendarray batches of {MAX_ARRAY}, db {args.db}", rows)


if __name__ == "__main__":
    asyncio.run(main())

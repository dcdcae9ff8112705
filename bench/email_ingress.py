"""Email in: realistic 20 KB MIME mails over SMTP into Peyk's listener vs an aiosmtpd sink that keeps nothing.

Both servers get the same mails in the same run: `workers` SMTP sessions in parallel, each sending its
share one after another (MAIL, RCPT, DATA → 250). Peyk answers 250 once the mail is durably in its
mail spool (fsync'd); the spool worker parses and commits it (message, contact, conversation,
attachment file) right after. Reported: mails/s and per-mail latency (DATA to 250) for both, the
ratio, and how long after the last 250 every mail was stored in the inbox.

    .venv/bin/python -m bench.email_ingress --mails 600 --workers 8 [--db postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import aiosmtplib

from bench.common import (
    Helper,
    LoadResult,
    Service,
    add_db_args,
    bench_database,
    count_rows,
    fmt_ms,
    free_port,
    get_json,
    percentiles,
    print_table,
)
from bench.persian import customer_text, person_name

DOMAIN = "example.ir"
TO = f"support@{DOMAIN}"


def _pdf(rng: random.Random, size: int) -> bytes:
    body = bytes(rng.getrandbits(8) for _ in range(size))
    return b"%PDF-1.4\n" + body + b"\n%%EOF\n"


def make_mail(rng: random.Random, n: int, size: int = 20 * 1024) -> bytes:
    """A customer's mail: Persian plain text and HTML parts and a small PDF, about `size` bytes in all."""
    first, last = person_name(rng)
    msg = EmailMessage()
    msg["From"] = f"{first} {last} <customer{n}@mail{n % 50}.example.com>"
    msg["To"] = TO
    msg["Subject"] = f"درخواست خدمات شماره {n}"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring=f"bench{n}", domain="mail.example.com")
    paragraphs = []
    while sum(len(p.encode()) for p in paragraphs) < size * 0.24:
        paragraphs.append(customer_text(rng))
    text = "\n\n".join(paragraphs)
    msg.set_content(text)
    msg.add_alternative("<html><body dir='rtl'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>",
                        subtype="html")  # fmt: skip
    msg.add_attachment(_pdf(rng, 4 * 1024), maintype="application", subtype="pdf", filename=f"invoice-{n}.pdf")
    return bytes(msg)


async def send_all(port: int, mails: list[bytes], workers: int) -> LoadResult:
    """Send every mail over `workers` parallel SMTP sessions; latency is DATA → final reply per mail."""
    result = LoadResult()
    queue = iter(enumerate(mails))

    async def worker() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=120) as client:
            for n, raw in queue:
                started = time.monotonic()
                try:
                    await client.sendmail(f"customer{n}@mail{n % 50}.example.com", [TO], raw)
                    result.note(250, time.monotonic() - started)
                except aiosmtplib.SMTPException as exc:
                    result.note(getattr(exc, "code", 0) or 0, time.monotonic() - started)

    result.started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(workers)))
    result.finished = time.monotonic()
    return result


async def run_peyk(args: argparse.Namespace, warm: list[bytes], mails: list[bytes]) -> LoadResult:
    port = free_port()
    async with bench_database(args) as db:
        env = {
            "PEYK_DATABASE_URL": db.url,
            "PEYK_DATA_DIR": str(db.workdir / "data"),
            "PEYK_SMTP_INGRESS": f"127.0.0.1:{port}",
            "PEYK_MAIL_FROM": f"پشتیبانی <{TO}>",
        }
        service = Service(env, db.workdir, profile=args.profile)
        await service.start()
        try:
            await send_all(port, warm, 4)
            await _stored(db.url, len(warm))
            result = await send_all(port, mails, args.workers)
            expected = len(warm) + args.mails
            stored = await _stored(db.url, expected)
            print(
                f"peyk ({args.db}): {stored}/{expected} mails stored in the inbox "
                f"{time.monotonic() - result.finished:.2f} s after the last 250 "
                f"({time.monotonic() - result.started:.2f} s after the first mail)"
            )
            files = await count_rows(db.url, "SELECT COUNT(*) FROM attachment")
            print(f"peyk ({args.db}): {stored} mails stored with {files} attachments (warm-up included)")
        finally:
            await service.stop()
    return result


async def _stored(url: str, expected: int, timeout: float = 300) -> int:
    """Wait until `expected` inbound email messages are in the database (250 now means "spooled"); the count."""
    deadline = time.monotonic() + timeout
    while True:
        stored = await count_rows(url, "SELECT COUNT(*) FROM message WHERE channel = 'email'")
        if stored >= expected or time.monotonic() > deadline:
            return stored
        await asyncio.sleep(0.05)


async def run_sink(args: argparse.Namespace, warm: list[bytes], mails: list[bytes]) -> LoadResult:
    sink = await Helper("bench.fakes", "smtp-sink").start()
    try:
        await send_all(sink.info["port"], warm, 4)
        result = await send_all(sink.info["port"], mails, args.workers)
        print(f"sink: {(await get_json(sink.info['stats']))['count']} mails counted (warm-up included)")
    finally:
        await sink.stop()
    return result


def _row(name: str, r: LoadResult, total: int) -> tuple[str, ...]:
    p = percentiles(r.latencies)
    rate = total / (r.finished - r.started)
    return (
        name,
        f"{r.statuses.get(250, 0)}/{total}",
        f"{rate:.1f}",
        fmt_ms(p["p50"]),
        fmt_ms(p["p95"]),
        fmt_ms(p["p99"]),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mails", type=int, default=600)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--profile", type=Path, default=None)
    add_db_args(parser)
    args = parser.parse_args()
    rng = random.Random(7)
    warm = [make_mail(rng, 100_000 + n) for n in range(20)]
    mails = [make_mail(rng, n) for n in range(args.mails)]
    sizes = sorted(len(m) for m in mails)
    print(f"mail size: median {sizes[len(sizes) // 2] / 1024:.1f} KiB")
    peyk = await run_peyk(args, warm, mails)
    sink = await run_sink(args, [make_mail(rng, 200_000 + n) for n in range(20)], mails)
    header = ("server", "250s", "mails/s", "p50", "p95", "p99")
    print_table(
        f"email_ingress: {args.mails} mails over {args.workers} SMTP sessions, db {args.db}",
        [header, _row(f"peyk ({args.db})", peyk, args.mails), _row("aiosmtpd sink", sink, args.mails)],
    )
    ratio = (sink.finished - sink.started) / (peyk.finished - peyk.started)
    print(f"\nratio peyk/sink, mails/s: {ratio:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())

"""Fill a migrated Peyk database fast: contacts, identities, conversations and messages by bulk insert.

At scale 1.0: 100k contacts (each with a phone, 40% a Telegram id, 15% an email), 200k
conversations and 1M messages of realistic Persian text, spread over the last year, with a
skew (a few very long conversations, most short). SQLite gets executemany in large transactions
(synchronous off while loading); PostgreSQL gets COPY. Ids are explicit, and PostgreSQL's
sequences are moved past them afterwards, so the ORM keeps inserting normally.

    .venv/bin/python -m bench.bulkgen sqlite://data/big.sqlite3 --scale 0.1   (migrates first)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.persian import PRODUCTS, customer_text, mobile, person_name
from core.text import normalize_search

CHUNK = 50_000
STATUSES = (("bot", 10), ("open", 30), ("pending", 10), ("resolved", 40), ("closed", 10))
STAFF_REPLIES = (
    "با سلام، درخواست شما ثبت شد و همکاران ما به‌زودی تماس می‌گیرند.",
    "سفارش شما در انبار آماده ارسال است و فردا تحویل باربری می‌شود.",
    "کارشناس فنی روز شنبه ساعت ۱۰ برای بازدید {p} مراجعه می‌کند.",
    "پیش‌فاکتور {p} به پیوست ارسال شد. لطفاً بررسی و تأیید بفرمایید.",
    "قسط شماره {n} شما دریافت شد. سپاس از پرداخت به‌موقع شما.",
    "گارانتی دستگاه شما تا پایان سال ۱۴۰۶ معتبر است.",
)
CONTACT_COLS = (
    "id", "display_name", "name_search", "segment", "notes", "sms_opt_out", "unreachable", "created_at", "updated_at",
    "account_id", "merged_into_id", "owner_id", "team_id",
)  # fmt: skip
IDENTITY_COLS = ("id", "kind", "value", "display", "verified", "created_at", "contact_id")
CONVERSATION_COLS = (
    "id", "channel", "status", "priority", "labels", "subject", "thread_key", "email_root_id", "last_activity_at",
    "last_inbound_at", "first_response_at", "resolved_at", "created_at", "assignee_id", "contact_id", "team_id",
)  # fmt: skip
MESSAGE_COLS = (
    "id", "direction", "channel", "external_id", "text", "text_search", "html", "subject", "status", "internal",
    "email_message_id", "in_reply_to", "meta", "previous_texts", "error", "created_at", "edited_at", "author_id",
    "conversation_id",
)  # fmt: skip


@dataclass
class Sizes:
    """How much to make at a scale factor (1.0 = 100k contacts, 200k conversations, 1M messages)."""

    contacts: int
    conversations: int
    messages: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        contacts = max(100, int(100_000 * scale))
        conversations = max(contacts, int(200_000 * scale))
        return cls(contacts, conversations, max(conversations, int(1_000_000 * scale)))


@dataclass
class Staff:
    """The staff the generated conversations are assigned to: user ids and their team ids."""

    agents: Sequence[tuple[int, int | None]] = ()
    teams: Sequence[int] = ()


@dataclass
class Plan:
    """What was generated, for the benchmark's queries (ids to look up, names and phones to search)."""

    sizes: Sizes
    long_conversation: int = 1
    phones: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Texts:
    """A pool of customer and staff texts with their search forms computed once."""

    def __init__(self, rng: random.Random, size: int = 4000) -> None:
        items = [customer_text(rng) for _ in range(size)]
        items += [t.format(p=rng.choice(PRODUCTS), n=rng.randrange(1, 60)) for t in STAFF_REPLIES for _ in range(50)]
        self.customer = [(t, normalize_search(t)) for t in items[:size]]
        self.staff = [(t, normalize_search(t)) for t in items[size:]]


def _ts(dt: datetime, postgres: bool) -> Any:
    # tortoise stores SQLite datetimes as ISO text with the UTC offset; asyncpg wants datetime objects.
    return dt if postgres else dt.isoformat(sep=" ")


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


class Generator:
    """Produces rows table by table, in chunks, with ids from 1."""

    def __init__(self, sizes: Sizes, staff: Staff, *, postgres: bool, seed: int = 11) -> None:
        self.sizes = sizes
        self.staff = staff
        self.postgres = postgres
        self.rng = random.Random(seed)
        self.texts = Texts(self.rng)
        self.now = datetime.now(UTC)
        self.plan = Plan(sizes)
        self.identities: dict[int, dict[str, str]] = {}

    def contacts(self) -> Iterator[list[tuple]]:
        rows: list[tuple] = []
        rng, pg = self.rng, self.postgres
        for cid in range(1, self.sizes.contacts + 1):
            first, last = person_name(rng)
            name = f"{first} {last}"
            when = _ts(self.now - timedelta(days=rng.uniform(30, 730)), pg)
            rows.append((cid, name, normalize_search(name), None, "", False, "[]", when, when, None, None, None, None))
            if cid % 997 == 0:
                self.plan.names.append(name)
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows

    def identity_rows(self) -> Iterator[list[tuple]]:
        rows: list[tuple] = []
        rng, pg = self.rng, self.postgres
        phones: set[str] = set()
        iid = 0
        for cid in range(1, self.sizes.contacts + 1):
            phone = mobile(rng)
            while phone in phones:
                phone = mobile(rng)
            phones.add(phone)
            mine = {"sms": phone}
            when = _ts(self.now - timedelta(days=rng.uniform(30, 730)), pg)
            iid += 1
            rows.append((iid, "phone", phone, "0" + phone[3:], rng.random() < 0.5, when, cid))
            if rng.random() < 0.4:
                iid += 1
                mine["telegram"] = str(5_000_000_000 + cid)
                rows.append((iid, "telegram", mine["telegram"], mine["telegram"], True, when, cid))
            if rng.random() < 0.15:
                iid += 1
                mine["email"] = f"customer{cid}@mail{cid % 97}.example.com"
                rows.append((iid, "email", mine["email"], mine["email"], False, when, cid))
            self.identities[cid] = mine
            if cid % 1009 == 0:
                self.plan.phones.append(phone)
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows

    def _message_counts(self) -> list[int]:
        """Messages per conversation: one each, a few very long ones, the rest spread with a skew."""
        count = self.sizes.conversations
        counts = [1] * count
        left = self.sizes.messages - count
        long_one = min(left, max(200, self.sizes.messages // 500))
        counts[0] += long_one  # conversation 1: the long thread of the "conversation page" query
        left -= long_one
        rng = self.rng
        while left > 0:
            i = min(count - 1, int(rng.paretovariate(1.2)) * rng.randrange(1, count) % count)
            step = min(left, rng.randrange(1, 8))
            counts[i] += step
            left -= step
        return counts

    def conversations_and_messages(self) -> Iterator[tuple[list[tuple], list[tuple]]]:
        rng, pg = self.rng, self.postgres
        counts = self._message_counts()
        conv_rows: list[tuple] = []
        msg_rows: list[tuple] = []
        mid = 0
        for vid in range(1, self.sizes.conversations + 1):
            cid = vid if vid <= self.sizes.contacts else rng.randrange(1, self.sizes.contacts + 1)
            mine = self.identities[cid]
            channel = rng.choice(list(mine))
            status = _weighted(rng, STATUSES)
            agent, team = (None, None)
            if status not in ("bot",) and rng.random() < 0.6 and self.staff.agents:
                agent, team = rng.choice(self.staff.agents)
            elif rng.random() < 0.3 and self.staff.teams:
                team = rng.choice(self.staff.teams)
            labels = '["vip"]' if rng.random() < 0.08 else ('["شکایت"]' if rng.random() < 0.05 else "[]")
            n = counts[vid - 1]
            start = self.now - timedelta(days=rng.uniform(0, 365), minutes=n * 30)
            when = start
            subject = f"درخواست {rng.choice(PRODUCTS)}" if channel == "email" else ""
            first_response = last_inbound = None
            for k in range(n):
                mid += 1
                inbound = k % 2 == 0
                text, search = rng.choice(self.texts.customer if inbound else self.texts.staff)
                external = f"{mine[channel]}:{mid}" if channel != "email" else f"<m{mid}@mail.example.com>"
                if inbound:
                    last_inbound = when
                elif first_response is None:
                    first_response = when
                msg_rows.append((
                    mid, "in" if inbound else "out", channel, external, text, search, None, subject,
                    "received" if inbound else "delivered", False, external if channel == "email" else None, None,
                    "{}", "[]", None, _ts(when, pg), None, agent if not inbound else None, vid,
                ))  # fmt: skip
                when += timedelta(minutes=rng.uniform(1, 60))
            conv_rows.append((
                vid, channel, status, "normal", labels, subject, mine[channel], None, _ts(when, pg),
                _ts(last_inbound, pg) if last_inbound else None, _ts(first_response, pg) if first_response else None,
                _ts(when, pg) if status in ("resolved", "closed") else None, _ts(start, pg), agent, cid, team,
            ))  # fmt: skip
            if len(msg_rows) >= CHUNK:
                yield conv_rows, msg_rows
                conv_rows, msg_rows = [], []
        yield conv_rows, msg_rows


def _insert_sql(table: str, cols: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in cols)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'


def _fill_sqlite(path: str, gen: Generator) -> None:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        for rows in gen.contacts():
            conn.executemany(_insert_sql("contact", CONTACT_COLS), rows)
        for rows in gen.identity_rows():
            conn.executemany(_insert_sql("contact_identity", IDENTITY_COLS), rows)
        conn.execute("COMMIT")
        for conv_rows, msg_rows in gen.conversations_and_messages():
            conn.execute("BEGIN")
            conn.executemany(_insert_sql("conversation", CONVERSATION_COLS), conv_rows)
            conn.executemany(_insert_sql("message", MESSAGE_COLS), msg_rows)
            conn.execute("COMMIT")
        conn.execute("PRAGMA synchronous=NORMAL")
    finally:
        conn.close()


async def _fill_postgres(url: str, gen: Generator) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        for table, cols, chunks in (
            ("contact", CONTACT_COLS, gen.contacts()),
            ("contact_identity", IDENTITY_COLS, gen.identity_rows()),
        ):
            for rows in chunks:
                await conn.copy_records_to_table(table, records=rows, columns=list(cols))
        for conv_rows, msg_rows in gen.conversations_and_messages():
            await conn.copy_records_to_table("conversation", records=conv_rows, columns=list(CONVERSATION_COLS))
            await conn.copy_records_to_table("message", records=msg_rows, columns=list(MESSAGE_COLS))
        for table in ("contact", "contact_identity", "conversation", "message"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
            )
        await conn.execute("ANALYZE")  # autovacuum would do this soon after a load this size
    finally:
        await conn.close()


async def fill(database_url: str, scale: float, staff: Staff, *, seed: int = 11) -> Plan:
    """Fill an empty migrated database; returns the plan (sizes, ids and values to query for)."""
    postgres = database_url.startswith("postgres")
    gen = Generator(Sizes.at(scale), staff, postgres=postgres, seed=seed)
    started = time.monotonic()
    if postgres:
        await _fill_postgres(database_url, gen)
    else:
        path = database_url.split("://", 1)[1].split("?", 1)[0]
        await asyncio.to_thread(_fill_sqlite, path, gen)
    gen.plan.seconds = time.monotonic() - started
    return gen.plan


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    from core.db import close_db, init_db

    await init_db(args.database_url)
    await close_db()
    plan = await fill(args.database_url, args.scale, Staff())
    print(json.dumps({"sizes": plan.sizes.__dict__, "seconds": round(plan.seconds, 1)}))


if __name__ == "__main__":
    asyncio.run(main())

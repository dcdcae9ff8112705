"""Scale: the inbox queries and ingest on a database the size of a busy company's, vs an empty one.

Fills a fresh database with bench/bulkgen (at --scale 1.0: 100k contacts, 200k conversations, 1M
messages of Persian text), then times, in process through core.queries, each query `--repeat` times
(p50/p95): the inbox first page (as an admin and as a team-scoped agent), filtered lists, a page of
the longest conversation, contact search by Persian name typed with Persian and Arabic ی/ک and by
phone (fragments, Persian digits). Then ingest_message of new messages into the big database and,
in the same run, into an empty one: the ratio is the figure.

    .venv/bin/python -m bench.scale --scale 1.0 [--db postgres] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.bulkgen import Plan, Staff, fill
from bench.common import add_db_args, bench_database, fmt_ms, percentiles, print_table
from bench.persian import arabic_variant, customer_text, mobile, person_name
from core.actions.inbox import ingest_message
from core.db import close_db, init_db
from core.inbound import InboundMessage
from core.models import Channel, IdentityKind, Role, Team, User
from core.models.enums import AccessScope
from core.queries.contacts import search_contacts
from core.queries.conversations import conversation_messages, list_conversations

Query = Callable[[], Awaitable[Any]]


async def make_staff() -> tuple[Staff, User, User]:
    """Three teams, ten agents, an admin; returns the staff and (admin, a team-scoped agent)."""
    teams = [await Team.create(name=n) for n in ("فروش", "خدمات پس از فروش", "وصول مطالبات")]
    admin = await User.create(username="admin", full_name="مدیر سامانه", role=Role.ADMIN, scope=AccessScope.ALL)
    agents = []
    for i in range(10):
        team = teams[i % 3]
        agents.append(await User.create(username=f"agent{i}", role=Role.AGENT, scope=AccessScope.TEAM, team=team))
    staff = Staff(agents=[(a.id, a.team_id) for a in agents], teams=[t.id for t in teams])
    return staff, admin, agents[0]


def queries(plan: Plan, admin: User, agent: User, staff: Staff) -> dict[str, Query]:
    """Every measured query, by the name shown in the report."""
    name = plan.names[len(plan.names) // 2]
    first, _, last = name.partition(" ")
    phone = plan.phones[len(plan.phones) // 3]
    local = "0" + phone[3:]
    persian_digits = local.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    agent_id = staff.agents[1][0]
    return {
        "inbox first page (admin, all)": lambda: list_conversations(user=admin),
        "inbox first page (admin, open)": lambda: list_conversations(user=admin, status="open"),
        "inbox first page (agent, team scope)": lambda: list_conversations(user=agent, status="open,pending"),
        "filter: open + telegram": lambda: list_conversations(user=admin, status="open", channel="telegram"),
        "filter: assignee": lambda: list_conversations(user=admin, assignee_id=agent_id),
        "filter: unassigned open": lambda: list_conversations(user=admin, status="open", unassigned=True),
        "filter: label vip": lambda: list_conversations(user=admin, label="vip"),
        "filter: team, page 5": lambda: list_conversations(user=admin, team_id=staff.teams[0], offset=200),
        "filter: team + open, page 5": lambda: list_conversations(
            user=admin, team_id=staff.teams[0], status="open", offset=200
        ),
        "conversation page (first 50)": lambda: conversation_messages(plan.long_conversation),
        "conversation page (newest 50)": lambda: conversation_messages(plan.long_conversation, newest_first=True),
        "contact search: full name": lambda: search_contacts(name, user=admin),
        "contact search: last name, Arabic ي/ك": lambda: search_contacts(arabic_variant(last), user=admin),
        "contact search: first name only": lambda: search_contacts(first, user=admin),
        "contact search: phone 09…": lambda: search_contacts(local, user=admin),
        "contact search: phone, Persian digits": lambda: search_contacts(persian_digits, user=admin),
        "contact search: phone fragment (7 digits)": lambda: search_contacts(local[-7:], user=admin),
    }


async def time_queries(named: dict[str, Query], repeat: int) -> list[tuple[str, dict[str, float], int]]:
    """Run each query once to warm up, then `repeat` times; p50/p95 and the size of the result."""
    out = []
    for name, query in named.items():
        result = await query()
        size = result[1] if isinstance(result, tuple) else len(result)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            await query()
            samples.append(time.perf_counter() - started)
        out.append((name, percentiles(samples, (50, 95)), size))
    return out


def inbound(rng: random.Random, n: int, known: list[str]) -> list[InboundMessage]:
    """`n` new inbound SMS: half from numbers the database knows, half from new senders."""
    msgs = []
    for i in range(n):
        phone = known[i % len(known)] if i % 2 == 0 and known else mobile(rng)
        first, last = person_name(rng)
        msgs.append(
            InboundMessage(
                channel=Channel.SMS,
                external_id=str(900_000_000 + rng.randrange(10**8)),
                identity_kind=IdentityKind.PHONE,
                identity_value=phone,
                sender_name=f"{first} {last}",
                text=customer_text(rng),
                thread_key=phone,
            )
        )
    return msgs


async def ingest_rate(rng: random.Random, count: int, known: list[str]) -> float:
    """Messages per second through ingest_message, one after another: half from `known` numbers."""
    msgs = inbound(rng, count, known)
    started = time.perf_counter()
    for msg in msgs:
        await ingest_message(msg)
    return len(msgs) / (time.perf_counter() - started)


async def compare_ingest(rng: random.Random, big_url: str, empty_url: str, count: int, known: list[str]) -> tuple:
    """Median ingest rate of the big and the empty database, in alternating rounds (noise hits both).

    The empty database knows no numbers at first: a warm-up (not timed) creates its returning senders,
    so both see the same mix of returning and new senders.
    """
    await init_db(empty_url)
    warm = inbound(rng, 50, [])
    for msg in warm:
        await ingest_message(msg)
    await close_db()
    rates: dict[str, list[float]] = {"big": [], "empty": []}
    for _ in range(3):
        for name, url, senders in (("big", big_url, known), ("empty", empty_url, [m.identity_value for m in warm])):
            await init_db(url, run_migrations=False)
            rates[name].append(await ingest_rate(rng, count // 3, senders))
            await close_db()
    return statistics.median(rates["big"]), statistics.median(rates["empty"])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--ingest", type=int, default=600)
    add_db_args(parser)
    args = parser.parse_args()
    rng = random.Random(5)
    async with bench_database(args) as big, bench_database(args) as empty:
        await init_db(big.url)
        staff, admin, agent = await make_staff()
        plan = await fill(big.url, args.scale, staff)
        sizes = plan.sizes
        rate = sizes.messages / plan.seconds
        print(f"filled {sizes.contacts} contacts, {sizes.conversations} conversations, {sizes.messages} messages "
              f"in {plan.seconds:.0f} s ({rate:.0f} messages/s incl. contacts and conversations)")  # fmt: skip
        # A restart after the load, as a service would have had: init_db refreshes SQLite's planner
        # statistics (PostgreSQL's autovacuum does the same; bulkgen ran ANALYZE there).
        await close_db()
        await init_db(big.url, run_migrations=False)
        results = await time_queries(queries(plan, admin, agent, staff), args.repeat)
        await close_db()
        big_rate, empty_rate = await compare_ingest(rng, big.url, empty.url, args.ingest, plan.phones)
    rows = [("query", "p50", "p95", "rows", "p95 ≤ 50 ms")]
    for name, p, size in results:
        rows.append((name, fmt_ms(p["p50"]), fmt_ms(p["p95"]), str(size), "yes" if p["p95"] <= 0.05 else "NO"))
    print_table(f"scale {args.scale:g} on {args.db}: {args.repeat} runs per query", rows)
    print_table(
        "ingest_message, one after another",
        [
            ("database (median of 3 alternating rounds)", "messages/s", "vs empty"),
            (f"{sizes.messages} messages", f"{big_rate:.0f}", f"{big_rate / empty_rate:.2f}x"),
            ("empty", f"{empty_rate:.0f}", "1.00x"),
        ],
    )


if __name__ == "__main__":
    asyncio.run(main())

"""Exactly once with several processes: the advisory lock, the unique alarm key, and a sweep that dies half-way."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from core.config import Settings
from core.models import Alarm, AlarmDelivery, OutboundMessage
from core.sweeps import sla as sla_sweep
from core.sweeps.lock import lock_id
from core.sweeps.sla import sweep_sla
from core.tx import atomic
from scheduler.runner import run_job
from tests.support.alarms import at, case_opened_at, staffed_team
from tests.support.databases import backend
from tests.support.seed import seed_contact

NOW = at("1405/09/15 13:30")  # a Sunday afternoon; cases opened 09:00 have breached their 240-minute first response


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing in the sweep catches it."""


async def breached(count: int = 1) -> list[int]:
    staff = await staffed_team()
    ids = []
    for n in range(count):
        contact = await seed_contact(f"مشتری {n}", f"0912123450{n}")
        ids.append((await case_opened_at(at("1405/09/15 09:00"), contact=contact, team=staff.team)).id)
    return ids


async def sent_once() -> None:
    """Every delivery has exactly one outbox row and no outbox row is there twice."""
    deliveries = await AlarmDelivery.all()
    rows = await OutboundMessage.filter(kind="alarm")
    assert len(rows) == len(deliveries) == len({(r.recipient, r.payload["alarm_id"]) for r in rows})


async def test_two_sweeps_at_the_same_moment_send_exactly_one_alarm(db: str) -> None:
    await breached()
    settings = Settings(database_url=db, secret_key="s" * 32)
    first, second = await asyncio.gather(run_job("sla", settings, NOW), run_job("sla", settings, NOW))
    assert await Alarm.filter(kind="sla_breach").count() == 1
    assert await AlarmDelivery.all().count() == 2  # the manager and the team lead, once each
    await sent_once()
    assert first.ran or second.ran


async def test_two_overlapping_sweeps_without_the_lock_still_raise_one_alarm_by_its_unique_key(db: str) -> None:
    await breached(3)

    async def in_its_own_transaction() -> dict[str, Any]:
        async with atomic():  # one connection each on PostgreSQL: the two transactions really overlap
            return await sweep_sla(NOW)

    results = await asyncio.gather(in_its_own_transaction(), in_its_own_transaction())
    assert sum(r["alarms"] for r in results) == 3
    assert await Alarm.filter(kind="sla_breach").count() == 3
    await sent_once()


async def test_a_sweep_is_skipped_only_while_another_postgresql_process_holds_its_lock(db: str, db_url: str) -> None:
    await breached()
    settings = Settings(database_url=db, secret_key="s" * 32)
    if backend() == "postgres":
        other = await asyncpg.connect(db_url.replace("postgres://", "postgresql://", 1))
        try:
            async with other.transaction():  # another process, in the middle of its SLA sweep
                assert await other.fetchval("SELECT pg_try_advisory_xact_lock($1)", lock_id("sla"))
                skipped = await run_job("sla", settings, NOW)
            assert not skipped.ran and not await Alarm.exists()
        finally:
            await other.close()
    # SQLite is one process by design: there a sweep always runs (the unique keys keep sends single).
    assert (await run_job("sla", settings, NOW)).ran
    assert await Alarm.filter(kind="sla_breach").count() == 1


async def test_a_sweep_that_dies_half_way_sends_nothing_twice_and_the_next_sweep_finishes_the_job(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = await breached(2)
    settings = Settings(database_url=db, secret_key="s" * 32)
    real = sla_sweep.case_subject

    async def dies_on_the_second(case: Any) -> Any:
        if case.id == second:
            raise ProcessDied
        return await real(case)

    monkeypatch.setattr(sla_sweep, "case_subject", dies_on_the_second)
    with pytest.raises(ProcessDied):
        await run_job("sla", settings, NOW)
    # PostgreSQL rolled the whole sweep back; SQLite kept the first case's alarm, sent once.
    assert await Alarm.filter(object_id=str(second)).count() == 0
    monkeypatch.setattr(sla_sweep, "case_subject", real)
    await run_job("sla", settings, NOW)
    await run_job("sla", settings, NOW)
    assert sorted(await Alarm.all().values_list("object_id", flat=True)) == sorted([str(first), str(second)])
    await sent_once()

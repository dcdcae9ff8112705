"""Events leave only after the outermost transaction commits."""

from __future__ import annotations

import pytest

from core.events import Event, bus
from core.models import Team
from core.tx import atomic


async def test_nested_events_wait_for_the_outer_commit(db: str) -> None:
    seen: list[str] = []
    unsubscribe = bus.subscribe("tx.", lambda e: seen.append(e.name))
    try:
        async with atomic() as outer:
            async with atomic() as inner:
                await Team.create(name="فروش")
                inner.emit("tx.inner")
            assert seen == []  # the savepoint was released, but nothing is committed yet
            outer.emit("tx.outer")
        assert seen == ["tx.inner", "tx.outer"]
    finally:
        unsubscribe()


async def test_a_rolled_back_transaction_announces_nothing(db: str) -> None:
    seen: list[Event] = []
    unsubscribe = bus.subscribe("tx.", seen.append)
    try:
        with pytest.raises(RuntimeError):
            async with atomic() as outer:
                async with atomic() as inner:
                    await Team.create(name="خدمات")
                    inner.emit("tx.inner")
                outer.emit("tx.outer")
                raise RuntimeError("boom")
        assert seen == []
        assert not await Team.exists(name="خدمات")
    finally:
        unsubscribe()

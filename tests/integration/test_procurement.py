"""Purchase orders: numbered, linked to the customer orders they supply, and a stage history that records every move."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from core.actions.orders import cancel_order
from core.actions.procurement import create_purchase_order, link_orders, move_stage, unlink_order
from core.errors import ValidationError
from core.events import Event, bus
from core.models import AuditLog, ImportStage, PurchaseOrder, PurchaseOrderStage, Role, User
from core.queries.customer import imports_of
from tests.support.domain import customer, order_for, product


async def _staff(username: str = "commerce") -> User:
    # Purchase orders are procurement work: warehouse (or a manager) writes them (core/areas.py).
    return await User.create(username=username, full_name="واحد بازرگانی", role=Role.WAREHOUSE)


async def test_a_purchase_order_is_numbered_starts_in_its_first_stage_and_links_its_orders(db: str) -> None:
    split, owner = await product(), await customer()
    order = await order_for(owner, split)
    buyer = await _staff()
    po = await create_purchase_order(
        supplier="Gree Electric", by=buyer, expected_arrival=date(2026, 9, 1), order_ids=[order.id]
    )
    assert re.fullmatch(r"P-14\d\d-00001", po.number)
    assert po.stage == ImportStage.PROFORMA_RECEIVED
    history = await PurchaseOrderStage.filter(purchase_order_id=po.id)
    assert [(h.stage, h.from_stage, h.user_id) for h in history] == [(ImportStage.PROFORMA_RECEIVED, None, buyer.id)]
    assert [link.order_id for link in await po.order_links.all()] == [order.id]  # type: ignore[attr-defined]


async def test_the_stage_history_records_moves_forward_and_back_with_user_time_and_note(db: str) -> None:
    buyer, clerk = await _staff(), await _staff("customs")
    po = await create_purchase_order(supplier="Otis", by=buyer)
    await move_stage(po.id, ImportStage.PROFORMA_APPROVED, by=buyer)
    await move_stage(po.id, "customs_clearance", by=clerk, note="اظهارنامه ثبت شد")
    back = await move_stage(po.id, ImportStage.ARRIVAL_NOTICE, by=clerk, note="کسری مدارک")
    await move_stage(po.id, ImportStage.CUSTOMS_CLEARANCE, by=clerk)
    assert back.stage == ImportStage.ARRIVAL_NOTICE
    history = await PurchaseOrderStage.filter(purchase_order_id=po.id).order_by("entered_at", "id")
    assert [(h.from_stage, h.stage) for h in history] == [
        (None, ImportStage.PROFORMA_RECEIVED),
        (ImportStage.PROFORMA_RECEIVED, ImportStage.PROFORMA_APPROVED),
        (ImportStage.PROFORMA_APPROVED, ImportStage.CUSTOMS_CLEARANCE),
        (ImportStage.CUSTOMS_CLEARANCE, ImportStage.ARRIVAL_NOTICE),
        (ImportStage.ARRIVAL_NOTICE, ImportStage.CUSTOMS_CLEARANCE),
    ]
    assert [h.user_id for h in history[2:]] == [clerk.id] * 3
    assert history[3].note == "کسری مدارک"
    stored = await PurchaseOrder.get(id=po.id)
    assert stored.stage == ImportStage.CUSTOMS_CLEARANCE and stored.stage_entered_at == history[-1].entered_at
    assert await AuditLog.filter(action="purchase_order.stage", object_id=str(po.id)).count() == 4


async def test_moving_a_stage_emits_stage_changed_with_from_to_and_the_linked_orders_after_commit(db: str) -> None:
    split, owner = await product(), await customer()
    order = await order_for(owner, split)
    po = await create_purchase_order(supplier="Carrier", by=None, order_ids=[order.id])
    seen: list[Event] = []
    committed: list[ImportStage] = []

    async def on_stage(event: Event) -> None:
        seen.append(event)
        # Read through a fresh query: the new stage is only visible here once the move has committed.
        committed.append((await PurchaseOrder.get(id=event.data["purchase_order_id"])).stage)

    stop = bus.subscribe("procurement.stage_changed", on_stage)
    try:
        await move_stage(po.id, ImportStage.SHIPPED, by=None)
        with pytest.raises(ValidationError, match="already in stage shipped"):
            await move_stage(po.id, ImportStage.SHIPPED, by=None)
        with pytest.raises(ValidationError, match="unknown stage"):
            await move_stage(po.id, "teleported", by=None)
    finally:
        stop()
    assert len(seen) == 1 and committed == [ImportStage.SHIPPED]
    data = seen[0].data
    assert (data["from"], data["to"], data["order_ids"], data["number"]) == (
        "proforma_received",
        "shipped",
        [order.id],
        po.number,
    )


async def test_a_stage_time_can_be_given_but_not_in_the_future_or_before_the_current_stage(db: str) -> None:
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    po = await create_purchase_order(supplier="LG", by=None, at=start)
    moved = await move_stage(po.id, ImportStage.PROFORMA_APPROVED, by=None, at=start + timedelta(days=2))
    assert moved.stage_entered_at == start + timedelta(days=2)
    with pytest.raises(ValidationError, match="earlier than"):
        await move_stage(po.id, ImportStage.PAYMENT_ORDER, by=None, at=start + timedelta(days=1))
    with pytest.raises(ValidationError, match="future"):
        await move_stage(po.id, ImportStage.PAYMENT_ORDER, by=None, at=datetime.now(UTC) + timedelta(days=1))


async def test_imports_of_shows_each_supplied_order_with_the_persian_stage_since_when_and_the_eta(db: str) -> None:
    split = await product()
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    mine, theirs = await order_for(amir, split), await order_for(leila, split)
    po = await create_purchase_order(
        supplier="Daikin", by=None, expected_arrival=date(2026, 9, 10), order_ids=[mine.id, theirs.id]
    )
    await move_stage(po.id, ImportStage.CUSTOMS_CLEARANCE, by=None)
    statuses = await imports_of(amir.id)
    assert len(statuses) == 1
    status = statuses[0]
    assert (status.order_number, status.purchase_order_number) == (mine.number, po.number)
    assert (status.stage, status.stage_name, status.step) == (ImportStage.CUSTOMS_CLEARANCE, "ترخیص کالا", 9)
    assert status.expected_arrival == date(2026, 9, 10)
    assert status.entered_at == (await PurchaseOrder.get(id=po.id)).stage_entered_at
    await move_stage(po.id, ImportStage.RECEIVED, by=None)
    assert (await imports_of(amir.id))[0].stage_name == "دریافت در انبار"
    await cancel_order(mine.id, by=None)
    assert await imports_of(amir.id) == []


async def test_linking_is_idempotent_and_unlinking_removes_the_order_from_the_customers_imports(db: str) -> None:
    split, owner = await product(), await customer()
    order = await order_for(owner, split)
    po = await create_purchase_order(supplier="Midea", by=None)
    assert await link_orders(po.id, [order.id], by=None) == [order.id]
    assert await link_orders(po.id, [order.id], by=None) == []
    assert len(await imports_of(owner.id)) == 1
    await unlink_order(po.id, order.id, by=None)
    assert await imports_of(owner.id) == []

"""Orders: numbered per Jalali year, status derived from delivered lines, installments and what is outstanding."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.actions.orders import (
    LineInput,
    cancel_order,
    confirm_order,
    create_order,
    record_delivery,
    record_installment_payment,
)
from core.errors import ValidationError
from core.events import Event, bus
from core.models import Installment, InstallmentStatus, Order, OrderLine, OrderStatus
from core.queries.customer import order_detail, order_for_customer, orders_of
from core.status_names import order_status_name
from tests.support.domain import customer, order_for, product


async def test_orders_are_numbered_with_the_prefix_jalali_year_and_a_yearly_counter(db: str) -> None:
    split, owner = await product(), await customer()
    first = await order_for(owner, split)
    second = await order_for(owner, split)
    assert re.fullmatch(r"S-14\d\d-00001", first.number)
    assert second.number == first.number[:-1] + "2"


async def test_a_new_order_is_a_draft_with_lines_priced_from_the_product_and_its_total(db: str) -> None:
    split, owner = await product(price=450_000_000), await customer()
    part = await product(code="FLT", name="فیلتر", price=2_500_000, warranty_months=0)
    order = await create_order(
        contact_id=owner.id,
        lines=[LineInput(split.id, 2), LineInput(part.id, 4, unit_price=2_000_000, description="فیلتر یدکی")],
        by=None,
    )
    assert order.status == OrderStatus.DRAFT
    assert order.total == 2 * 450_000_000 + 4 * 2_000_000
    lines = await OrderLine.filter(order_id=order.id).order_by("id")
    assert [(line.qty, line.unit_price, line.delivered_qty) for line in lines] == [
        (2, 450_000_000, 0),
        (4, 2_000_000, 0),
    ]


async def test_installments_must_add_up_to_the_order_total(db: str) -> None:
    split, owner = await product(price=100), await customer()
    with pytest.raises(ValidationError, match="installments add up to 150 Rials but the order total is 200 Rials"):
        await order_for(owner, split, qty=2, installments=((100, date(2026, 6, 1)), (50, date(2026, 7, 1))))
    assert await Order.all().count() == 0


async def test_confirming_an_order_without_a_plan_creates_one_installment_for_its_total(db: str) -> None:
    split, owner = await product(price=300), await customer()
    draft = await order_for(owner, split, qty=1, confirm=False)
    order = await confirm_order(draft.id, by=None)
    assert order.status == OrderStatus.CONFIRMED and order.confirmed_at is not None
    only = await Installment.get(order_id=order.id)
    assert (only.amount, only.due_date) == (300, date(2026, 5, 1))
    with pytest.raises(ValidationError, match="only a draft can be confirmed"):
        await confirm_order(order.id, by=None)


async def test_delivered_status_is_derived_from_the_lines_being_delivered(db: str) -> None:
    split, owner = await product(), await customer()
    part = await product(code="FLT", name="فیلتر", warranty_months=0)
    order = await create_order(
        contact_id=owner.id, lines=[LineInput(split.id, 2), LineInput(part.id, 3)], by=None, confirm=True
    )
    first, second = await OrderLine.filter(order_id=order.id).order_by("id")
    events: list[Event] = []
    stop = bus.subscribe("order.", events.append)
    try:
        partly = await record_delivery(order.id, {first.id: 2, second.id: 1}, by=None)
        assert partly.status == OrderStatus.IN_PROGRESS and partly.delivered_at is None
        with pytest.raises(ValidationError, match="only 2 left to deliver, not 3"):
            await record_delivery(order.id, {second.id: 3}, by=None)
        done = await record_delivery(order.id, {second.id: 2}, by=None)
    finally:
        stop()
    assert done.status == OrderStatus.DELIVERED and done.delivered_at is not None
    assert order_status_name(done.status) == "تحویل‌شده"
    assert [e.name for e in events].count("order.delivered") == 1
    assert (await Order.get(id=order.id)).status == OrderStatus.DELIVERED


async def test_a_draft_takes_no_deliveries_and_a_cancelled_order_shows_no_outstanding_installments(db: str) -> None:
    split, owner = await product(price=100), await customer()
    draft = await order_for(owner, split, qty=1, confirm=False)
    line = await OrderLine.get(order_id=draft.id)
    with pytest.raises(ValidationError, match="deliveries need a confirmed order"):
        await record_delivery(draft.id, {line.id: 1}, by=None)
    order = await confirm_order(draft.id, by=None)
    cancelled = await cancel_order(order.id, by=None, reason="انصراف مشتری")
    assert cancelled.status == OrderStatus.CANCELLED
    assert (await order_detail(cancelled)).outstanding == []


async def test_outstanding_installments_shrink_with_payments_and_turn_paid_or_overdue(db: str) -> None:
    split, owner = await product(price=1_000), await customer()
    order = await order_for(owner, split, qty=3, installments=((1_000, date(2026, 5, 1)), (2_000, date(2026, 8, 1))))
    first, second = await Installment.filter(order_id=order.id).order_by("due_date")
    assert first.status(date(2026, 5, 2)) == InstallmentStatus.OVERDUE
    assert second.status(date(2026, 5, 2)) == InstallmentStatus.DUE
    await record_installment_payment(first.id, 1_000, by=None)
    await record_installment_payment(second.id, 500, by=None)
    with pytest.raises(ValidationError, match="only 1500 Rials are outstanding"):
        await record_installment_payment(second.id, 2_000, by=None)
    detail = await order_detail(order)
    assert [(i.id, i.outstanding, i.due_date) for i in detail.outstanding] == [(second.id, 1_500, date(2026, 8, 1))]
    assert detail.outstanding_total == 1_500
    paid = await Installment.get(id=first.id)
    assert paid.status(date(2027, 1, 1)) == InstallmentStatus.PAID and paid.paid_at is not None
    assert [line.product.name for line in detail.lines] == [split.name]


async def test_a_customer_cannot_fetch_another_customers_order_by_number(db: str) -> None:
    split = await product()
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    mine = await order_for(amir, split)
    theirs = await order_for(leila, split)
    found = await order_for_customer(amir.id, mine.number)
    assert found is not None and found.id == mine.id
    year, count = mine.number.split("-")[1:]
    persian = f"{year}-{int(count)}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert (await order_for_customer(amir.id, persian)).id == mine.id  # type: ignore[union-attr]
    assert await order_for_customer(amir.id, theirs.number) is None
    assert await order_for_customer(amir.id, "'; DROP TABLE sales_order; --") is None
    assert await order_for_customer(amir.id, theirs.number.replace("S-", "P-")) is None


async def test_orders_of_lists_the_customers_confirmed_orders_newest_first_without_drafts(db: str) -> None:
    split = await product()
    amir, leila = await customer(), await customer("لیلا احمدی", "09129876543")
    old = await order_for(amir, split)
    new = await order_for(amir, split)
    await order_for(amir, split, confirm=False)
    await order_for(leila, split)
    assert [o.id for o in await orders_of(amir.id)] == [new.id, old.id]
    assert [o.id for o in await orders_of(amir.id, limit=1)] == [new.id]

"""Order actions: create with lines and installments, confirm, cancel, record deliveries and payments (SAL-4, COL-1).

The order status is never set by hand: every change of lines or confirmation re-derives it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.jalali import local_date
from core.models import Contact, Installment, Order, OrderLine, OrderStatus, PaymentMethod, Product, User
from core.models.orders import derive_order_status
from core.money import MAX_RIALS
from core.sequences import next_yearly_number
from core.tx import Outcome, atomic

ORDER_PREFIX = "S"
MAX_LINES = 200
MAX_QTY = 1_000_000
OPEN_STATES = (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS)


@dataclass(frozen=True)
class LineInput:
    """One line of a new order; unit_price defaults to the product's price."""

    product_id: int
    qty: int
    unit_price: int | None = None
    description: str = ""


@dataclass(frozen=True)
class InstallmentInput:
    """One payment obligation of a new order."""

    amount: int
    due_date: date
    method: PaymentMethod | str = PaymentMethod.TRANSFER
    note: str = ""


def _positive(value: int, field: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValidationError(f"{field} must be a whole number from 1 to {high}")
    return value


async def _contact(contact_id: int) -> Contact:
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    if contact.merged_into_id is not None:
        raise ValidationError(f"contact {contact_id} was merged into {contact.merged_into_id}; use that one")
    return contact


async def _line_rows(lines: Sequence[LineInput]) -> list[tuple[Product, LineInput, int]]:
    if not lines:
        raise ValidationError("an order needs at least one line")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"an order has at most {MAX_LINES} lines")
    products = {p.id: p for p in await Product.filter(id__in={line.product_id for line in lines})}
    rows = []
    for i, line in enumerate(lines, start=1):
        product = products.get(line.product_id)
        if product is None:
            raise ValidationError(f"line {i}: product {line.product_id} not found")
        _positive(line.qty, f"line {i}: qty", MAX_QTY)
        price = product.price if line.unit_price is None else line.unit_price
        if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price < MAX_RIALS:
            raise ValidationError(f"line {i}: unit_price must be a whole number of Rials")
        rows.append((product, line, price))
    return rows


def _check_installments(installments: Sequence[InstallmentInput], total: int) -> None:
    for i, inst in enumerate(installments, start=1):
        _positive(inst.amount, f"installment {i}: amount", MAX_RIALS)
        PaymentMethod(inst.method)
    planned = sum(inst.amount for inst in installments)
    if installments and planned != total:
        raise ValidationError(f"installments add up to {planned} Rials but the order total is {total} Rials")


async def create_order(
    *,
    contact_id: int,
    lines: Sequence[LineInput],
    by: User | None,
    installments: Sequence[InstallmentInput] = (),
    order_date: date | None = None,
    expected_delivery: date | None = None,
    account_id: int | None = None,
    notes: str = "",
    external_ref: str | None = None,
    confirm: bool = False,
) -> Order:
    """Create a draft order (number S-1405-00017) with lines and installments; `confirm=True` confirms it too."""
    require_write(by, Area.ORDERS)
    rows = await _line_rows(lines)
    total = sum(line.qty * price for _, line, price in rows)
    _check_installments(installments, total)
    ref = (external_ref or "").strip()[:100] or None
    async with atomic() as out:
        contact = await _contact(contact_id)
        if ref and (dup := await Order.get_or_none(external_ref=ref)):
            raise ValidationError(f"external_ref {ref} was already imported as order {dup.number}")
        day = order_date or local_date(datetime.now(UTC))
        try:
            order = await Order.create(
                number=await next_yearly_number(ORDER_PREFIX, "order"),
                contact=contact,
                account_id=account_id if account_id is not None else contact.account_id,
                order_date=day,
                expected_delivery=expected_delivery,
                total=total,
                notes=notes.strip(),
                external_ref=ref,
                created_by=by,
            )
        except IntegrityError:
            raise ValidationError(f"external_ref {ref} was already imported") from None
        for product, line, price in rows:
            description = " ".join(line.description.split())[:300]
            await OrderLine.create(
                order=order, product=product, qty=line.qty, unit_price=price, description=description
            )
        for inst in installments:
            await Installment.create(
                order=order,
                amount=inst.amount,
                due_date=inst.due_date,
                method=PaymentMethod(inst.method),
                note=inst.note.strip()[:300],
            )
        await record(by, "order.create", order, number=order.number, contact_id=contact.id, total=total)
        out.emit("order.created", order_id=order.id, number=order.number, contact_id=contact.id)
        if confirm:
            await _confirm(order, by, out)
    return order


async def _locked(order_id: int) -> Order:
    order = await Order.filter(id=order_id).select_for_update().first()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order


async def _derive(order: Order) -> OrderStatus:
    lines = await OrderLine.filter(order_id=order.id).values_list("qty", "delivered_qty")
    return derive_order_status(
        confirmed=order.confirmed_at is not None,
        cancelled=order.cancelled_at is not None,
        lines=[(int(q), int(d)) for q, d in lines],
    )


async def _confirm(order: Order, by: User | None, out: Outcome) -> None:
    if order.status != OrderStatus.DRAFT:
        raise ValidationError(f"order {order.number} is {order.status.value}; only a draft can be confirmed")
    order.confirmed_at = datetime.now(UTC)
    # COL-1: a confirmed order always carries its payment obligations.
    if not await Installment.exists(order_id=order.id):
        due = order.expected_delivery or order.order_date
        await Installment.create(order=order, amount=order.total, due_date=due, method=PaymentMethod.TRANSFER)
    order.status = await _derive(order)
    await order.save()
    await record(by, "order.confirm", order, number=order.number)
    out.emit("order.confirmed", order_id=order.id, number=order.number, contact_id=order.contact_id)


async def confirm_order(order_id: int, *, by: User | None) -> Order:
    """Confirm a draft; an order without installments gets one for its total, due on delivery or order day."""
    require_write(by, Area.ORDERS)
    async with atomic() as out:
        order = await _locked(order_id)
        await _confirm(order, by, out)
    return order


async def cancel_order(order_id: int, *, by: User | None, reason: str = "") -> Order:
    """Cancel an order that was not fully delivered."""
    require_write(by, Area.ORDERS)
    async with atomic() as out:
        order = await _locked(order_id)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.DELIVERED):
            raise ValidationError(f"order {order.number} is {order.status.value} and cannot be cancelled")
        order.cancelled_at = datetime.now(UTC)
        order.status = await _derive(order)
        await order.save()
        await record(by, "order.cancel", order, number=order.number, reason=reason.strip())
        out.emit("order.cancelled", order_id=order.id, number=order.number)
    return order


async def record_delivery(
    order_id: int, deliveries: Mapping[int, int], *, by: User | None, at: datetime | None = None
) -> Order:
    """Record units delivered per line id; the status (in progress, delivered) follows from the lines."""
    require_write(by, Area.STOCK)
    if not deliveries:
        raise ValidationError("no lines to deliver")
    async with atomic() as out:
        order = await _locked(order_id)
        if order.status not in OPEN_STATES:
            raise ValidationError(f"order {order.number} is {order.status.value}; deliveries need a confirmed order")
        lines = {line.id: line for line in await OrderLine.filter(order_id=order.id)}
        for line_id, qty in deliveries.items():
            line = lines.get(line_id)
            if line is None:
                raise ValidationError(f"line {line_id} is not a line of order {order.number}")
            _positive(qty, f"line {line_id}: delivered qty", MAX_QTY)
            if qty > line.remaining:
                raise ValidationError(f"line {line_id}: only {line.remaining} left to deliver, not {qty}")
            line.delivered_qty += qty
            await line.save(update_fields=["delivered_qty"])
        before, order.status = order.status, await _derive(order)
        if order.status == OrderStatus.DELIVERED:
            order.delivered_at = at or datetime.now(UTC)
        await order.save()
        await record(by, "order.deliver", order, lines={str(k): v for k, v in deliveries.items()})
        out.emit("order.delivery_recorded", order_id=order.id, number=order.number, status=order.status.value)
        if order.status != before and order.status == OrderStatus.DELIVERED:
            out.emit("order.delivered", order_id=order.id, number=order.number, contact_id=order.contact_id)
    return order


async def record_installment_payment(
    installment_id: int, amount: int, *, by: User | None, at: datetime | None = None
) -> Installment:
    """Add a payment to an installment (no more than what is outstanding); fully paid stamps paid_at."""
    require_write(by, Area.COLLECTIONS)
    _positive(amount, "amount", MAX_RIALS)
    async with atomic() as out:
        inst = await Installment.filter(id=installment_id).select_for_update().first()
        if inst is None:
            raise NotFound(f"installment {installment_id} not found")
        order = await Order.get(id=inst.order_id)
        if order.status in (OrderStatus.DRAFT, OrderStatus.CANCELLED):
            raise ValidationError(f"order {order.number} is {order.status.value}; payments need a confirmed order")
        if amount > inst.outstanding:
            raise ValidationError(f"only {inst.outstanding} Rials are outstanding on installment {inst.id}")
        inst.paid_amount += amount
        if inst.outstanding == 0:
            inst.paid_at = at or datetime.now(UTC)
        await inst.save(update_fields=["paid_amount", "paid_at"])
        await record(by, "installment.pay", inst, amount=amount, order_id=order.id)
        out.emit(
            "installment.paid", installment_id=inst.id, order_id=order.id, amount=amount, settled=inst.outstanding == 0
        )
    return inst

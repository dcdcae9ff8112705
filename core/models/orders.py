"""Customer orders (سفارش) with their lines and installments (SAL-4, COL-1).

The order status is derived, never typed in: draft until confirmed, then in progress once
something was delivered and delivered when every line was; cancelling is a separate fact.
An installment's status (due, paid, overdue) follows from its amounts and the day asked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"
    CHEQUE = "cheque"


class InstallmentStatus(StrEnum):
    DUE = "due"
    PAID = "paid"
    OVERDUE = "overdue"


def derive_order_status(*, confirmed: bool, cancelled: bool, lines: Iterable[tuple[int, int]]) -> OrderStatus:
    """The status that follows from the facts: (ordered, delivered) quantity per line."""
    if cancelled:
        return OrderStatus.CANCELLED
    if not confirmed:
        return OrderStatus.DRAFT
    pairs = list(lines)
    if pairs and all(delivered >= qty for qty, delivered in pairs):
        return OrderStatus.DELIVERED
    if any(delivered > 0 for _, delivered in pairs):
        return OrderStatus.IN_PROGRESS
    return OrderStatus.CONFIRMED


def installment_status(amount: int, paid: int, due: date, today: date) -> InstallmentStatus:
    """Paid when fully paid; overdue after its due day while money is outstanding; due otherwise."""
    if paid >= amount:
        return InstallmentStatus.PAID
    return InstallmentStatus.OVERDUE if today > due else InstallmentStatus.DUE


class Order(Model):
    """A customer order numbered like S-1405-00017, its status kept in step with its lines by the actions."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20, unique=True)
    contact: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contact", related_name="orders", on_delete=fields.RESTRICT
    )
    contact_id: int
    account: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Account", related_name="orders", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    status = fields.CharEnumField(OrderStatus, max_length=12, default=OrderStatus.DRAFT, db_index=True)
    order_date = fields.DateField()
    expected_delivery = fields.DateField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    total = fields.BigIntField(default=0)
    # The id the order has in the system that sent it (web shop, accounting): a repeat is refused.
    external_ref = fields.CharField(max_length=100, null=True, unique=True)
    notes = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="created_orders", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sales_order"
        indexes = (("contact_id", "order_date"),)


class OrderLine(Model):
    """One product on an order: quantity, unit price in Rials and how many were delivered."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE
    )
    order_id: int
    product: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Product", related_name="order_lines", on_delete=fields.RESTRICT
    )
    product_id: int
    description = fields.CharField(max_length=300, default="")
    qty = fields.IntField()
    unit_price = fields.BigIntField()
    delivered_qty = fields.IntField(default=0)

    class Meta:
        table = "order_line"
        ordering = ["id"]

    @property
    def amount(self) -> int:
        """qty × unit price, in Rials."""
        return self.qty * self.unit_price

    @property
    def remaining(self) -> int:
        """Units still to deliver."""
        return max(self.qty - self.delivered_qty, 0)


class Installment(Model):
    """A payment obligation of a confirmed order (قسط): amount, due date and method."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="installments", on_delete=fields.CASCADE
    )
    order_id: int
    amount = fields.BigIntField()
    due_date = fields.DateField(db_index=True)
    method = fields.CharEnumField(PaymentMethod, max_length=10, default=PaymentMethod.TRANSFER)
    paid_amount = fields.BigIntField(default=0)
    paid_at = fields.DatetimeField(null=True)
    note = fields.CharField(max_length=300, default="")

    class Meta:
        table = "installment"
        ordering = ["due_date", "id"]

    @property
    def outstanding(self) -> int:
        """Rials still to pay."""
        return max(self.amount - self.paid_amount, 0)

    def status(self, today: date) -> InstallmentStatus:
        """due, paid or overdue on `today`."""
        return installment_status(self.amount, self.paid_amount, self.due_date, today)

"""What the customer bot reads, always scoped to one contact: devices, orders, imports, cases, surveys.

Every function takes the contact id the conversation is linked to and never returns another
customer's records, whatever number or serial was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.models import (
    Case,
    CaseStatus,
    Device,
    ImportStage,
    Installment,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    PurchaseOrderLink,
    Response,
    Survey,
    SurveyStatus,
)
from core.sequences import parse_yearly_number
from core.serials import try_normalize_serial
from core.status_names import stage_name
from core.text import normalize_search

ORDER_PREFIX = "S"
# A draft is still being put together by sales; the customer sees orders from confirmation on.
HIDDEN_ORDER_STATES = (OrderStatus.DRAFT,)


@dataclass(frozen=True)
class OrderDetail:
    """An order with its lines (product fetched), every installment, and what is still to pay."""

    order: Order
    lines: list[OrderLine]
    installments: list[Installment]
    outstanding: list[Installment]

    @property
    def outstanding_total(self) -> int:
        return sum(i.outstanding for i in self.outstanding)

    @property
    def delivered(self) -> bool:
        return self.order.status == OrderStatus.DELIVERED


@dataclass(frozen=True)
class ImportStatus:
    """Where the import supplying one of the customer's orders stands (PRC-7)."""

    order_id: int
    order_number: str
    purchase_order_id: int
    purchase_order_number: str
    stage: ImportStage
    stage_name: str
    step: int
    entered_at: datetime
    expected_arrival: date | None


async def devices_of(contact_id: int) -> list[Device]:
    """The contact's devices, newest first, with their product."""
    return list(await Device.filter(owner_id=contact_id).select_related("product").order_by("-id"))


async def device_by_serial(serial_any_digits: str, contact_id: int | None = None) -> Device | None:
    """The device with this serial typed any way (Persian digits, dashes, spaces); only the contact's own if given."""
    key = try_normalize_serial(serial_any_digits)
    if key is None:
        return None
    query = Device.filter(serial=key)
    if contact_id is not None:
        query = query.filter(owner_id=contact_id)
    return await query.select_related("product").first()


def _customer_orders(contact_id: int) -> QuerySet[Order]:
    return Order.filter(contact_id=contact_id).exclude(status__in=HIDDEN_ORDER_STATES)


async def orders_of(contact_id: int, limit: int = 5) -> list[Order]:
    """The contact's most recent orders (drafts excluded), newest first."""
    rows = await _customer_orders(contact_id).order_by("-order_date", "-id").limit(max(1, min(limit, 50)))
    return list(rows)


async def order_for_customer(contact_id: int, number: str) -> Order | None:
    """The contact's order with the typed number (S-1405-00017, ۱۴۰۵-۱۷, …); None for anyone else's."""
    canonical = parse_yearly_number(number, ORDER_PREFIX)
    if canonical is None:
        return None
    return await _customer_orders(contact_id).filter(number=canonical).first()


async def order_detail(order: Order) -> OrderDetail:
    """Lines with products, delivery, and the installments still outstanding with amount and due date."""
    lines = list(await OrderLine.filter(order_id=order.id).select_related("product").order_by("id"))
    installments = list(await Installment.filter(order_id=order.id).order_by("due_date", "id"))
    cancelled = order.status == OrderStatus.CANCELLED
    outstanding = [] if cancelled else [i for i in installments if i.outstanding > 0]
    return OrderDetail(order=order, lines=lines, installments=installments, outstanding=outstanding)


async def imports_of(contact_id: int) -> list[ImportStatus]:
    """For each of the contact's orders supplied by a purchase order: its stage in Persian, since when, and the ETA."""
    links = await (
        PurchaseOrderLink.filter(order__contact_id=contact_id)
        .exclude(order__status__in=(*HIDDEN_ORDER_STATES, OrderStatus.CANCELLED))
        .select_related("order", "purchase_order")
        .order_by("-order__order_date", "-order_id", "purchase_order_id")
    )
    return [
        ImportStatus(
            order_id=link.order.id,
            order_number=link.order.number,
            purchase_order_id=link.purchase_order.id,
            purchase_order_number=link.purchase_order.number,
            stage=link.purchase_order.stage,
            stage_name=stage_name(link.purchase_order.stage),
            step=link.purchase_order.stage.step,
            entered_at=link.purchase_order.stage_entered_at,
            expected_arrival=link.purchase_order.expected_arrival,
        )
        for link in links
    ]


async def cases_of(contact_id: int, open_only: bool = True) -> list[Case]:
    """The contact's cases, newest first, with device and order; `open_only` drops closed ones.

    Resolved cases stay in the open list: the customer is asked whether the problem was fixed.
    """
    query = Case.filter(contact_id=contact_id)
    if open_only:
        query = query.exclude(status=CaseStatus.CLOSED)
    return list(await query.select_related("device", "order").order_by("-created_at", "-id").limit(50))


async def published_survey(survey_id: int) -> Survey | None:
    """The survey if it is published (taking answers), with its questions and their options in order."""
    survey = await Survey.get_or_none(id=survey_id, status=SurveyStatus.PUBLISHED)
    if survey is not None:
        await survey.fetch_related("questions", "questions__options", "questions__triggers")
    return survey


async def response_of(survey_id: int, contact_id: int) -> Response | None:
    """The contact's response to a survey (finished or not), or None."""
    return await Response.get_or_none(survey_id=survey_id, contact_id=contact_id)


async def products_for_inquiry(text: str = "", *, category: str | None = None, limit: int = 10) -> list[Product]:
    """Active products whose name, code or category has every typed word (for price inquiries, BOT-8)."""
    query = Product.filter(active=True)
    words = [w for w in normalize_search(text).split(" ") if w][:8]
    if words:
        query = query.filter(Q(*[Q(name_search__contains=w) for w in words]))
    if category:
        query = query.filter(category=category)
    return list(await query.order_by("name", "id").limit(max(1, min(limit, 50))))


async def product_categories() -> list[str]:
    """The categories of active products, in alphabetical order."""
    query = Product.filter(active=True).exclude(category="").order_by("category").distinct()
    rows = await query.values_list("category", flat=True)
    return sorted({str(c) for c in rows})

"""Bot-domain models to the JSON shapes of domain_schemas.py, and the date parsing of request bodies."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from admin.api.serializers import iso
from core.errors import ValidationError
from core.jalali import local_date, parse_jalali_date
from core.models import (
    Answer,
    AnswerChoice,
    Device,
    Installment,
    Order,
    OrderLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLink,
    PurchaseOrderStage,
    QuestionTrigger,
    Response,
    Survey,
)
from core.status_names import stage_name
from core.text import to_ascii_digits

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_day(text: str, field: str) -> date:
    """A date from an ISO day (2026-05-01) or a Jalali one (1405/02/11); a year below 1700 is Jalali."""
    raw = to_ascii_digits(text.strip())
    match = _ISO_DAY.match(raw)
    try:
        if match and int(match.group(1)) >= 1700:
            return date.fromisoformat(raw)
        return parse_jalali_date(raw)
    except (ValueError, ValidationError) as exc:
        raise ValidationError(f"{field}: {exc}") from None


def optional_day(body: dict[str, Any], field: str) -> date | None:
    """The parsed date in `body[field]`, or None when absent or null."""
    value = body.get(field)
    return None if value is None else parse_day(value, field)


def today() -> date:
    """The business day in Tehran (warranty and installment status are as of today)."""
    return local_date(datetime.now(UTC))


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def product(row: Product) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name,
        "category": row.category,
        "unit": row.unit,
        "warranty_months": row.warranty_months,
        "price": row.price,
        "active": row.active,
        "created_at": iso(row.created_at),
    }


def device(row: Device) -> dict[str, Any]:
    return {
        "id": row.id,
        "serial": row.serial,
        "serial_display": row.serial_display,
        "product_id": row.product_id,
        "owner_id": row.owner_id,
        "account_id": row.account_id,
        "order_line_id": row.order_line_id,
        "sold_at": _day(row.sold_at),
        "installed_at": _day(row.installed_at),
        "warranty_ends_at": _day(row.warranty_ends_at),
        "warranty": row.warranty_status(today()).state.value,
        "location": row.location,
        "created_at": iso(row.created_at),
    }


def installment(row: Installment) -> dict[str, Any]:
    return {
        "id": row.id,
        "order_id": row.order_id,
        "amount": row.amount,
        "due_date": row.due_date.isoformat(),
        "method": row.method.value,
        "paid_amount": row.paid_amount,
        "outstanding": row.outstanding,
        "status": row.status(today()).value,
        "paid_at": iso(row.paid_at),
        "note": row.note,
    }


def _line(row: OrderLine) -> dict[str, Any]:
    return {
        "id": row.id,
        "product_id": row.product_id,
        "description": row.description,
        "qty": row.qty,
        "unit_price": row.unit_price,
        "amount": row.amount,
        "delivered_qty": row.delivered_qty,
    }


async def orders(rows: list[Order]) -> list[dict[str, Any]]:
    """Orders with lines, installments and the purchase orders supplying them (three queries per page)."""
    ids = [o.id for o in rows]
    lines: dict[int, list[OrderLine]] = {i: [] for i in ids}
    for line in await OrderLine.filter(order_id__in=ids).order_by("id"):
        lines[line.order_id].append(line)
    plans: dict[int, list[Installment]] = {i: [] for i in ids}
    for inst in await Installment.filter(order_id__in=ids).order_by("due_date", "id"):
        plans[inst.order_id].append(inst)
    supply: dict[int, list[int]] = {i: [] for i in ids}
    for order_id, po_id in (
        await PurchaseOrderLink.filter(order_id__in=ids)
        .order_by("purchase_order_id")
        .values_list("order_id", "purchase_order_id")
    ):
        supply[order_id].append(po_id)
    return [
        {
            "id": o.id,
            "number": o.number,
            "contact_id": o.contact_id,
            "account_id": o.account_id,
            "status": o.status.value,
            "order_date": o.order_date.isoformat(),
            "expected_delivery": _day(o.expected_delivery),
            "confirmed_at": iso(o.confirmed_at),
            "cancelled_at": iso(o.cancelled_at),
            "delivered_at": iso(o.delivered_at),
            "total": o.total,
            "external_ref": o.external_ref,
            "notes": o.notes,
            "created_at": iso(o.created_at),
            "lines": [_line(line) for line in lines[o.id]],
            "installments": [installment(i) for i in plans[o.id]],
            "purchase_order_ids": supply[o.id],
        }
        for o in rows
    ]


async def purchase_order(row: PurchaseOrder) -> dict[str, Any]:
    """A purchase order with its linked orders and whole stage history."""
    history = await PurchaseOrderStage.filter(purchase_order_id=row.id).order_by("entered_at", "id")
    order_ids = (
        await PurchaseOrderLink.filter(purchase_order_id=row.id).order_by("order_id").values_list("order_id", flat=True)
    )
    return {
        "id": row.id,
        "number": row.number,
        "supplier": row.supplier,
        "expected_arrival": _day(row.expected_arrival),
        "stage": row.stage.value,
        "stage_name": stage_name(row.stage),
        "stage_entered_at": iso(row.stage_entered_at),
        "external_ref": row.external_ref,
        "order_ids": list(order_ids),
        "history": [
            {
                "stage": h.stage.value,
                "from_stage": h.from_stage.value if h.from_stage else None,
                "entered_at": iso(h.entered_at),
                "user_id": h.user_id,
                "note": h.note,
            }
            for h in history
        ],
        "created_at": iso(row.created_at),
    }


async def survey(row: Survey) -> dict[str, Any]:
    """A survey with its questions in order, their options and triggering options."""
    await row.fetch_related("questions", "questions__options")
    ids = [q.id for q in row.questions]
    triggers: dict[int, list[int]] = {i: [] for i in ids}
    pairs = (
        await QuestionTrigger.filter(question_id__in=ids).order_by("option_id").values_list("question_id", "option_id")
    )
    for question_id, option_id in pairs:
        triggers[question_id].append(option_id)
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "thank_you": row.thank_you,
        "status": row.status.value,
        "published_at": iso(row.published_at),
        "closed_at": iso(row.closed_at),
        "created_at": iso(row.created_at),
        "questions": [
            {
                "id": q.id,
                "position": q.position,
                "kind": q.kind.value,
                "text": q.text,
                "required": q.required,
                "options": [{"id": o.id, "position": o.position, "text": o.text} for o in q.options],
                "trigger_option_ids": triggers[q.id],
            }
            for q in row.questions
        ],
    }


async def responses(rows: list[Response]) -> list[dict[str, Any]]:
    """Responses with their answers and chosen options."""
    ids = [r.id for r in rows]
    answers: dict[int, list[Answer]] = {i: [] for i in ids}
    for answer in await Answer.filter(response_id__in=ids).select_related("question").order_by("question__position"):
        answers[answer.response_id].append(answer)
    chosen: dict[int, list[int]] = {}
    picks = (
        await AnswerChoice.filter(answer__response_id__in=ids)
        .order_by("option_id")
        .values_list("answer_id", "option_id")
    )
    for answer_id, option_id in picks:
        chosen.setdefault(answer_id, []).append(option_id)
    return [
        {
            "id": r.id,
            "survey_id": r.survey_id,
            "contact_id": r.contact_id,
            "channel": r.channel.value,
            "identity": r.identity,
            "ip": r.ip,
            "started_at": iso(r.started_at),
            "completed_at": iso(r.completed_at),
            "answers": [
                {
                    "question_id": a.question_id,
                    "option_ids": chosen.get(a.id, []),
                    "number": a.number,
                    "text": a.text,
                }
                for a in answers[r.id]
            ],
        }
        for r in rows
    ]

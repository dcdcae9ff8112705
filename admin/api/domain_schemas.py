"""JSON schemas of the bot-domain resources: products, devices, orders, purchase orders, surveys, responses."""

from __future__ import annotations

from admin.api.schema import Schema
from admin.api.schemas import ID, OPT_ID, OPT_TIME, TEXT, TIME, enum, obj, ref
from core.models import Channel, ImportStage, InstallmentStatus, OrderStatus, PaymentMethod, QuestionKind, SurveyStatus
from core.money import MAX_RIALS
from core.warranty import WarrantyState

DAY: Schema = {"type": "string", "format": "date", "description": "Gregorian date, YYYY-MM-DD"}
OPT_DAY: Schema = {"type": ["string", "null"], "format": "date"}
RIALS: Schema = {"type": "integer", "minimum": 0, "description": "Rials"}
COUNT: Schema = {"type": "integer", "minimum": 0}
IDS: Schema = {"type": "array", "items": ID}

PRODUCT = obj(
    {
        "id": ID,
        "code": TEXT,
        "name": TEXT,
        "category": TEXT,
        "unit": TEXT,
        "warranty_months": COUNT,
        "price": RIALS,
        "active": {"type": "boolean"},
        "created_at": TIME,
    }
)
DEVICE = obj(
    {
        "id": ID,
        "serial": {"type": "string", "description": "normalized: ASCII digits, upper case, no spaces or dashes"},
        "serial_display": TEXT,
        "product_id": ID,
        "owner_id": ID,
        "account_id": OPT_ID,
        "order_line_id": OPT_ID,
        "sold_at": OPT_DAY,
        "installed_at": OPT_DAY,
        "warranty_ends_at": {**OPT_DAY, "description": "last day of warranty (inclusive)"},
        "warranty": {**enum(WarrantyState), "description": "warranty state today (Tehran)"},
        "location": TEXT,
        "created_at": TIME,
    }
)
ORDER_LINE = obj(
    {
        "id": ID,
        "product_id": ID,
        "description": TEXT,
        "qty": COUNT,
        "unit_price": RIALS,
        "amount": RIALS,
        "delivered_qty": COUNT,
    }
)
INSTALLMENT = obj(
    {
        "id": ID,
        "order_id": ID,
        "amount": RIALS,
        "due_date": DAY,
        "method": enum(PaymentMethod),
        "paid_amount": RIALS,
        "outstanding": RIALS,
        "status": {**enum(InstallmentStatus), "description": "derived: paid, or overdue after the due date"},
        "paid_at": OPT_TIME,
        "note": TEXT,
    }
)
ORDER = obj(
    {
        "id": ID,
        "number": {"type": "string", "description": "S-1405-00017"},
        "contact_id": ID,
        "account_id": OPT_ID,
        "status": {**enum(OrderStatus), "description": "derived from confirmation and delivered lines"},
        "order_date": DAY,
        "expected_delivery": OPT_DAY,
        "confirmed_at": OPT_TIME,
        "cancelled_at": OPT_TIME,
        "delivered_at": OPT_TIME,
        "total": RIALS,
        "external_ref": {"type": ["string", "null"]},
        "notes": TEXT,
        "created_at": TIME,
        "lines": {"type": "array", "items": ref("OrderLine")},
        "installments": {"type": "array", "items": ref("Installment")},
        "purchase_order_ids": IDS,
    }
)
STAGE = {**enum(ImportStage), "description": "PRC-3 import stage, in route order"}
STAGE_ENTRY = obj(
    {
        "stage": STAGE,
        "from_stage": {"type": ["string", "null"]},
        "entered_at": TIME,
        "user_id": OPT_ID,
        "note": TEXT,
    }
)
PURCHASE_ORDER = obj(
    {
        "id": ID,
        "number": {"type": "string", "description": "P-1405-00003"},
        "supplier": TEXT,
        "expected_arrival": OPT_DAY,
        "stage": STAGE,
        "stage_name": {"type": "string", "description": "the stage in Persian, as customers read it"},
        "stage_entered_at": TIME,
        "external_ref": {"type": ["string", "null"]},
        "order_ids": IDS,
        "history": {"type": "array", "items": ref("StageEntry")},
        "created_at": TIME,
    }
)
OPTION = obj({"id": ID, "position": COUNT, "text": TEXT})
QUESTION = obj(
    {
        "id": ID,
        "position": COUNT,
        "kind": enum(QuestionKind),
        "text": TEXT,
        "required": {"type": "boolean"},
        "options": {"type": "array", "items": ref("SurveyOption")},
        "trigger_option_ids": {**IDS, "description": "shown only when any of these options was chosen earlier"},
    }
)
SURVEY = obj(
    {
        "id": ID,
        "title": TEXT,
        "description": TEXT,
        "thank_you": TEXT,
        "status": enum(SurveyStatus),
        "published_at": OPT_TIME,
        "closed_at": OPT_TIME,
        "created_at": TIME,
        "questions": {"type": "array", "items": ref("SurveyQuestion")},
    }
)
ANSWER = obj(
    {
        "question_id": ID,
        "option_ids": IDS,
        "number": {"type": ["integer", "null"]},
        "text": TEXT,
    }
)
RESPONSE = obj(
    {
        "id": ID,
        "survey_id": ID,
        "contact_id": ID,
        "channel": enum(Channel),
        "identity": TEXT,
        "ip": {"type": ["string", "null"]},
        "started_at": TIME,
        "completed_at": OPT_TIME,
        "answers": {"type": "array", "items": ref("SurveyAnswer")},
    }
)

COMPONENTS: dict[str, Schema] = {
    "Product": PRODUCT,
    "Device": DEVICE,
    "OrderLine": ORDER_LINE,
    "Installment": INSTALLMENT,
    "Order": ORDER,
    "StageEntry": STAGE_ENTRY,
    "PurchaseOrder": PURCHASE_ORDER,
    "SurveyOption": OPTION,
    "SurveyQuestion": QUESTION,
    "Survey": SURVEY,
    "SurveyAnswer": ANSWER,
    "SurveyResponse": RESPONSE,
}

# Request bodies: dates in ISO (2026-05-01) or Jalali (1405/02/11); money in whole Rials.
DATE_IN: Schema = {
    "type": "string",
    "maxLength": 20,
    "description": "YYYY-MM-DD (Gregorian) or a Jalali date such as 1405/02/11, any digit set",
}
MONEY_IN: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_RIALS - 1, "description": "Rials"}
ID_IN: Schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

"""The built-in alarm and notice kinds (PLT-5, SRV-5, PRC-4, COL-6, SUR-3/6): what each checks and its default rule.

Pure data. `unit` says what a rule's threshold means for the kind; `audience` whether it goes to staff
or to the customer the object belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STAFF_CHANNELS = ("telegram", "bale", "sms", "email")
CUSTOMER_CHANNELS = ("sms", "telegram", "bale", "email")
ROLES = ("admin", "manager", "agent", "sales", "technician", "warehouse", "collections")
DYNAMIC = ("assignee", "team", "team_lead", "collector", "customer")


@dataclass(frozen=True)
class Kind:
    """One built-in check: its Persian label, threshold unit, audience and default rule values."""

    key: str
    label: str
    unit: str | None
    audience: str = "staff"
    default: dict[str, Any] = field(default_factory=dict)


def _rule(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "threshold": None,
        "params": {},
        "recipients": {},
        "channels": ["telegram", "bale", "email"],
        "urgent": False,
        "escalate_after_minutes": None,
    }
    return base | values


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "sla_warning",
            "هشدار نزدیک شدن مهلت پرونده",
            None,
            default=_rule(recipients={"dynamic": ["assignee", "team_lead"]}),
        ),
        Kind(
            "sla_breach",
            "گذشتن از مهلت پرونده",
            None,
            default=_rule(
                recipients={"roles": ["manager"], "dynamic": ["assignee", "team_lead"]},
                channels=["telegram", "bale", "email"],
                escalate_after_minutes=60,
            ),
        ),
        Kind(
            "conversation_waiting",
            "گفتگوی بی‌پاسخ",
            "business_minutes",
            default=_rule(threshold=60, recipients={"dynamic": ["assignee", "team", "team_lead"]}),
        ),
        Kind(
            "missed_call",
            "تماس از دست رفته بدون تماس برگشتی",
            "business_minutes",
            default=_rule(threshold=30, recipients={"dynamic": ["assignee", "team", "team_lead"]}),
        ),
        Kind(
            "import_stuck",
            "توقف سفارش خرید در یک مرحله",
            "days",
            default=_rule(threshold=14, params={"limits": {"customs_clearance": 7}}, recipients={"roles": ["manager"]}),
        ),
        Kind(
            "import_stage_notice",
            "اطلاع مرحلهٔ واردات به مشتری",
            None,
            audience="customer",
            default=_rule(
                params={"stages": ["arrival_notice", "customs_clearance", "left_customs", "received"]},
                recipients={"dynamic": ["customer"]},
                channels=list(CUSTOMER_CHANNELS),
            ),
        ),
        Kind(
            "survey_after_case",
            "ارسال نظرسنجی پس از حل پرونده",
            "minutes",
            audience="customer",
            default=_rule(
                threshold=60,
                params={"survey_id": None},
                recipients={"dynamic": ["customer"]},
                channels=list(CUSTOMER_CHANNELS),
            ),
        ),
        Kind(
            "survey_low",
            "امتیاز پایین نظرسنجی",
            None,
            default=_rule(params={"rating_max": 2, "nps_max": 6}, recipients={"roles": ["manager"]}),
        ),
        Kind(
            "installment_due",
            "یادآوری سررسید قسط به مشتری",
            "days",
            audience="customer",
            default=_rule(threshold=3, recipients={"dynamic": ["customer"]}, channels=list(CUSTOMER_CHANNELS)),
        ),
        Kind(
            "installment_overdue",
            "قسط معوق",
            "days",
            default=_rule(threshold=1, recipients={"dynamic": ["collector"]}, channels=["telegram", "bale", "email"]),
        ),
        Kind(
            "channel_held",
            "توقف ارسال یک کانال (مانند تمام شدن اعتبار پیامک)",
            None,
            default=_rule(recipients={"roles": ["admin"]}, channels=["email", "sms", "telegram", "bale"], urgent=True),
        ),
    )
}
UNIT_NAMES = {"business_minutes": "دقیقهٔ کاری", "minutes": "دقیقه", "days": "روز"}

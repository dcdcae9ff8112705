"""Import purchase orders (PRC-4): stuck in a stage too long → managers; chosen stages → the linked orders' customers.

A customer notice goes once per purchase order, stage and order, and only for a forward move: moving a
purchase order back and forth between stages never sends the same notice twice, nor one for going back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core import alarm_text
from core.actions.alarm_rules import ensure_default_rules, rules_of
from core.actions.alarms import alarm_key, raise_alarm
from core.actions.calendar import load_calendar
from core.bizcal import BusinessCalendar
from core.models import (
    AlarmRule,
    Contact,
    ImportStage,
    Order,
    PurchaseOrder,
    PurchaseOrderLink,
    PurchaseOrderStage,
)
from core.models.orders import OrderStatus
from core.queries.alarm_subjects import Subject, purchase_order_subject
from core.sweeps.common import each

STUCK, NOTICE = "import_stuck", "import_stage_notice"
NOTICE_WINDOW = timedelta(days=30)  # a stage entered longer ago is not news to the customer


async def _stuck(po: PurchaseOrder, rules: list[AlarmRule], now: datetime, cal: BusinessCalendar) -> int:
    raised = 0
    for rule in rules:
        days = (rule.params.get("limits") or {}).get(po.stage.value) or rule.threshold
        if not days or now - po.stage_entered_at < timedelta(days=int(days)):
            continue
        subject = await purchase_order_subject(po)
        text = alarm_text.import_stuck(subject, po.stage.value, int(days), po.stage_entered_at, now)
        # A later visit to the same stage is a new visit: its entry time is part of the key.
        visit = int(po.stage_entered_at.timestamp())
        key = alarm_key(STUCK, "purchase_order", po.id, rule.id, po.stage.value, visit)
        raised += await raise_alarm(key, STUCK, text, rule=rule, subject=subject, now=now, cal=cal) is not None
    return raised


def forward(entry: PurchaseOrderStage) -> bool:
    """True when the stage was entered going forward (or at creation), not by moving back."""
    return entry.from_stage is None or ImportStage(entry.stage).step > ImportStage(entry.from_stage).step


async def notify_stage(
    entry: PurchaseOrderStage, rules: list[AlarmRule], now: datetime, cal: BusinessCalendar | None = None
) -> int:
    """Tell the customers of the orders a purchase order supplies that it entered a chosen stage (once each)."""
    stage = ImportStage(entry.stage).value
    wanted = [r for r in rules if stage in (r.params.get("stages") or [])]
    if not wanted or not forward(entry):
        return 0
    po = await PurchaseOrder.get(id=entry.purchase_order_id)
    order_ids = await PurchaseOrderLink.filter(purchase_order_id=po.id).values_list("order_id", flat=True)
    orders = await Order.filter(id__in=order_ids).exclude(status=OrderStatus.CANCELLED).order_by("id")
    sent = 0
    for order in orders:
        customer = await Contact.get_or_none(id=order.contact_id)
        subject = Subject("purchase_order", po.id, number=po.number, title=po.supplier, customer=customer)
        text = alarm_text.import_notice(customer.display_name if customer else "", order.number, stage)
        for rule in wanted:
            key = alarm_key(NOTICE, "purchase_order", po.id, rule.id, stage, f"order{order.id}")
            sent += await raise_alarm(key, NOTICE, text, rule=rule, subject=subject, now=now, cal=cal) is not None
    return sent


async def notify_purchase_order(po_id: int, now: datetime) -> int:
    """The notices of one purchase order's recent stages (right after a stage change; the sweep is the backstop)."""
    await ensure_default_rules()
    rules = await rules_of(NOTICE)
    entries = await PurchaseOrderStage.filter(purchase_order_id=po_id, entered_at__gte=now - NOTICE_WINDOW)
    cal = await load_calendar()
    return await each("import notices", entries, lambda entry: notify_stage(entry, rules, now, cal))


async def sweep_imports(now: datetime) -> dict[str, int]:
    """Alarm purchase orders stuck too long in a stage and send the stage notices due, as of `now`."""
    await ensure_default_rules()
    cal = await load_calendar()
    stuck_rules, notice_rules = await rules_of(STUCK), await rules_of(NOTICE)
    moving = await PurchaseOrder.exclude(stage=ImportStage.RECEIVED).order_by("id") if stuck_rules else []
    stuck = await each("import stuck", moving, lambda po: _stuck(po, stuck_rules, now, cal))
    entries = []
    if notice_rules:
        entries = await PurchaseOrderStage.filter(entered_at__gte=now - NOTICE_WINDOW, entered_at__lte=now).order_by(
            "entered_at", "id"
        )
    notices = await each("import notices", entries, lambda entry: notify_stage(entry, notice_rules, now, cal))
    return {"purchase_orders": len(moving), "stuck_alarms": stuck, "notices": notices}

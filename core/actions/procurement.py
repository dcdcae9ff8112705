"""Purchase order actions: create, link the customer orders it supplies, move through the import stages (PRC-2/3/7)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import ImportStage, Order, PurchaseOrder, PurchaseOrderLink, PurchaseOrderStage, User
from core.sequences import next_yearly_number
from core.tx import atomic

PO_PREFIX = "P"
MAX_NOTE = 2000
# A clock a little ahead on the caller's side is not an error; a stage entered tomorrow is.
FUTURE_SLACK = timedelta(minutes=5)


def _when(at: datetime | None) -> datetime:
    now = datetime.now(UTC)
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValidationError("at needs a time zone (times are stored in UTC)")
    if at > now + FUTURE_SLACK:
        raise ValidationError("a stage cannot be entered in the future")
    return at.astimezone(UTC)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"note is longer than {MAX_NOTE} characters")
    return note


async def _locked(po_id: int) -> PurchaseOrder:
    po = await PurchaseOrder.filter(id=po_id).select_for_update().first()
    if po is None:
        raise NotFound(f"purchase order {po_id} not found")
    return po


async def _link(po: PurchaseOrder, order_ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(order_ids))
    found = set(await Order.filter(id__in=wanted).values_list("id", flat=True))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"order {missing[0]} not found")
    have = set(await PurchaseOrderLink.filter(purchase_order_id=po.id).values_list("order_id", flat=True))
    added = [i for i in wanted if i not in have]
    for order_id in added:
        try:
            await PurchaseOrderLink.create(purchase_order=po, order_id=order_id)
        except IntegrityError:  # linked concurrently: the link exists, which is what was asked
            continue
    return added


async def create_purchase_order(
    *,
    supplier: str,
    by: User | None,
    expected_arrival: date | None = None,
    order_ids: Iterable[int] = (),
    stage: ImportStage | str = ImportStage.PROFORMA_RECEIVED,
    at: datetime | None = None,
    note: str = "",
    external_ref: str | None = None,
) -> PurchaseOrder:
    """Create a purchase order (P-1405-00003) in its first stage, linked to the customer orders it supplies."""
    require_write(by, Area.PROCUREMENT)
    supplier = " ".join((supplier or "").split())
    if not supplier or len(supplier) > 200:
        raise ValidationError("supplier is required (at most 200 characters)")
    stage, entered, note = ImportStage(stage), _when(at), _note(note)
    ref = (external_ref or "").strip()[:100] or None
    async with atomic() as out:
        if ref and (dup := await PurchaseOrder.get_or_none(external_ref=ref)):
            raise ValidationError(f"external_ref {ref} was already imported as purchase order {dup.number}")
        po = await PurchaseOrder.create(
            number=await next_yearly_number(PO_PREFIX, "purchase-order"),
            supplier=supplier,
            expected_arrival=expected_arrival,
            stage=stage,
            stage_entered_at=entered,
            external_ref=ref,
            created_by=by,
        )
        await PurchaseOrderStage.create(purchase_order=po, stage=stage, entered_at=entered, user=by, note=note)
        linked = await _link(po, order_ids)
        await record(by, "purchase_order.create", po, number=po.number, supplier=supplier, order_ids=linked)
        out.emit("procurement.created", purchase_order_id=po.id, number=po.number, stage=stage.value, order_ids=linked)
    return po


async def link_orders(po_id: int, order_ids: Iterable[int], *, by: User | None) -> list[int]:
    """Link customer orders to a purchase order (already linked ones are kept); returns the newly linked ids."""
    require_write(by, Area.PROCUREMENT)
    async with atomic() as out:
        po = await _locked(po_id)
        added = await _link(po, order_ids)
        if added:
            await record(by, "purchase_order.link", po, order_ids=added)
            out.emit("procurement.orders_linked", purchase_order_id=po.id, order_ids=added)
    return added


async def unlink_order(po_id: int, order_id: int, *, by: User | None) -> None:
    """Remove the link between a purchase order and a customer order."""
    require_write(by, Area.PROCUREMENT)
    async with atomic():
        po = await _locked(po_id)
        removed = await PurchaseOrderLink.filter(purchase_order_id=po.id, order_id=order_id).delete()
        if not removed:
            raise NotFound(f"order {order_id} is not linked to purchase order {po.number}")
        await record(by, "purchase_order.unlink", po, order_id=order_id)


async def move_stage(
    po_id: int, stage: ImportStage | str, *, by: User | None, note: str = "", at: datetime | None = None
) -> PurchaseOrder:
    """Enter `stage` (forward or back, both recorded in the history); emits procurement.stage_changed after commit."""
    require_write(by, Area.PROCUREMENT)
    try:
        stage = ImportStage(stage)
    except ValueError:
        raise ValidationError(f"unknown stage {stage!r}") from None
    entered, note = _when(at), _note(note)
    async with atomic() as out:
        po = await _locked(po_id)
        previous = po.stage
        if stage == previous:
            raise ValidationError(f"purchase order {po.number} is already in stage {stage.value}")
        if entered < po.stage_entered_at:
            raise ValidationError("at is earlier than when the current stage was entered")
        po.stage, po.stage_entered_at = stage, entered
        await po.save(update_fields=["stage", "stage_entered_at", "updated_at"])
        await PurchaseOrderStage.create(
            purchase_order=po, stage=stage, from_stage=previous, entered_at=entered, user=by, note=note
        )
        order_ids = await PurchaseOrderLink.filter(purchase_order_id=po.id).values_list("order_id", flat=True)
        await record(by, "purchase_order.stage", po, stage=[previous.value, stage.value], note=note)
        out.emit(
            "procurement.stage_changed",
            purchase_order_id=po.id,
            number=po.number,
            **{"from": previous.value, "to": stage.value},
            entered_at=entered.isoformat(),
            order_ids=sorted(order_ids),
            user_id=by.id if by else None,
        )
    return po


async def set_expected_arrival(po_id: int, expected_arrival: date | None, *, by: User | None) -> PurchaseOrder:
    """Change the expected arrival date customers are told."""
    require_write(by, Area.PROCUREMENT)
    async with atomic() as out:
        po = await _locked(po_id)
        old = po.expected_arrival
        po.expected_arrival = expected_arrival
        await po.save(update_fields=["expected_arrival", "updated_at"])
        await record(by, "purchase_order.arrival", po, expected_arrival=[str(old), str(expected_arrival)])
        out.emit("procurement.arrival_changed", purchase_order_id=po.id)
    return po

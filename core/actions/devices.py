"""Device actions: register a unit by serial (SRV-2), record its installation, tie it to a case."""

from __future__ import annotations

from datetime import date

from tortoise.exceptions import IntegrityError

from core.access import check_case
from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import Case, Contact, Device, Order, OrderLine, Product, User
from core.serials import display_serial, normalize_serial
from core.tx import atomic
from core.warranty import warranty_end


def _duplicate(serial: str, device_id: int) -> ValidationError:
    return ValidationError(f"serial {serial} is already registered (device {device_id})")


async def _owner(contact_id: int) -> Contact:
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    if contact.merged_into_id is not None:
        raise ValidationError(f"contact {contact_id} was merged into {contact.merged_into_id}; use that one")
    return contact


async def _order_line(line_id: int, product_id: int) -> OrderLine:
    line = await OrderLine.filter(id=line_id).select_related("order").first()
    if line is None:
        raise NotFound(f"order line {line_id} not found")
    if line.product_id != product_id:
        raise ValidationError(f"order line {line_id} is for product {line.product_id}, not {product_id}")
    if await Device.filter(order_line_id=line_id).count() >= line.qty:
        raise ValidationError(f"order line {line_id} already has all {line.qty} serials")
    return line


async def register_device(
    serial: str,
    *,
    product_id: int,
    owner_id: int,
    by: User | None,
    sold_at: date | None = None,
    installed_at: date | None = None,
    account_id: int | None = None,
    order_line_id: int | None = None,
    location: str = "",
    notes: str = "",
) -> Device:
    """Register one unit by serial (any digit set, dashes and spaces ignored); a known serial is refused."""
    require_write(by, Area.DEVICES)
    key = normalize_serial(serial)
    if sold_at and installed_at and installed_at < sold_at:
        raise ValidationError("installed_at is before sold_at")
    async with atomic() as out:
        existing = await Device.get_or_none(serial=key)
        if existing is not None:
            raise _duplicate(key, existing.id)
        product = await Product.get_or_none(id=product_id)
        if product is None:
            raise NotFound(f"product {product_id} not found")
        owner = await _owner(owner_id)
        line = await _order_line(order_line_id, product.id) if order_line_id is not None else None
        if line is not None and sold_at is None:
            sold_at = line.order.order_date
        try:
            device = await Device.create(
                serial=key,
                serial_display=display_serial(serial),
                product=product,
                owner=owner,
                account_id=account_id if account_id is not None else owner.account_id,
                order_line=line,
                sold_at=sold_at,
                installed_at=installed_at,
                warranty_ends_at=warranty_end(installed_at or sold_at, product.warranty_months),
                location=" ".join(location.split())[:300],
                notes=notes.strip(),
            )
        except IntegrityError:
            raise _duplicate(key, 0) from None
        await record(by, "device.register", device, serial=key, product_id=product.id, owner_id=owner.id)
        out.emit("device.registered", device_id=device.id, serial=key, owner_id=owner.id, product_id=product.id)
    return device


async def record_installation(device_id: int, installed_at: date, *, by: User | None, location: str = "") -> Device:
    """Record the installation (commissioning) day; the warranty now runs from it."""
    require_write(by, Area.DEVICES)
    async with atomic() as out:
        device = await Device.filter(id=device_id).select_for_update().first()
        if device is None:
            raise NotFound(f"device {device_id} not found")
        product = await Product.get(id=device.product_id)
        if device.sold_at and installed_at < device.sold_at:
            raise ValidationError("installed_at is before the sale date")
        device.installed_at = installed_at
        device.warranty_ends_at = warranty_end(installed_at, product.warranty_months)
        if location.strip():
            device.location = " ".join(location.split())[:300]
        await device.save()
        await record(by, "device.install", device, installed_at=installed_at.isoformat())
        out.emit("device.installed", device_id=device.id, installed_at=installed_at.isoformat())
    return device


async def link_case(
    case_id: int, *, by: User | None, device_id: int | None = None, order_id: int | None = None
) -> Case:
    """Tie a case to the customer's device and/or order; both must belong to the case's contact."""
    require_write(by, Area.DEVICES)
    await check_case(by, case_id)
    async with atomic() as out:
        case = await Case.filter(id=case_id).select_for_update().first()
        if case is None:
            raise NotFound(f"case {case_id} not found")
        if device_id is not None:
            device = await Device.get_or_none(id=device_id)
            if device is None or device.owner_id != case.contact_id:
                raise ValidationError(f"device {device_id} is not a device of the case's contact")
            case.device_id = device_id
        if order_id is not None:
            order = await Order.get_or_none(id=order_id)
            if order is None or order.contact_id != case.contact_id:
                raise ValidationError(f"order {order_id} is not an order of the case's contact")
            case.order_id = order_id
        await case.save(update_fields=["device_id", "order_id", "updated_at"])
        await record(by, "case.link", case, device_id=device_id, order_id=order_id)
        out.emit("case.linked", case_id=case.id, device_id=case.device_id, order_id=case.order_id)
    return case

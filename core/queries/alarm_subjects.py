"""What an alarm is about: its number, customer, responsible people and admin page, loaded from the object."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.db import int_column
from core.models import (
    Call,
    Case,
    Contact,
    Conversation,
    Installment,
    Order,
    PurchaseOrder,
    Role,
    Task,
    User,
)


@dataclass
class Subject:
    """The object of an alarm with the people the dynamic recipients stand for."""

    object_type: str
    object_id: int
    number: str = ""
    title: str = ""
    customer: Contact | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    collector_ids: tuple[int, ...] = ()
    admin_path: str = ""
    extra: dict[str, object] = field(default_factory=dict)


async def _contact(contact_id: int | None) -> Contact | None:
    return await Contact.get_or_none(id=contact_id) if contact_id else None


async def case_subject(case: Case) -> Subject:
    """A case: its number, customer, assignee and team."""
    return Subject(
        "case",
        case.id,
        number=case.number,
        title=case.subject,
        customer=await _contact(case.contact_id),
        assignee_id=case.assignee_id,
        team_id=case.team_id,
        admin_path=f"/admin/cases/{case.id}",
    )


async def conversation_subject(conversation: Conversation) -> Subject:
    """A conversation: its customer, assignee and team."""
    return Subject(
        "conversation",
        conversation.id,
        number=str(conversation.id),
        title=conversation.subject,
        customer=await _contact(conversation.contact_id),
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
        admin_path=f"/admin/conversations/{conversation.id}",
        extra={"channel": conversation.channel.value},
    )


async def task_subject(task: Task) -> Subject:
    """A call-back task of a missed call: owner and team of the task, the caller."""
    call = await Call.get_or_none(id=task.call_id) if task.call_id else None
    return Subject(
        "task",
        task.id,
        number=call.number if call else "",
        title=task.title,
        customer=await _contact(task.contact_id),
        assignee_id=task.owner_id,
        team_id=task.team_id,
        admin_path="/admin/calldesk",
        extra={"call_at": call.ended_at or call.created_at} if call else {},
    )


async def purchase_order_subject(po: PurchaseOrder) -> Subject:
    """An import purchase order (no customer of its own: notices go per linked order)."""
    return Subject("purchase_order", po.id, number=po.number, title=po.supplier, admin_path="/admin/")


async def collectors_of(contact: Contact | None) -> tuple[int, ...]:
    """Who collects a customer's money: its owner if a collector, else the collectors of its team, else all."""
    staff = User.filter(is_active=True, role=Role.COLLECTIONS)
    if contact is not None and contact.owner_id:
        if await staff.filter(id=contact.owner_id).exists():
            return (contact.owner_id,)
    if contact is not None and contact.team_id:
        team = await int_column(staff.filter(team_id=contact.team_id))
        if team:
            return tuple(team)
    return tuple(await int_column(staff))


async def installment_subject(installment: Installment) -> Subject:
    """An installment: its order's number and customer, and the customer's collectors."""
    order = await Order.get(id=installment.order_id)
    customer = await _contact(order.contact_id)
    return Subject(
        "installment",
        installment.id,
        number=order.number,
        customer=customer,
        team_id=customer.team_id if customer else None,
        collector_ids=await collectors_of(customer),
        admin_path=f"/admin/contacts/{customer.id}" if customer else "/admin/",
        extra={"due_date": installment.due_date, "amount": installment.outstanding},
    )


async def load_subject(object_type: str, object_id: str | int) -> Subject | None:
    """The subject of a stored alarm again (for escalation), or None when the object is gone."""
    oid = int(object_id) if str(object_id).isdigit() else 0
    loaders = {
        "case": (Case, case_subject),
        "conversation": (Conversation, conversation_subject),
        "task": (Task, task_subject),
        "purchase_order": (PurchaseOrder, purchase_order_subject),
        "installment": (Installment, installment_subject),
    }
    if object_type not in loaders or not oid:
        return None
    model, loader = loaders[object_type]
    row = await model.get_or_none(id=oid)
    return await loader(row) if row is not None else None  # type: ignore[operator]

"""Cases (numbered 1405-00042) and leads, opened directly or from a conversation (INB-6)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.access import check_case, check_conversation
from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.jalali import jalali_year
from core.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Channel,
    Contact,
    Conversation,
    Device,
    Lead,
    Message,
    Order,
    Priority,
    User,
)
from core.sequences import bump
from core.tx import atomic

CLOSED_STATES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


async def next_case_number(now: datetime | None = None) -> str:
    """The next case number: Jalali year (Tehran) and a 5-digit yearly sequence, e.g. 1405-00042."""
    year = jalali_year(now or datetime.now(UTC))
    return f"{year}-{await bump(f'case-{year}'):05d}"


async def _contact(contact_id: int) -> Contact:
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    if contact.merged_into_id is not None:
        raise ValidationError(f"contact {contact_id} was merged into {contact.merged_into_id}; use that one")
    return contact


async def _own_device(device_id: int | None, contact_id: int) -> int | None:
    if device_id is None:
        return None
    if not await Device.exists(id=device_id, owner_id=contact_id):
        raise ValidationError(f"device {device_id} does not belong to contact {contact_id}")
    return device_id


async def _own_order(order_id: int | None, contact_id: int) -> int | None:
    if order_id is None:
        return None
    if not await Order.exists(id=order_id, contact_id=contact_id):
        raise ValidationError(f"order {order_id} does not belong to contact {contact_id}")
    return order_id


async def _conversation(conversation_id: int, by: User | None) -> Conversation:
    conversation = await Conversation.get_or_none(id=conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    await check_conversation(by, conversation_id)
    return conversation


async def open_case(
    *,
    contact_id: int,
    by: User | None,
    conversation_id: int | None = None,
    type: CaseType = CaseType.SERVICE,
    priority: Priority = Priority.NORMAL,
    subject: str = "",
    description: str = "",
    source_channel: Channel | None = None,
    device_id: int | None = None,
    order_id: int | None = None,
) -> Case:
    """Open a case for a contact (optionally tied to a conversation, a device and an order); history, audit, event."""
    require_write(by, Area.CASES)
    conversation = await _conversation(conversation_id, by) if conversation_id is not None else None
    async with atomic() as out:
        contact = await _contact(contact_id)
        team_id = conversation.team_id if conversation else None
        case = await Case.create(
            number=await next_case_number(),
            type=CaseType(type),
            priority=Priority(priority),
            subject=subject.strip()[:300],
            description=description.strip(),
            contact=contact,
            conversation=conversation,
            team_id=team_id if team_id is not None else (by.team_id if by else None),
            created_by=by,
            source_channel=source_channel or (conversation.channel if conversation else None),
            device_id=await _own_device(device_id, contact.id),
            order_id=await _own_order(order_id, contact.id),
        )
        await CaseEvent.create(case=case, kind="opened", to_status=case.status.value, user=by)
        await record(by, "case.open", case, number=case.number, contact_id=contact.id, conversation_id=conversation_id)
        out.emit(
            "case.opened",
            case_id=case.id,
            number=case.number,
            contact_id=contact.id,
            conversation_id=conversation_id,
            type=case.type.value,
            priority=case.priority.value,
        )
    return case


async def _summary(conversation: Conversation) -> str:
    if conversation.subject:
        return conversation.subject
    first = await Message.filter(conversation_id=conversation.id, internal=False).order_by("id").first()
    text = " ".join((first.text if first else "").split())
    return text[:117] + "…" if len(text) > 120 else text


async def open_case_from_conversation(
    conversation_id: int,
    *,
    by: User | None,
    type: CaseType = CaseType.SERVICE,
    priority: Priority = Priority.NORMAL,
    subject: str = "",
    description: str = "",
) -> Case:
    """Turn a conversation into a case for its contact (subject defaults to the conversation's)."""
    require_write(by, Area.CASES)
    conversation = await _conversation(conversation_id, by)
    return await open_case(
        contact_id=conversation.contact_id,
        by=by,
        conversation_id=conversation.id,
        type=type,
        priority=priority,
        subject=subject or await _summary(conversation),
        description=description,
        source_channel=conversation.channel,
    )


async def set_case_status(case_id: int, status: CaseStatus, *, by: User | None, note: str = "") -> Case:
    """Move a case to `status` (resolved/closed stamp their time, leaving them reopens); history row and event."""
    require_write(by, Area.CASES)
    status = CaseStatus(status)
    async with atomic() as out:
        case = await Case.filter(id=case_id).select_for_update().first()
        if case is None:
            raise NotFound(f"case {case_id} not found")
        await check_case(by, case_id)
        old = case.status
        if old == status and not note.strip():
            return case
        now = datetime.now(UTC)
        reopened = old in CLOSED_STATES and status not in CLOSED_STATES
        if status == CaseStatus.RESOLVED:
            case.resolved_at = now
        elif status == CaseStatus.CLOSED:
            case.closed_at = now
            case.resolved_at = case.resolved_at or now
        elif reopened:
            case.resolved_at = case.closed_at = None
        case.status = status
        await case.save()
        kind = "reopened" if reopened else ("status" if old != status else "note")
        await CaseEvent.create(
            case=case, kind=kind, from_status=old.value, to_status=status.value, note=note.strip(), user=by
        )
        await record(by, "case.status", case, status=[old.value, status.value], note=note.strip())
        out.emit("case.status_changed", case_id=case.id, old=old.value, new=status.value, reopened=reopened)
    return case


async def open_lead(
    *,
    contact_id: int,
    by: User | None,
    title: str,
    source_channel: Channel | None = None,
    segment: str | None = None,
    conversation_id: int | None = None,
) -> Lead:
    """Open a lead (سرنخ فروش) for a contact, owned by the staff member who opened it."""
    require_write(by, Area.LEADS)
    async with atomic() as out:
        contact = await _contact(contact_id)
        lead = await Lead.create(
            title=title.strip()[:300],
            contact=contact,
            conversation_id=conversation_id,
            source_channel=source_channel,
            segment=segment or contact.segment,
            owner=by,
            team_id=by.team_id if by else contact.team_id,
        )
        await record(by, "lead.open", lead, contact_id=contact.id, conversation_id=conversation_id, title=lead.title)
        out.emit("lead.opened", lead_id=lead.id, contact_id=contact.id, conversation_id=conversation_id)
    return lead


async def open_lead_from_conversation(conversation_id: int, *, by: User | None, title: str = "") -> Lead:
    """Turn a conversation into a lead for its contact (title defaults to its subject or first words)."""
    require_write(by, Area.LEADS)
    conversation = await _conversation(conversation_id, by)
    return await open_lead(
        contact_id=conversation.contact_id,
        by=by,
        title=title or await _summary(conversation),
        source_channel=conversation.channel,
        conversation_id=conversation.id,
    )

"""Writes of the customer bot: its per-contact dialog state, identity links, and what customers ask for.

The dialog engine (handlers/) runs each step inside `stepping()`: one transaction with the
contact's state row locked (PostgreSQL), so two processes never take one customer's steps at once.
Everything else here is a customer's own action through the bot, so no staff user and no audit row
of a person; events go out after commit like every action.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core.actions.cases import open_lead, set_case_status
from core.actions.contacts import add_identity, find_contact_by_identity
from core.actions.conversations import clean_labels, link_contact, set_status
from core.actions.merge import count_references, merge_contacts
from core.actions.outbox import queue_bot_reply, send_reply
from core.errors import NotFound, ValidationError
from core.identities import normalize_identity
from core.models import (
    Attachment,
    Case,
    CaseAttachment,
    CaseStatus,
    Channel,
    Contact,
    ContactIdentity,
    Conversation,
    ConversationStatus,
    DialogState,
    IdentityKind,
    Lead,
    PendingStep,
    Setting,
    Team,
)
from core.tx import atomic

# Setting holding the id of the team that gets price inquiries of customers without a segment team.
DEFAULT_SALES_TEAM_KEY = "bot.default_sales_team"


async def _created_state(contact_id: int, channel: Channel, conversation_id: int | None) -> DialogState:
    """Inside the step's transaction: the contact's first state row on `channel` (or the one a racer made)."""
    try:
        async with atomic():
            return await DialogState.create(contact_id=contact_id, channel=channel, conversation_id=conversation_id)
    except IntegrityError:  # another process created it a moment ago and has committed
        return await DialogState.filter(contact_id=contact_id, channel=channel).select_for_update().get()


@asynccontextmanager
async def stepping(contact_id: int, channel: Channel | str, conversation_id: int | None) -> AsyncIterator[DialogState]:
    """`async with stepping(...) as state:` one transaction holding the contact's state row locked.

    Read and locked in one query; only a contact's very first step creates the row.
    """
    channel = Channel(channel)
    async with atomic():
        row = await DialogState.filter(contact_id=contact_id, channel=channel).select_for_update().first()
        yield row if row is not None else await _created_state(contact_id, channel, conversation_id)


async def mark_step_pending(message_id: int, conversation_id: int, turn: dict[str, Any]) -> None:
    """Note that the bot owes `message_id` a step; call it inside the transaction that stores the message."""
    await PendingStep.create(message_id=message_id, conversation_id=conversation_id, turn=turn)


async def take_pending(message_id: int) -> bool:
    """Claim the step owed to `message_id` (inside the step's transaction); False when it was already taken.

    A DELETE, so of two processes racing for one step exactly one sees its row go.
    """
    return bool(await PendingStep.filter(message_id=message_id).delete())


async def drop_pending(message_id: int) -> bool:
    """Give up the step owed to `message_id` in a transaction of its own (the step failed, or was claimed first)."""
    async with atomic():
        return await take_pending(message_id)


async def pending_steps(*, older_than: datetime | None = None, limit: int = 500) -> list[PendingStep]:
    """Steps owed and due now, oldest first (`older_than`: only those written before that moment)."""
    query = PendingStep.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=datetime.now(UTC)))
    if older_than is not None:
        query = query.filter(created_at__lt=older_than)
    return await query.order_by("message_id").limit(limit)


async def oldest_pending(conversation_id: int) -> PendingStep | None:
    """Inside the step's transaction: the conversation's oldest owed step, by stored message id (arrival order)."""
    return await PendingStep.filter(conversation_id=conversation_id).order_by("message_id").first()


async def claim_step(step: PendingStep) -> bool:
    """Claim an owed step read by `oldest_pending` (inside the step's transaction); False when already taken."""
    return bool(await PendingStep.filter(id=step.id).delete())


async def postpone_step(message_id: int, attempts: int, until: datetime) -> bool:
    """A step failed: it stays owed, due again at `until` after `attempts` failures; False when no longer owed."""
    async with atomic():
        return bool(await PendingStep.filter(message_id=message_id).update(attempts=attempts, next_attempt_at=until))


async def give_up_step(message_id: int, conversation_id: int, *, apology: str, note: str) -> bool:
    """A step failed too often: drop it, apologise once, hand the conversation to a person and tell staff.

    One transaction, so the customer is told exactly once; False when the step was no longer owed.
    Nothing is said on a conversation that is no longer with the bot (staff already have it).
    """
    async with atomic():
        if not await take_pending(message_id):
            return False
        conversation = await Conversation.get_or_none(id=conversation_id)
        if conversation is not None and conversation.status == ConversationStatus.BOT:
            await queue_bot_reply(conversation_id, apology)
            await set_status(conversation_id, ConversationStatus.OPEN, by=None)
            await send_reply(conversation_id, note, by=None, internal=True)
    return True


async def attach_photos(case_id: int, conversation_id: int, message_ids: Sequence[int]) -> int:
    """Attach the images of those messages of the conversation to its case (a service request's photos).

    Only messages of `conversation_id` count, so a forged id in the flow's data attaches nothing of
    anyone else's; returns how many files were attached.
    """
    mine = Attachment.filter(message_id__in=list(message_ids), message__conversation_id=conversation_id)
    images = await mine.filter(mime_type__startswith="image/").order_by("id").values_list("id", flat=True)
    if not images:
        return 0
    async with atomic() as out:
        await CaseAttachment.bulk_create([CaseAttachment(case_id=case_id, attachment_id=a) for a in images])
        out.emit("case.attachments_added", case_id=case_id, attachment_ids=list(images))
    return len(images)


async def save_state(state: DialogState, **values: Any) -> None:
    """Write the given state fields (flow, step, data, seq, expires_at, muted_until, conversation_id)."""
    allowed = {"flow", "step", "data", "seq", "expires_at", "muted_until", "conversation_id"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"cannot set dialog state field(s): {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(state, name, value)
    # The contact is never written back: a merge in this step may have moved the row to another contact.
    await state.save(update_fields=[*values, "updated_at"])


async def mute_sender(state: DialogState, until: datetime, conversation_id: int, *, label: str, note: str) -> None:
    """Silence the bot for a flooding sender until `until`; staff see a label and a note on the conversation."""
    async with atomic() as out:
        await save_state(state, muted_until=until)
        conversation = await Conversation.filter(id=conversation_id).select_for_update().get()
        labels = clean_labels([*(conversation.labels or []), label])
        if labels != conversation.labels:
            conversation.labels = labels
            await conversation.save(update_fields=["labels"])
            out.emit("conversation.labels_changed", conversation_id=conversation.id, labels=labels)
        out.emit(
            "bot.sender_muted", conversation_id=conversation_id, contact_id=state.contact_id, until=until.isoformat()
        )
    await send_reply(conversation_id, note, by=None, internal=True)


async def link_verified_phone(
    contact_id: int,
    kind: IdentityKind | str,
    sender: str,
    phone: str,
    *,
    channel: Channel | str,
    conversation_id: int,
) -> Contact:
    """The messenger user proved `phone` is theirs: link them to the contact that has it; returns that contact.

    The contact the bot made for an unknown chat (nothing but identities and conversations) is merged
    into the phone's contact. A contact with records of its own is never merged automatically: only
    this messenger account and this conversation move, and staff can merge the two if they are one.
    """
    kind = IdentityKind(kind)
    owner = await find_contact_by_identity(IdentityKind.PHONE, phone)
    target = owner.id if owner is not None else contact_id
    async with atomic() as out:
        merged = False
        if target != contact_id:
            await _move_states(contact_id, target, Channel(channel))
            if not await count_references(contact_id, skip=(ContactIdentity, Conversation)):
                await merge_contacts(target, contact_id, by=None)
                merged = True
            else:
                value = normalize_identity(kind, sender)
                await ContactIdentity.filter(kind=kind, value=value).update(contact_id=target)
                await link_contact(conversation_id, target, by=None)
        await add_identity(target, kind, sender, verified=True)
        out.emit("bot.identity_linked", contact_id=target, previous_id=contact_id, merged=merged)
    contact = await Contact.get_or_none(id=target)
    if contact is None:
        raise NotFound(f"contact {target} not found")
    return contact


async def _move_states(from_id: int, to_id: int, channel: Channel) -> None:
    """The sender's dialog goes along; a state the other contact had on the same channel gives way."""
    mine = await DialogState.filter(contact_id=from_id).values_list("channel", flat=True)
    await DialogState.filter(contact_id=to_id, channel__in={channel, *mine}).delete()
    await DialogState.filter(contact_id=from_id).update(contact_id=to_id)


async def sales_team_for(segment: str | None) -> Team | None:
    """The sales team of a market segment, else the default team (Setting `bot.default_sales_team`), else none."""
    if segment:
        team = await Team.filter(segment=segment).order_by("id").first()
        if team is not None:
            return team
    setting = await Setting.get_or_none(key=DEFAULT_SALES_TEAM_KEY)
    team_id = setting.value.get("team_id") if setting and isinstance(setting.value, dict) else None
    return await Team.get_or_none(id=team_id) if isinstance(team_id, int) else None


async def set_default_sales_team(team_id: int | None) -> None:
    """Choose the team that gets price inquiries when no team serves the customer's segment (None clears it)."""
    if team_id is not None and not await Team.exists(id=team_id):
        raise NotFound(f"team {team_id} not found")
    async with atomic():
        await Setting.update_or_create(key=DEFAULT_SALES_TEAM_KEY, defaults={"value": {"team_id": team_id}})


async def open_inquiry_lead(
    contact_id: int, conversation_id: int, channel: Channel | str, *, title: str, notes: str
) -> Lead:
    """A price inquiry from the bot becomes a lead for the sales team of the customer's segment (BOT-8)."""
    contact = await Contact.get(id=contact_id)
    team = await sales_team_for(contact.segment)
    async with atomic() as out:
        lead = await open_lead(
            contact_id=contact_id,
            by=None,
            title=title,
            source_channel=Channel(channel),
            conversation_id=conversation_id,
        )
        lead.team_id = team.id if team else lead.team_id
        lead.notes = notes.strip()[:2000]
        await lead.save(update_fields=["team_id", "notes"])
        out.emit("lead.assigned", lead_id=lead.id, team_id=lead.team_id, segment=contact.segment)
    return lead


async def _own_case(case_id: int, contact_id: int) -> Case:
    case = await Case.get_or_none(id=case_id, contact_id=contact_id)
    if case is None:
        raise NotFound(f"case {case_id} is not a case of contact {contact_id}")
    return case


async def confirm_resolution(case_id: int, contact_id: int, *, note: str) -> Case:
    """The customer says the resolved case was fixed: it closes."""
    case = await _own_case(case_id, contact_id)
    if case.status != CaseStatus.RESOLVED:
        raise ValidationError(f"case {case.number} is {case.status.value}, not resolved")
    return await set_case_status(case.id, CaseStatus.CLOSED, by=None, note=note)


async def reject_resolution(case_id: int, contact_id: int, conversation_id: int, *, reason: str, note: str) -> Case:
    """The customer says it was not fixed: the case reopens with their reason and the team is told (SRV-5, BOT-7)."""
    case = await _own_case(case_id, contact_id)
    if case.status != CaseStatus.RESOLVED:
        raise ValidationError(f"case {case.number} is {case.status.value}, not resolved")
    async with atomic() as out:
        case = await set_case_status(case.id, CaseStatus.OPEN, by=None, note=reason)
        await send_reply(conversation_id, note, by=None, internal=True)
        out.emit(
            "case.resolution_rejected",
            case_id=case.id,
            number=case.number,
            contact_id=contact_id,
            conversation_id=conversation_id,
            team_id=case.team_id,
            assignee_id=case.assignee_id,
        )
    return case

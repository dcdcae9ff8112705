"""Staff actions on a conversation: assign, status, priority, labels, contact, hand to the bot (INB-4, INB-6)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from core.access import check_conversation
from core.actions.audit import record
from core.actions.merge import count_references, merge_contacts
from core.actions.threads import BOT_CHANNELS
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import Contact, ContactIdentity, Conversation, ConversationStatus, Priority, Team, User
from core.tx import Outcome, atomic

MAX_LABELS = 20
MAX_LABEL_LENGTH = 40


@asynccontextmanager
async def _editing(conversation_id: int, by: User | None) -> AsyncIterator[tuple[Conversation, Outcome]]:
    """One transaction with the conversation row locked and the staff member's access checked."""
    async with atomic() as out:
        conversation = await Conversation.filter(id=conversation_id).select_for_update().first()
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} not found")
        await check_conversation(by, conversation_id)
        yield conversation, out


async def assign(
    conversation_id: int, *, by: User | None, user_id: int | None = None, team_id: int | None = None
) -> Conversation:
    """Assign to a user and/or team (a user without a team given brings their own team); both None unassigns."""
    require_write(by, Area.INBOX)
    user = await User.get_or_none(id=user_id, is_active=True) if user_id is not None else None
    if user_id is not None and user is None:
        raise ValidationError(f"user_id: no active user {user_id}")
    if team_id is not None and not await Team.exists(id=team_id):
        raise ValidationError(f"team_id: no team {team_id}")
    async with _editing(conversation_id, by) as (conversation, out):
        old = (conversation.assignee_id, conversation.team_id)
        if team_id is None and user is not None:
            team_id = user.team_id if user.team_id is not None else conversation.team_id
        conversation.assignee_id, conversation.team_id = user_id, team_id
        await conversation.save(update_fields=["assignee_id", "team_id"])
        await record(by, "conversation.assign", conversation, assignee_id=[old[0], user_id], team_id=[old[1], team_id])
        out.emit("conversation.assigned", conversation_id=conversation.id, assignee_id=user_id, team_id=team_id)
    return conversation


async def set_status(conversation_id: int, status: ConversationStatus, *, by: User | None) -> Conversation:
    """Change the status; resolving stamps resolved_at, leaving resolved/closed clears it."""
    require_write(by, Area.INBOX)
    status = ConversationStatus(status)
    if status == ConversationStatus.BOT:
        return await hand_to_bot(conversation_id, by=by)
    async with _editing(conversation_id, by) as (conversation, out):
        old = conversation.status
        if old == status:
            return conversation
        conversation.status = status
        if status == ConversationStatus.RESOLVED:
            conversation.resolved_at = datetime.now(UTC)
        elif status == ConversationStatus.CLOSED:
            conversation.resolved_at = conversation.resolved_at or datetime.now(UTC)
        else:
            conversation.resolved_at = None
        await conversation.save(update_fields=["status", "resolved_at"])
        await record(by, "conversation.status", conversation, status=[old.value, status.value])
        out.emit("conversation.status_changed", conversation_id=conversation.id, old=old.value, new=status.value)
    return conversation


async def set_priority(conversation_id: int, priority: Priority, *, by: User | None) -> Conversation:
    """Change the priority."""
    require_write(by, Area.INBOX)
    priority = Priority(priority)
    async with _editing(conversation_id, by) as (conversation, out):
        old = conversation.priority
        if old != priority:
            conversation.priority = priority
            await conversation.save(update_fields=["priority"])
            await record(by, "conversation.priority", conversation, priority=[old.value, priority.value])
            out.emit("conversation.priority_changed", conversation_id=conversation.id, priority=priority.value)
    return conversation


def clean_labels(labels: Sequence[str]) -> list[str]:
    """Trimmed, non-empty, unique labels in the order given; ValidationError past the limits."""
    result: list[str] = []
    for raw in labels:
        label = " ".join(str(raw).split())
        if len(label) > MAX_LABEL_LENGTH:
            raise ValidationError(f"labels: {label!r} is longer than {MAX_LABEL_LENGTH} characters")
        if label and label not in result:
            result.append(label)
    if len(result) > MAX_LABELS:
        raise ValidationError(f"labels: at most {MAX_LABELS}")
    return result


async def set_labels(conversation_id: int, labels: Sequence[str], *, by: User | None) -> Conversation:
    """Replace the conversation's labels."""
    require_write(by, Area.INBOX)
    if isinstance(labels, str):
        raise ValidationError("labels: a list of labels, not one string")
    new = clean_labels(labels)
    async with _editing(conversation_id, by) as (conversation, out):
        old = list(conversation.labels or [])
        if old != new:
            conversation.labels = new
            await conversation.save(update_fields=["labels"])
            await record(by, "conversation.labels", conversation, labels=[old, new])
            out.emit("conversation.labels_changed", conversation_id=conversation.id, labels=new)
    return conversation


async def link_contact(conversation_id: int, contact_id: int, *, by: User | None) -> Conversation:
    """Put the conversation on an existing contact; the old contact, if left with nothing, is merged into it."""
    require_write(by, Area.INBOX)
    async with atomic() as out:
        current = await Conversation.get_or_none(id=conversation_id)
        if current is None:
            raise NotFound(f"conversation {conversation_id} not found")
        await check_conversation(by, conversation_id)
        old_id = current.contact_id
        # Contacts before the conversation: the lock order of ingest, so the two never deadlock.
        locked = await Contact.filter(id__in=[old_id, contact_id]).order_by("id").select_for_update()
        contact = next((c for c in locked if c.id == contact_id and c.merged_into_id is None), None)
        if contact is None:
            raise NotFound(f"contact {contact_id} not found")
        conversation = await Conversation.filter(id=conversation_id).select_for_update().get()
        if conversation.contact_id == contact.id:
            return conversation
        conversation.contact_id = contact.id
        await conversation.save(update_fields=["contact_id"])
        await record(by, "conversation.link_contact", conversation, contact_id=[old_id, contact.id])
        out.emit("conversation.contact_linked", conversation_id=conversation.id, contact_id=contact.id, old=old_id)
        # A contact made up for an unknown sender and now empty: fold it in so its identity (the chat
        # id, the number) finds the right contact next time. Anything else it has stays; no merge then.
        if not await count_references(old_id, skip=(ContactIdentity,)):
            await merge_contacts(contact.id, old_id, by=by)
    return conversation


async def hand_to_bot(conversation_id: int, *, by: User | None) -> Conversation:
    """Give the conversation back to the bot (only on Telegram, Bale and SMS)."""
    require_write(by, Area.INBOX)
    async with _editing(conversation_id, by) as (conversation, out):
        if conversation.channel not in BOT_CHANNELS:
            raise ValidationError(f"there is no bot on {conversation.channel.value}")
        old = conversation.status
        if old != ConversationStatus.BOT:
            conversation.status, conversation.resolved_at = ConversationStatus.BOT, None
            await conversation.save(update_fields=["status", "resolved_at"])
            await record(by, "conversation.hand_to_bot", conversation, status=[old.value, "bot"])
            out.emit("conversation.handed_to_bot", conversation_id=conversation.id)
            out.emit("conversation.status_changed", conversation_id=conversation.id, old=old.value, new="bot")
    return conversation

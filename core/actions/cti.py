"""Calls reported by the PBX: one Call per callId, built from newCall / answer / hangup events.

Events may come twice or out of order (a hangup before its newCall, an answer after the
hangup). Each (callId, event) is taken once, through an InboundReceipt in the same
transaction, and every event only fills in what it knows, so any order ends in the same call.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from core.actions.calendar import load_calendar
from core.actions.contacts import find_contact_by_identity
from core.cti import ANSWER, HANGUP, MISSED_CAUSES, NEW_CALL, CtiEvent
from core.models import Call, Contact, IdentityKind, InboundReceipt, Task, Team, User
from core.models.enums import CallDirection, CallStatus
from core.phones import format_phone_for_display, try_normalize_phone
from core.text import normalize_search
from core.tx import Outcome, atomic

log = logging.getLogger(__name__)

RECEIPT_CHANNEL = "cti"
CALLBACK_KIND = "call_back"  # the same kind log_call gives a follow-up call
CALLBACK_DUE_MINUTES = 60  # business minutes
# Persian copy of the call-back task (shown to staff in the admin and on their task list).
CALLBACK_TITLE = "تماس بی‌پاسخ از {who}؛ لطفاً با ایشان تماس بگیرید"
UNKNOWN_CALLER = "شماره‌ی ناشناس"


def external_id(call_id: str) -> str:
    """The Call.external_id of a PBX callId (long ids are hashed to fit the column)."""
    if len(call_id) <= 120:
        return call_id
    return "sha256:" + hashlib.sha256(call_id.encode()).hexdigest()


async def handle_cti_event(event: CtiEvent, *, at: datetime | None = None) -> Call:
    """Apply one PBX event to its call and return the call; repeats change nothing."""
    at = at or datetime.now(UTC)
    for attempt in range(3):
        try:
            return await _apply(event, at)
        except IntegrityError:
            # Two deliveries raced: either this exact event was taken, or both created the call.
            call = await Call.get_or_none(external_id=external_id(event.call_id))
            if call is not None and await InboundReceipt.exists(channel=RECEIPT_CHANNEL, key=_receipt_key(event)):
                return call
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _receipt_key(event: CtiEvent) -> str:
    return f"{external_id(event.call_id)}:{event.event}"


async def _apply(event: CtiEvent, at: datetime) -> Call:
    key = _receipt_key(event)
    async with atomic() as out:
        # Row lock on PostgreSQL: answer and hangup of one call arriving together apply in turn.
        call = await Call.filter(external_id=external_id(event.call_id)).select_for_update().first()
        taken = await InboundReceipt.exists(channel=RECEIPT_CHANNEL, key=key)
        if taken and call is not None:
            return call
        if not taken:
            await InboundReceipt.create(channel=RECEIPT_CHANNEL, key=key)
        if call is None:
            call = await _new_call(event, at)
        elif call.contact_id is None and event.number:
            call.contact = await _contact_for(event.number)
        if event.event == NEW_CALL:
            await _on_new_call(call, event, at, out)
        elif event.event == ANSWER:
            await _on_answer(call, event, at, out)
        elif event.event == HANGUP:
            await _on_hangup(call, event, at, out)
        await call.save()
    return call


async def _new_call(event: CtiEvent, at: datetime) -> Call:
    number = try_normalize_phone(event.number) or event.number[:32]
    return await Call.create(
        external_id=external_id(event.call_id),
        direction=event.direction,
        number=number,
        contact=await _contact_for(event.number),
        status=CallStatus.RINGING,
        started_at=at,
    )


async def _on_new_call(call: Call, event: CtiEvent, at: datetime, out: Outcome) -> None:
    if call.started_at is None or at < call.started_at:
        call.started_at = at
    if call.direction == CallDirection.OUT and call.user_id is None:
        call.user = await find_agent("", event.users)
    if call.status == CallStatus.RINGING:
        # `users`: whom the PBX rings, so the admin pops the call up for exactly those agents.
        contact_id = call.contact_id
        out.emit("call.ringing", call_id=call.id, contact_id=contact_id, number=call.number, users=list(event.users))


async def _on_answer(call: Call, event: CtiEvent, at: datetime, out: Outcome) -> None:
    if call.ended_at is not None and call.cause in MISSED_CAUSES:
        return  # the PBX already said nobody picked up; a stray answer does not undo that
    agent = await find_agent(event.answering_number, event.users)
    if agent is not None:
        call.user = agent
    # An answer that arrives after its hangup says the call was taken; its real time is unknown.
    call.answered_at = min(at, call.ended_at) if call.ended_at else at
    if call.ended_at is None:
        call.status = CallStatus.ANSWERED
    else:
        call.status = CallStatus.COMPLETED
        call.duration_seconds = _seconds(call.answered_at, call.ended_at)
        await Task.filter(call_id=call.id, kind=CALLBACK_KIND, done_at=None).update(done_at=at)
    out.emit("call.answered", call_id=call.id, contact_id=call.contact_id, user_id=call.user_id)


async def _on_hangup(call: Call, event: CtiEvent, at: datetime, out: Outcome) -> None:
    if event.answering_number and call.user_id is None:
        call.user = await find_agent(event.answering_number, ())
    call.ended_at = at
    call.cause = event.cause or None
    if call.answered_at is not None and not event.missed_cause:
        call.status = CallStatus.COMPLETED
        call.duration_seconds = _seconds(call.answered_at, at)
    else:
        call.status = CallStatus.MISSED
        call.duration_seconds = 0
        if call.direction == CallDirection.IN:
            await _raise_callback(call, event, at, out)
    out.emit("call.ended", call_id=call.id, contact_id=call.contact_id, status=str(call.status))


async def _raise_callback(call: Call, event: CtiEvent, at: datetime, out: Outcome) -> None:
    if await Task.exists(call_id=call.id, kind=CALLBACK_KIND):
        return
    contact = await Contact.get_or_none(id=call.contact_id) if call.contact_id else None
    # The team of the staff the call rang for, when they share one; else the contact's team.
    called = [u for name in event.users if (u := await find_agent("", (name,))) is not None]
    teams = {u.team_id for u in called if u.team_id}
    team_id = teams.pop() if len(teams) == 1 else (contact.team_id if contact else None)
    number = format_phone_for_display(call.number) if call.number.startswith("+") else call.number
    who = f"{contact.display_name} ({number})" if contact and contact.display_name else number or UNKNOWN_CALLER
    task = await Task.create(
        title=CALLBACK_TITLE.format(who=who)[:300],
        kind=CALLBACK_KIND,
        contact_id=call.contact_id,
        call=call,
        team=await Team.get_or_none(id=team_id) if team_id else None,
        owner=called[0] if len(called) == 1 and not team_id else None,
        due_at=(await load_calendar()).add_business_minutes(at, CALLBACK_DUE_MINUTES),
    )
    out.emit("task.created", task_id=task.id, kind=CALLBACK_KIND, call_id=call.id, team_id=team_id)


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


async def _contact_for(raw_number: str) -> Contact | None:
    """The contact whose phone identity is this number (any spelling), or None (anonymous, unknown)."""
    return await find_contact_by_identity(IdentityKind.PHONE, raw_number) if raw_number else None


async def find_agent(answering_number: str, users: tuple[str, ...] | list[str]) -> User | None:
    """The staff member a PBX names: by extension, phone, username or email, else by a single user name."""
    staff = await User.filter(is_active=True).all()
    value = answering_number.strip()
    if value:
        phone = try_normalize_phone(value)
        for match in (
            lambda u: u.extension == value,
            lambda u: phone is not None and u.phone is not None and try_normalize_phone(u.phone) == phone,
            lambda u: u.username.lower() == value.lower(),
            lambda u: (u.email or "").lower() == value.lower(),
        ):
            found = [u for u in staff if match(u)]
            if len(found) == 1:
                return found[0]
    if len(users) == 1:
        name = normalize_search(users[0])
        found = [u for u in staff if u.username.lower() == users[0].lower() or normalize_search(u.full_name) == name]
        if len(found) == 1:
            return found[0]
    return None

"""Logging phone calls by hand (CH-CALL): the caller's contact found by number, a follow-up task if asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.areas import Area, require_write
from core.errors import ValidationError
from core.models import Call, Contact, ContactIdentity, IdentityKind, Task, User
from core.models.enums import CallDirection, CallStatus
from core.phones import normalize_phone
from core.text import normalize_search
from core.tx import Outcome, atomic

MAX_DURATION = 24 * 3600
ATTEMPTS = 3


async def contact_for_number(e164: str, out: Outcome, *, name: str = "", owner: User | None = None) -> Contact:
    """Inside a transaction: the contact with this phone (or fax) number, or a new one of `owner` named by the number.

    An existing contact stays as it is: a call links to it but gives the caller no access to it.
    """
    identity = (
        await ContactIdentity.filter(kind__in=[IdentityKind.PHONE, IdentityKind.FAX], value=e164)
        .order_by("kind")  # a phone beats a fax line
        .first()
    )
    if identity is not None:
        contact = await Contact.get(id=identity.contact_id)
        while contact.merged_into_id is not None:
            contact = await Contact.get(id=contact.merged_into_id)
        return contact
    label = name.strip()[:200] or e164
    contact = await Contact.create(
        display_name=label,
        name_search=normalize_search(label)[:200],
        owner=owner,
        team_id=owner.team_id if owner else None,
    )
    await ContactIdentity.create(contact=contact, kind=IdentityKind.PHONE, value=e164, display=e164)
    out.emit("contact.created", contact_id=contact.id)
    return contact


async def log_call(
    *,
    direction: CallDirection,
    number: str,
    by: User | None,
    outcome: str = "",
    notes: str = "",
    duration_seconds: int = 0,
    started_at: datetime | None = None,
    follow_up: str | None = None,
    follow_up_due: datetime | None = None,
    status: CallStatus = CallStatus.COMPLETED,
) -> Call:
    """Record a call with the contact found by number (or created) and an optional follow-up task."""
    require_write(by, Area.CALLS)
    e164 = normalize_phone(number)
    if not 0 <= int(duration_seconds) <= MAX_DURATION:
        raise ValidationError("duration_seconds: between 0 and 86400")
    fields = {
        "direction": CallDirection(direction),
        "number": e164,
        "user": by,
        "status": CallStatus(status),
        "outcome": outcome.strip()[:60],
        "notes": notes.strip(),
        "started_at": started_at,
        "ended_at": started_at + timedelta(seconds=int(duration_seconds)) if started_at else None,
        "duration_seconds": int(duration_seconds),
    }
    task = (follow_up or "").strip()[:300] or None
    for attempt in range(ATTEMPTS):
        try:
            return await _write(fields, by, task, follow_up_due)
        except IntegrityError:
            # Two calls from one new number at once: the retry finds the contact the other one made.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _write(fields: dict[str, Any], by: User | None, follow_up: str | None, due: datetime | None) -> Call:
    async with atomic() as out:
        contact = await contact_for_number(fields["number"], out, owner=by)
        call = await Call.create(contact=contact, **fields)
        task = None
        if follow_up:
            task = await Task.create(
                title=follow_up,
                kind="call_back",
                contact=contact,
                call=call,
                owner=by,
                team_id=by.team_id if by else None,
                due_at=due,
            )
            out.emit("task.created", task_id=task.id, contact_id=contact.id, owner_id=by.id if by else None)
        await record(by, "call.log", call, number=call.number, direction=call.direction.value, task_id=task and task.id)
        out.emit("call.logged", call_id=call.id, contact_id=contact.id, direction=call.direction.value)
    return call

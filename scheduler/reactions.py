"""Reacting at once to events the sweeps would otherwise only catch at their next round.

Events are in-process and published after commit; a missed one (another process, a crash) is caught
by the next sweep, so every reaction here is only about promptness, never about correctness.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from core.actions.sla import OPEN_STATES, refresh_cases, stamp_first_responses
from core.actions.survey_followups import check_low_score
from core.db import int_column
from core.events import Event, bus
from core.models import Call, Case, Message
from core.sweeps.imports import notify_purchase_order


def _now() -> datetime:
    return datetime.now(UTC)


async def case_changed(event: Event) -> None:
    """A case opened or changed status or priority: store its due times now."""
    await refresh_cases([int(event.data["case_id"])])


async def clocks_changed(event: Event) -> None:
    """The calendar changed: every open case's due times move."""
    await refresh_cases()


async def staff_answered(event: Event) -> None:
    """A reply was queued or a call logged or answered: stamp the first response of the customer's open cases."""
    contact_id = event.data.get("contact_id")
    if event.name == "message.queued":
        message = await Message.get_or_none(id=event.data.get("message_id"))
        if message is None or message.author_id is None or message.internal:
            return  # bot replies and notes are not answers from a person
        contact_id = (await message.conversation).contact_id
    elif contact_id is None and event.data.get("call_id"):
        call = await Call.get_or_none(id=event.data["call_id"])
        contact_id = call.contact_id if call else None
    if contact_id and await Case.exists(contact_id=contact_id, first_response_at__isnull=True):
        await stamp_first_responses(_now(), contact_id=int(contact_id))
        ids = await int_column(Case.filter(contact_id=contact_id, status__in=OPEN_STATES))
        await refresh_cases(ids)


async def stage_changed(event: Event) -> None:
    """An import purchase order moved: tell the linked orders' customers if the stage is a chosen one."""
    await notify_purchase_order(int(event.data["purchase_order_id"]), _now())


async def response_completed(event: Event) -> None:
    """A survey response was completed: a low score opens a follow-up case and tells the manager."""
    await check_low_score(int(event.data["response_id"]), _now())


REACTIONS: tuple[tuple[str, Callable[[Event], object]], ...] = (
    ("case.opened", case_changed),
    ("case.status_changed", case_changed),
    ("case.priority_changed", case_changed),
    ("calendar.changed", clocks_changed),
    ("message.queued", staff_answered),
    ("call.logged", staff_answered),
    ("call.answered", staff_answered),
    ("procurement.stage_changed", stage_changed),
    ("survey.response_completed", response_completed),
)


def install() -> Callable[[], None]:
    """Subscribe every reaction on the event bus; returns the function that unsubscribes them all."""
    undo = [bus.subscribe(name, fn) for name, fn in REACTIONS]  # type: ignore[arg-type]

    def uninstall() -> None:
        for fn in undo:
            fn()

    return uninstall

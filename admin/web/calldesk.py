"""The call-center desk (CH-CALL): a number in any digit set finds the caller, their open cases and orders at once.

Calls are logged with outcome, notes and an optional follow-up task whose due date is typed
as a Jalali date; calls the PBX reports pop up live (live.js fetches the pop-up from here).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.web import words
from admin.web.context import current_user
from admin.web.records import back, error_page, int_or_none, page_view
from admin.web.templating import render
from core.access import call_q, case_q, contact_q, conversation_q, sees_all, task_q
from core.actions.calls import log_call
from core.actions.contacts import find_contact_by_identity
from core.errors import ValidationError
from core.jalali import parse_jalali_datetime
from core.models import Call, Case, CaseStatus, Contact, ContactIdentity, Conversation, IdentityKind, Task, User
from core.models.enums import CallDirection
from core.phones import try_normalize_phone
from core.queries import search_contacts
from core.queries.customer import orders_of

MAX_DURATION_MINUTES = 24 * 60


async def _may_see(user: User, contact: Contact) -> bool:
    return await Contact.filter(contact_q(user), id=contact.id).exists()


async def _caller(user: User, number: str) -> tuple[Contact | None, bool, list[Contact]]:
    """(the contact with this exact number if visible, whether a hidden one has it, other matches)."""
    exact = None
    if try_normalize_phone(number):
        exact = await find_contact_by_identity(IdentityKind.PHONE, number)
        exact = exact or await find_contact_by_identity(IdentityKind.FAX, number)
    if exact is not None:
        if await _may_see(user, exact):
            return exact, False, []
        return None, True, []
    return None, False, (await search_contacts(number, user=user, limit=10))[0]


async def calldesk(request: web.Request) -> web.Response:
    """GET /admin/calldesk?number=: the caller with identities, open cases, recent orders, calls and conversations."""
    user = current_user(request)
    number = request.query.get("number", "").strip()[:40]
    contact, hidden, matches = await _caller(user, number) if number else (None, False, [])
    context: dict[str, Any] = {
        "number": number,
        "normalized": try_normalize_phone(number) if number else None,
        "contact": contact,
        "hidden": hidden,
        "matches": matches,
        "outcomes": words.CALL_OUTCOMES,
        "directions": CallDirection,
    }
    if contact is not None:
        # Only the cases, calls, conversations and tasks of the caller that this user may open.
        cases = Case.filter(case_q(user), contact_id=contact.id).exclude(status=CaseStatus.CLOSED)
        tasks = Task.filter(task_q(user), contact_id=contact.id, done_at=None)
        context.update(
            identities=await ContactIdentity.filter(contact_id=contact.id).order_by("kind", "id"),
            cases=await cases.order_by("-id").limit(10),
            orders=await orders_of(contact.id, limit=5),
            calls=await Call.filter(call_q(user), contact_id=contact.id).order_by("-created_at", "-id").limit(5),
            conversations=await Conversation.filter(conversation_q(user), contact_id=contact.id)
            .order_by("-last_activity_at")
            .limit(5),
            tasks=await tasks.order_by("due_at", "id").limit(5),
        )
    return page_view("calldesk.html", request, context)


async def calldesk_log(request: web.Request) -> web.Response:
    """POST /admin/calldesk/log: record the call (and a follow-up task with a Jalali due date if asked)."""
    user = current_user(request)
    form = await request.post()
    number = str(form.get("number", "")).strip()[:40]
    here = "/admin/calldesk?number=" + quote(number)
    normalized = try_normalize_phone(number)
    if normalized is None:
        raise back(request, here, words.BAD_PHONE, error=True)
    due_text = str(form.get("follow_up_due", "")).strip()
    follow_up = str(form.get("follow_up", "")).strip()[:300]
    try:
        due = parse_jalali_datetime(due_text, request.app[SETTINGS_KEY].timezone) if due_text else None
    except ValidationError:
        raise back(request, here, words.BAD_DATE, error=True) from None
    minutes = int_or_none(form.get("duration_minutes")) or 0
    try:
        await log_call(
            direction=CallDirection(str(form.get("direction", "in"))),
            number=normalized,
            by=user,
            outcome=str(form.get("outcome", "")).strip()[:60],
            notes=str(form.get("notes", "")).strip()[:10_000],
            duration_seconds=min(minutes, MAX_DURATION_MINUTES) * 60,
            follow_up=follow_up or None,
            follow_up_due=due,
        )
    except (ValidationError, ValueError):
        raise back(request, here, words.BAD_INPUT, error=True) from None
    raise back(request, here, words.CALL_LOGGED_WITH_TASK if follow_up else words.CALL_LOGGED)


async def call_popup(request: web.Request) -> web.Response:
    """GET /admin/calldesk/popup/{id}: the pop-up of a ringing or answered call, for the live page."""
    user = current_user(request)
    call = await Call.get_or_none(id=int_or_none(request.match_info["id"]) or 0)
    if call is None:
        raise error_page(request, 404, words.NOT_FOUND)
    contact = await Contact.get_or_none(id=call.contact_id) if call.contact_id else None
    mine = call.user_id in (None, user.id) or sees_all(user)
    if not mine and not (contact is not None and await _may_see(user, contact)):
        raise error_page(request, 403, words.FORBIDDEN)
    shown = contact if contact is not None and await _may_see(user, contact) else None
    open_cases = await Case.filter(contact_id=shown.id).exclude(status=CaseStatus.CLOSED).count() if shown else 0
    context = {"call": call, "contact": shown, "open_cases": open_cases, "w": words}
    return render("call_popup.html", request, context)


def setup(app: web.Application) -> None:
    """Register the call desk routes."""
    app.router.add_get("/admin/calldesk", calldesk, name="calldesk")
    app.router.add_post("/admin/calldesk/log", calldesk_log)
    app.router.add_get("/admin/calldesk/popup/{id}", call_popup)

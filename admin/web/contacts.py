"""Contacts (INB-2, INB-7, INB-9): search, the contact page with identities and timeline, edit, merge."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from admin.web import words
from admin.web.context import current_user
from admin.web.records import Paging, back, page_view, visible_contact
from core.access import case_q, contact_q, conversation_q
from core.actions.contacts import add_identity, merge_contacts, update_contact
from core.actions.merge import contact_references
from core.errors import IdentityTaken, NotFound, ValidationError
from core.models import Case, CaseStatus, Contact, ContactIdentity, Conversation, IdentityKind
from core.phones import format_phone_for_display
from core.queries import TimelineItem, contact_timeline, search_contacts
from core.queries.customer import orders_of

TIMELINE_SIZE = 200
# What a merge moves, named for staff; a model not listed shows its class name.
MOVED_NAMES = {
    "ContactIdentity": "راه ارتباطی",
    "Conversation": "گفتگو",
    "Case": "پرونده",
    "Lead": "سرنخ فروش",
    "Call": "تماس",
    "Task": "کار",
    "Order": "سفارش",
    "Device": "دستگاه",
    "Response": "پاسخ نظرسنجی",
    "DialogState": "وضعیت گفتگوی ربات",
}


def _shown(item: TimelineItem) -> TimelineItem:
    """A call's number as staff read it (۰۹۱۲ ۱۲۳ ۴۵۶۷) instead of the stored +98 form."""
    if item.kind != "call" or not item.summary.startswith("+"):
        return item
    number, sep, rest = item.summary.partition(" — ")
    return replace(item, summary=format_phone_for_display(number) + sep + rest)


async def _identities(contact_ids: list[int]) -> dict[int, list[ContactIdentity]]:
    found: dict[int, list[ContactIdentity]] = {}
    for identity in await ContactIdentity.filter(contact_id__in=contact_ids).order_by("kind", "id"):
        found.setdefault(identity.contact_id, []).append(identity)
    return found


async def contact_list(request: web.Request) -> web.Response:
    """GET /admin/contacts?q=: contacts the user may see, searched by name, phone (any digits) or email."""
    q = request.query.get("q", "").strip()
    paging = Paging.of(request.query)
    rows, total = await search_contacts(q, user=current_user(request), limit=paging.limit, offset=paging.offset)
    context = {
        "rows": rows,
        "identities": await _identities([c.id for c in rows]),
        "q": q,
        "paging": Paging.of(request.query, total),
    }
    return page_view("contacts.html", request, context)


async def contact_page(request: web.Request) -> web.Response:
    """GET /admin/contacts/{id}: identities, editable fields, conversations, open cases and the timeline."""
    contact = await visible_contact(request)
    if str(contact.id) != request.match_info["id"]:
        raise web.HTTPFound(f"/admin/contacts/{contact.id}")  # a merged contact lives on in the kept one
    user = current_user(request)
    merge_q = request.query.get("merge_q", "").strip()
    candidates = (await search_contacts(merge_q, user=user, limit=10))[0] if merge_q else []
    # Seeing a contact is not seeing everything about it: only the conversations and cases the user may open.
    conversations = Conversation.filter(conversation_q(user), contact_id=contact.id)
    open_cases = Case.filter(case_q(user), contact_id=contact.id).exclude(status=CaseStatus.CLOSED)
    context = {
        "contact": contact,
        "identities": (await _identities([contact.id])).get(contact.id, []),
        "kinds": IdentityKind,
        "conversations": await conversations.order_by("-last_activity_at").limit(20),
        "open_cases": await open_cases.order_by("-id"),
        "orders": await orders_of(contact.id, limit=5),
        "timeline": [_shown(i) for i in await contact_timeline(contact.id, user=user, limit=TIMELINE_SIZE)],
        "merge_q": merge_q,
        "candidates": [c for c in candidates if c.id != contact.id],
    }
    return page_view("contact.html", request, context)


async def contact_edit(request: web.Request) -> web.Response:
    """POST /admin/contacts/{id}/edit: name, segment and notes."""
    contact = await visible_contact(request)
    form = await request.post()
    fields = {
        "display_name": str(form.get("display_name", "")).strip()[:200],
        "segment": str(form.get("segment", "")).strip()[:60] or None,
        "notes": str(form.get("notes", "")).strip()[:10_000],
    }
    try:
        await update_contact(contact.id, by=current_user(request), **fields)
    except (ValidationError, NotFound):
        raise back(request, f"/admin/contacts/{contact.id}", words.BAD_INPUT, error=True) from None
    raise back(request, f"/admin/contacts/{contact.id}", words.CONTACT_SAVED)


async def identity_add(request: web.Request) -> web.Response:
    """POST /admin/contacts/{id}/identities: one more phone, email, fax or messenger id."""
    contact = await visible_contact(request)
    form = await request.post()
    path = f"/admin/contacts/{contact.id}#identities"
    try:
        kind = IdentityKind(str(form.get("kind", "")))
        await add_identity(contact.id, kind, str(form.get("value", ""))[:255], by=current_user(request))
    except IdentityTaken as exc:
        # Suggest a merge only with a contact the user may open; never hint at one they may not.
        visible = Contact.filter(contact_q(current_user(request)), id=exc.contact_id or 0)
        message = words.IDENTITY_TAKEN if await visible.exists() else words.IDENTITY_TAKEN_HIDDEN
        raise back(request, path, message, error=True) from None
    except ValidationError as exc:
        message = words.BAD_PHONE if "phone" in str(exc) else words.BAD_INPUT
        raise back(request, path, message, error=True) from None
    except (ValueError, NotFound):
        raise back(request, path, words.BAD_INPUT, error=True) from None
    raise back(request, path, words.IDENTITY_ADDED)


async def _moves(contact_id: int) -> list[tuple[str, int]]:
    moves = []
    for model, column in contact_references():
        if model is Contact:
            continue
        count = await model.filter(**{column: contact_id}).count()
        if count:
            moves.append((MOVED_NAMES.get(model.__name__, model.__name__), count))
    return moves


async def merge_preview(request: web.Request) -> web.Response:
    """GET /admin/contacts/{id}/merge?other=ID: what moves from the other contact before anything changes."""
    keep = await visible_contact(request)
    other = await visible_contact(request, record_id=request.query.get("other") or "x")
    if other.id == keep.id:
        raise back(request, f"/admin/contacts/{keep.id}", words.MERGE_SAME, error=True)
    context = {
        "keep": keep,
        "other": other,
        "moves": await _moves(other.id),
        "other_identities": (await _identities([other.id])).get(other.id, []),
    }
    return page_view("contact_merge.html", request, context)


async def merge(request: web.Request) -> web.Response:
    """POST /admin/contacts/{id}/merge: move everything of `other` to this contact (nothing is lost)."""
    keep = await visible_contact(request)
    form = await request.post()
    other = await visible_contact(request, record_id=form.get("other") or "x")
    if other.id == keep.id:
        raise back(request, f"/admin/contacts/{keep.id}", words.MERGE_SAME, error=True)
    try:
        kept = await merge_contacts(keep.id, other.id, by=current_user(request))
    except (ValidationError, NotFound):
        raise back(request, f"/admin/contacts/{keep.id}", words.BAD_INPUT, error=True) from None
    raise back(request, f"/admin/contacts/{kept.id}", words.CONTACTS_MERGED.format(name=kept.display_name))


def setup(app: web.Application) -> None:
    """Register the contact routes."""
    r = app.router
    r.add_get("/admin/contacts", contact_list, name="contacts")
    r.add_get("/admin/contacts/{id}", contact_page)
    r.add_post("/admin/contacts/{id}/edit", contact_edit)
    r.add_post("/admin/contacts/{id}/identities", identity_add)
    r.add_get("/admin/contacts/{id}/merge", merge_preview)
    r.add_post("/admin/contacts/{id}/merge", merge)

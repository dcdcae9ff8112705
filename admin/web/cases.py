"""Cases (SRV-5): the list with filters, the case page with SLA due times and history, status changes.

A case is opened from a conversation (any channel, letters included) on the conversation page,
or from a logged call here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web
from tortoise.expressions import Q, RawSQL, Subquery

from admin.web import words
from admin.web.context import current_user
from admin.web.records import Paging, back, error_page, int_or_none, page_view, visible_case
from core.access import case_q, contact_q, sees_all
from core.actions.cases import open_case, set_case_status
from core.errors import Forbidden, NotFound, ValidationError
from core.models import Call, Case, CaseEvent, CaseStatus, CaseType, Channel, Contact, Conversation, Priority, User
from core.phones import format_phone_for_display
from core.queries.contacts import contact_match_q
from core.text import search_tokens, to_ascii_digits, to_persian_digits

VIEWS = {"all": "همه", "mine": "پرونده‌های من", "team": "تیم من"}
OPEN_STATES = "new,open,waiting"
STATUS_FILTERS = {"active": "جاری", **words.CASE_STATUS_NAMES, "any": "همهٔ وضعیت‌ها"}
# The buttons on a case page: target status and its label.
TRANSITIONS = {
    "open": "در حال رسیدگی",
    "waiting": "در انتظار مشتری",
    "resolved": "حل شد",
    "closed": "بستن پرونده",
}


def _normalized_subject() -> RawSQL:
    """The case subject with the spellings normalize_search unifies (ي/ك, آ, ZWNJ, Persian digits), in SQL."""
    sql = 'LOWER("service_case"."subject")'
    pairs = [("ي", "ی"), ("ى", "ی"), ("ك", "ک"), ("ة", "ه"), ("ۀ", "ه"), ("آ", "ا"), ("أ", "ا"), ("إ", "ا")]
    pairs += [("\u200c", ""), *zip("۰۱۲۳۴۵۶۷۸۹", "0123456789", strict=True)]
    for old, new in pairs:
        sql = f"REPLACE({sql}, '{old}', '{new}')"
    return RawSQL(sql)


def _text_q(text: str) -> Q | None:
    tokens = search_tokens(text)
    if not tokens:
        return None
    by_subject = Case.annotate(subject_key=_normalized_subject()).filter(*[Q(subject_key__contains=t) for t in tokens])
    match = Q(number__contains=to_ascii_digits(text.strip())) | Q(id__in=Subquery(by_subject.values("id")))
    if (people := contact_match_q(text)) is not None:
        match |= Q(contact_id__in=Subquery(Contact.filter(people).values("id")))
    return match


def _filtered(user: User, query: dict[str, str]) -> Q:
    q = case_q(user)
    view, status = query.get("view", "all"), query.get("status") or "active"
    if view == "mine":
        q &= Q(assignee_id=user.id)
    elif view == "team":
        q &= Q(team_id=user.team_id if user.team_id is not None else -1)
    if status != "any":
        names = OPEN_STATES.split(",") if status == "active" else [status]
        q &= Q(status__in=[s for s in names if s in words.CASE_STATUS_NAMES])
    if query.get("type") in words.CASE_TYPE_NAMES:
        q &= Q(type=query["type"])
    if query.get("priority") in words.PRIORITY_NAMES:
        q &= Q(priority=query["priority"])
    if (match := _text_q(query.get("q", ""))) is not None:
        q &= match
    return q


async def case_list(request: web.Request) -> web.Response:
    """GET /admin/cases: cases the user may see, filtered by view, status, type, priority and text."""
    user = current_user(request)
    query = {k: v.strip() for k, v in request.query.items()}
    query["view"] = query["view"] if query.get("view") in VIEWS else "all"
    paging = Paging.of(query)
    qs = Case.filter(_filtered(user, query))
    total = await qs.count()
    rows = await qs.order_by("-created_at", "-id").offset(paging.offset).limit(paging.limit)
    contacts = {c.id: c for c in await Contact.filter(id__in=[r.contact_id for r in rows])}
    counts = {name: await Case.filter(_filtered(user, {**query, "view": name})).count() for name in VIEWS}
    context = {
        "rows": rows,
        "contacts": contacts,
        "query": query,
        "views": VIEWS,
        "counts": counts,
        "statuses": STATUS_FILTERS,
        "types": words.CASE_TYPE_NAMES,
        "priorities": words.PRIORITY_NAMES,
        "paging": Paging.of(query, total),
        "now": datetime.now(UTC),
    }
    return page_view("cases.html", request, context)


async def case_page(request: web.Request) -> web.Response:
    """GET /admin/cases/{id}: status, priority, SLA due times, contact, conversation and history."""
    case = await visible_case(request)
    events = await CaseEvent.filter(case_id=case.id).order_by("at", "id")
    users = {
        u.id: u
        for u in await User.filter(
            id__in={e.user_id for e in events if e.user_id} | {case.assignee_id or 0, case.created_by_id or 0}
        )
    }
    context = {
        "case": case,
        "contact": await Contact.get(id=case.contact_id),
        "conversation": await Conversation.get_or_none(id=case.conversation_id) if case.conversation_id else None,
        "events": events,
        "users": users,
        "transitions": {k: v for k, v in TRANSITIONS.items() if k != case.status.value},
        "reopen": case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED),
        "now": datetime.now(UTC),
    }
    return page_view("case.html", request, context)


async def case_status(request: web.Request) -> web.Response:
    """POST /admin/cases/{id}/status: resolve, close, reopen or wait, with an optional note."""
    case = await visible_case(request)
    form = await request.post()
    note = str(form.get("note", "")).strip()[:5000]
    target = str(form.get("status", "")) or case.status.value
    try:
        await set_case_status(case.id, CaseStatus(target), by=current_user(request), note=note)
    except (ValidationError, ValueError, NotFound):
        raise back(request, f"/admin/cases/{case.id}", words.BAD_INPUT, error=True) from None
    except Forbidden:
        raise back(request, f"/admin/cases/{case.id}", words.FORBIDDEN, error=True) from None
    raise back(request, f"/admin/cases/{case.id}", words.CASE_STATUS_CHANGED)


async def case_from_call(request: web.Request) -> web.Response:
    """POST /admin/cases/from-call/{id}: open a case for the caller of a logged call."""
    user = current_user(request)
    call = await Call.get_or_none(id=int_or_none(request.match_info["id"]) or 0)
    if call is None or call.contact_id is None:
        raise error_page(request, 404, words.NOT_FOUND)
    allowed = sees_all(user) or call.user_id == user.id
    if not allowed and not await Contact.filter(contact_q(user), id=call.contact_id).exists():
        raise error_page(request, 403, words.FORBIDDEN)
    form = await request.post()
    subject = str(form.get("subject", "")).strip()[:300]
    if not subject:
        subject = f"تماس {format_phone_for_display(call.number)}" + (f"، {call.outcome}" if call.outcome else "")
    case = await open_case(
        contact_id=call.contact_id,
        by=user,
        type=CaseType(str(form.get("type", "service")) if form.get("type") in words.CASE_TYPE_NAMES else "service"),
        priority=Priority.NORMAL,
        subject=subject,
        description=call.notes,
        source_channel=Channel.CALL,
    )
    raise back(request, f"/admin/cases/{case.id}", words.CASE_OPENED.format(number=to_persian_digits(case.number)))


def setup(app: web.Application) -> None:
    """Register the case routes."""
    app.router.add_get("/admin/cases", case_list, name="cases")
    app.router.add_get("/admin/cases/{id}", case_page)
    app.router.add_post("/admin/cases/{id}/status", case_status)
    app.router.add_post("/admin/cases/from-call/{id}", case_from_call)

"""The alarm log (what was sent to whom, when, and its delivery status) and each staff member's linked chats."""

from __future__ import annotations

from aiohttp import web

from admin.web import alarm_copy as copy
from admin.web.context import current_user
from admin.web.errors import page_error
from admin.web.nav import NavItem, register
from admin.web.records import Paging, back, int_or_none, page_view
from admin.web.roles import require_area
from admin.web.staff_forms import field
from core.actions.alarms import acknowledge_alarm
from core.actions.staff_links import CODE_TTL, new_link_code, unlink_chat
from core.areas import Area
from core.errors import NotFound, ValidationError
from core.models import Alarm, AlarmDelivery, Channel, Contact, OutboundMessage, StaffLink, User
from core.text import to_persian_digits

BOT_NAMES = {"telegram": "تلگرام", "bale": "بله"}


async def _deliveries(alarm_ids: list[int]) -> dict[int, list[dict[str, object]]]:
    rows = await AlarmDelivery.filter(alarm_id__in=alarm_ids).order_by("level", "id")
    users: dict[int | None, User] = {u.id: u for u in await User.filter(id__in=[r.user_id for r in rows if r.user_id])}
    contacts: dict[int | None, Contact] = {
        c.id: c for c in await Contact.filter(id__in=[r.contact_id for r in rows if r.contact_id])
    }
    sends: dict[int | None, OutboundMessage] = {
        o.id: o for o in await OutboundMessage.filter(id__in=[r.outbound_id for r in rows if r.outbound_id])
    }
    out: dict[int, list[dict[str, object]]] = {}
    for r in rows:
        user, contact, send = users.get(r.user_id), contacts.get(r.contact_id), sends.get(r.outbound_id)
        who = (user.full_name or user.username) if user else (contact.display_name if contact else "—")
        status = send.status.value if send is not None else r.status
        out.setdefault(r.alarm_id, []).append(
            {
                "who": who,
                "customer": contact is not None,
                "channel": r.channel.value,
                "address": r.address,
                "level": copy.LEVEL_NAMES.get(r.level, ""),
                "status": copy.DELIVERY_STATUS_NAMES.get(status, status),
                "failed": status in ("failed", "skipped"),
                "error": (send.error if send is not None else r.error) or "",
                "when": (send.sent_at if send is not None and send.sent_at else r.queued_at) or r.send_after,
            }
        )
    return out


async def alarm_log(request: web.Request) -> web.Response:
    """Alarms and notices, newest first, each with its deliveries (filter by kind)."""
    require_area(request, Area.ALARMS)
    query = dict(request.query)
    kind = query.get("kind", "")
    alarms = Alarm.all() if not kind else Alarm.filter(kind=kind)
    paging = Paging.of(query, await alarms.count())
    rows = await alarms.order_by("-id").offset(paging.offset).limit(paging.limit)
    context = {
        "alarms": rows,
        "deliveries": await _deliveries([a.id for a in rows]),
        "kind": kind,
        "paging": paging,
        "c": copy,
    }
    return page_view("alarms.html", request, context)


async def alarm_ack(request: web.Request) -> web.Response:
    """Acknowledge an alarm: no further escalation, no deferred sends."""
    user = require_area(request, Area.ALARMS, write=True)
    try:
        await acknowledge_alarm(int_or_none(request.match_info["id"]) or 0, by=user)
    except NotFound:
        raise page_error(request, 404) from None
    raise back(request, "/admin/alarms", copy.ALARM_ACKNOWLEDGED)


async def _mine(request: web.Request, *, code: str = "") -> web.Response:
    user = current_user(request)
    links = await StaffLink.filter(user_id=user.id).order_by("channel")
    context = {
        "links": links,
        "code": code,
        "minutes": to_persian_digits(int(CODE_TTL.total_seconds() // 60)),
        "bots": BOT_NAMES,
    }
    response = page_view("alarm_me.html", request, context)
    if code:
        response.headers["Cache-Control"] = "no-store"  # the code is shown once
    return response


async def my_alarms(request: web.Request) -> web.Response:
    """The signed-in staff member's linked Telegram/Bale chats and how to link one."""
    return await _mine(request)


async def my_code(request: web.Request) -> web.Response:
    """A new one-time code to send to the bot as /link CODE."""
    user = current_user(request)
    return await _mine(request, code=await new_link_code(user.id, by=user))


async def my_unlink(request: web.Request) -> web.Response:
    """Remove one of my linked chats."""
    user = current_user(request)
    form = await request.post()
    channel = field(form, "channel", 10)
    try:
        await unlink_chat(user.id, Channel(channel), by=user)
    except (ValueError, ValidationError):
        raise page_error(request, 400) from None
    raise back(request, "/admin/alarms/me", copy.UNLINKED.format(channel=BOT_NAMES.get(channel, channel)))


def setup(app: web.Application) -> None:
    """Register the alarm log, the acknowledge action and the my-chats page, and their menu entries."""
    app.router.add_get("/admin/alarms", alarm_log, name="alarms")
    app.router.add_post(r"/admin/alarms/{id:\d+}/ack", alarm_ack)
    app.router.add_get("/admin/alarms/me", my_alarms, name="my_alarms")
    app.router.add_post("/admin/alarms/me/code", my_code)
    app.router.add_post("/admin/alarms/me/unlink", my_unlink)
    register(NavItem("/admin/alarms", "گزارش هشدارها", area=Area.ALARMS))
    register(NavItem("/admin/alarms/me", "هشدارهای من"))

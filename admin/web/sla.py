"""SLA policies page: first-response and resolution targets per case type and priority (admins and managers)."""

from __future__ import annotations

from aiohttp import web

from admin.web import alarm_copy as copy
from admin.web import words
from admin.web.nav import NavItem, register
from admin.web.records import back, page_view
from admin.web.roles import require_area
from admin.web.staff_forms import field
from core.actions.sla import ensure_default_policies, set_sla_policy
from core.areas import Area
from core.errors import ValidationError
from core.models import CaseType, Priority, SlaPolicy
from core.text import to_ascii_digits


async def _page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    await ensure_default_policies()
    policies = {(p.case_type.value, p.priority.value): p for p in await SlaPolicy.all()}
    context = {
        "types": [t.value for t in CaseType],
        "priorities": [p.value for p in Priority],
        "policies": policies,
        "error": error,
    }
    return page_view("sla.html", request, context, status=status)


async def sla_page(request: web.Request) -> web.Response:
    """Every case type × priority with its targets in business minutes and its warning percentage."""
    require_area(request, Area.SETTINGS)
    return await _page(request)


async def sla_save(request: web.Request) -> web.Response:
    """Save one policy; the open cases it covers get new due times at once."""
    user = require_area(request, Area.SETTINGS, write=True)
    form = await request.post()
    try:
        case_type, priority = CaseType(field(form, "case_type")), Priority(field(form, "priority"))
        await set_sla_policy(
            case_type,
            priority,
            first_response_minutes=to_ascii_digits(field(form, "first_response_minutes")) or None,
            resolution_minutes=to_ascii_digits(field(form, "resolution_minutes")) or None,
            warning_percent=to_ascii_digits(field(form, "warning_percent")) or "80",
            active=form.get("active") == "on",
            by=user,
        )
    except (ValueError, ValidationError):
        return await _page(request, error=copy.BAD_POLICY, status=400)
    text = copy.POLICY_SAVED.format(
        type=words.name_of(words.CASE_TYPE_NAMES, case_type), priority=words.name_of(words.PRIORITY_NAMES, priority)
    )
    raise back(request, "/admin/sla", text)


def setup(app: web.Application) -> None:
    """Register the SLA page and its menu entry."""
    app.router.add_get("/admin/sla", sla_page, name="sla")
    app.router.add_post("/admin/sla", sla_save)
    register(NavItem("/admin/sla", "مهلت‌های پاسخ", area=Area.SETTINGS))

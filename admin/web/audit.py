"""The audit page (admins only): every staff change, filtered by user, record kind and Jalali date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from admin.app_keys import SETTINGS_KEY
from admin.web import copy
from admin.web.audit_format import AuditFormatter
from admin.web.nav import NavItem, register
from admin.web.roles import require_area
from admin.web.staff_forms import int_or_none, page
from core.areas import Area
from core.errors import ValidationError
from core.jalali import parse_jalali_date, zone
from core.models import AuditLog, User

PAGE_SIZE = 50
FILTERS = ("user", "object_type", "object_id", "from", "to")


@dataclass(frozen=True)
class Pages:
    """Numbered pages of a filtered list, with links that keep the filters."""

    number: int
    count: int
    params: dict[str, str]

    def link(self, number: int) -> str:
        params = {**self.params, "page": str(number)} if number > 1 else self.params
        return "/admin/audit" + ("?" + urlencode(params) if params else "")

    @property
    def prev(self) -> str | None:
        return self.link(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.number + 1) if self.number < self.count else None


def _day_start(text: str, tz: str, *, after: bool = False) -> datetime:
    """The UTC instant a Jalali day begins in `tz` (the next day's start with `after`: ranges include the day)."""
    day = parse_jalali_date(text) + (timedelta(days=1) if after else timedelta())
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz)).astimezone(UTC)  # SQLite compares stored UTC text


async def audit_page(request: web.Request) -> web.Response:
    """The audit log, newest first, fifty rows a page."""
    require_area(request, Area.AUDIT)
    tz = request.app[SETTINGS_KEY].timezone
    params = {k: request.query.get(k, "").strip()[:40] for k in FILTERS}
    query = AuditLog.all()
    errors = []
    if (user_id := int_or_none(params["user"])) is not None:
        query = query.filter(user_id=user_id)
    if params["object_type"]:
        query = query.filter(object_type=params["object_type"])
    if params["object_id"]:
        query = query.filter(object_id=params["object_id"])
    for key, after, lookup in (("from", False, "at__gte"), ("to", True, "at__lt")):
        if params[key]:
            try:
                query = query.filter(**{lookup: _day_start(params[key], tz, after=after)})
            except ValidationError:
                errors.append(copy.BAD_DATE.format(value=params[key]))
    total = await query.count()
    count = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, int_or_none(request.query.get("page")) or 1), count)
    rows = await query.select_related("user").order_by("-at", "-id").offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    context = {
        "rows": rows,
        "fmt": await AuditFormatter.for_rows(rows, tz),
        "total": total,
        "pages": Pages(number, count, {k: v for k, v in params.items() if v}),
        "params": params,
        "people": await User.all().order_by("username"),
        "object_types": sorted(await AuditLog.all().distinct().values_list("object_type", flat=True)),
        "error": " ".join(errors),
    }
    return page("audit.html", request, context)


def setup(app: web.Application) -> None:
    """Register the audit page and its menu entry (admins)."""
    app.router.add_get("/admin/audit", audit_page, name="audit")
    register(NavItem("/admin/audit", "گزارش تغییرات", area=Area.AUDIT))

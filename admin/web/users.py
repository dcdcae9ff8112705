"""Staff users pages: list, create with a shown-once password, edit, reset password, deactivate with hand-over."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tortoise.expressions import Q
from tortoise.functions import Max

from admin.web import copy
from admin.web.context import current_user, session_of
from admin.web.errors import page_error
from admin.web.nav import NavItem, register
from admin.web.roles import STAFF_EDITORS, STAFF_VIEWERS, has_role, require_role
from admin.web.staff_forms import field, int_or_none, page, redirect, refusal, secret_page
from core.actions.staff_admin import (
    deactivate_user,
    invite_user,
    open_work_counts,
    reactivate_user,
    reset_password,
    update_user,
)
from core.actions.staff_rules import StaffError
from core.areas import Area
from core.models import AuditLog, Role, Team, User
from core.text import to_persian_digits

STATUSES = {"active": {"is_active": True}, "inactive": {"is_active": False}, "all": {}}
FORM_FIELDS = ("username", "full_name", "role", "scope", "team_id", "phone", "extension")


async def _last_sign_ins(users: list[User]) -> dict[str, Any]:
    rows = (
        await AuditLog.filter(action="login.ok", object_type="login", object_id__in=[u.username for u in users])
        .group_by("object_id")
        .annotate(last=Max("at"))
        .values("object_id", "last")
    )
    return {row["object_id"]: row["last"] for row in rows}


async def users_list(request: web.Request) -> web.Response:
    """Every staff user with role, team, access scope, phone line and last sign-in; filters by text, role, team."""
    viewer = require_role(request, *STAFF_VIEWERS)
    q = request.query.get("q", "").strip()[:100]
    role, team_id = request.query.get("role", ""), request.query.get("team", "")
    status = request.query.get("status", "active")
    query = User.filter(**STATUSES.get(status, STATUSES["active"]))
    if q:
        query = query.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role in copy.ROLE_NAMES:
        query = query.filter(role=role)
    if (team := int_or_none(team_id)) is not None:
        query = query.filter(team_id=team)
    users = await query.select_related("team").order_by("username")
    context = {
        "people": users,
        "last_sign_in": await _last_sign_ins(users),
        "teams": await Team.all().order_by("name"),
        "filters": {"q": q, "role": role, "team": team_id, "status": status},
        "can_edit": has_role(viewer, *STAFF_EDITORS),
    }
    return page("users.html", request, context)


async def _form_context(values: dict[str, str] | None = None) -> dict[str, Any]:
    return {"teams": await Team.all().order_by("name"), "values": values or {"role": "agent", "scope": "team"}}


async def user_new(request: web.Request) -> web.Response:
    """The form for a new staff user."""
    require_role(request, *STAFF_EDITORS)
    return page("users_new.html", request, await _form_context())


async def user_create(request: web.Request) -> web.Response:
    """Create the user; the password (typed or generated) is shown on the next page only."""
    admin = require_role(request, *STAFF_EDITORS)
    form = await request.post()
    values = {name: field(form, name) for name in FORM_FIELDS}
    try:
        person, password = await invite_user(
            values["username"],
            by=admin,
            full_name=values["full_name"],
            role=values["role"],
            scope=values["scope"],
            team_id=int_or_none(values["team_id"]),
            phone=values["phone"],
            extension=values["extension"],
            password=field(form, "password", 300) or None,
        )
    except StaffError as exc:
        context = {**await _form_context(values), "error": refusal(exc)}
        return page("users_new.html", request, context, status=400)
    notice = copy.USER_CREATED.format(name=person.full_name or person.username)
    return secret_page(request, {"person": person, "password": password, "notice": notice})


async def _person(request: web.Request) -> User:
    person_id = int_or_none(request.match_info["id"])
    person = await User.filter(id=person_id).select_related("team").first() if person_id else None
    if person is None:
        raise page_error(request, 404)
    return person


def _values_of(person: User) -> dict[str, str]:
    return {
        "full_name": person.full_name,
        "role": person.role.value,
        "scope": person.scope.value,
        "team_id": str(person.team_id or ""),
        "phone": to_persian_digits(person.phone or ""),
        "extension": to_persian_digits(person.extension or ""),
    }


async def _detail(
    request: web.Request, person: User, *, error: str = "", status: int = 200, values: dict[str, str] | None = None
) -> web.Response:
    viewer = current_user(request)
    history = await AuditLog.filter(object_type="user", object_id=str(person.id)).order_by("-at").limit(10)
    context = {
        "person": person,
        "teams": await Team.all().order_by("name"),
        "work": await open_work_counts(person.id),
        "successors": await User.filter(is_active=True).exclude(id=person.id).order_by("full_name", "username"),
        "history": history,
        "can_edit": has_role(viewer, *STAFF_EDITORS),
        "is_self": viewer.id == person.id,
        "can_audit": has_role(viewer, Role.ADMIN),
        "values": values or _values_of(person),
        "error": error,
    }
    return page("users_detail.html", request, context, status=status)


async def user_page(request: web.Request) -> web.Response:
    """One user: details, edit form, password reset, and deactivation with hand-over."""
    require_role(request, *STAFF_VIEWERS)
    return await _detail(request, await _person(request))


async def user_update(request: web.Request) -> web.Response:
    """Save name, role, scope, team, phone and extension."""
    admin = require_role(request, *STAFF_EDITORS)
    person = await _person(request)
    form = await request.post()
    values = {name: field(form, name) for name in FORM_FIELDS if name != "username"}
    values["team_id"] = int_or_none(values["team_id"])  # type: ignore[assignment]
    try:
        await update_user(person.id, by=admin, **values)
    except StaffError as exc:
        typed = {k: str(v or "") for k, v in values.items()}
        return await _detail(request, person, error=refusal(exc), status=400, values=typed)
    raise redirect(request, f"/admin/users/{person.id}", copy.USER_SAVED)


async def user_password(request: web.Request) -> web.Response:
    """Set a new password (typed or generated) and show it once; the user's other sessions and API tokens end."""
    admin = require_role(request, *STAFF_EDITORS)
    person = await _person(request)
    form = await request.post()
    try:
        typed = field(form, "password", 300) or None
        own = session_of(request).sid if person.id == admin.id else None  # the admin stays signed in here
        password = await reset_password(person.id, by=admin, password=typed, keep_session=own)
    except StaffError as exc:
        return await _detail(request, person, error=refusal(exc), status=400)
    return secret_page(request, {"person": person, "password": password, "notice": "", "reset": True})


async def user_deactivate(request: web.Request) -> web.Response:
    """Deactivate the user and hand all their open records to the chosen colleague, in one action."""
    admin = require_role(request, *STAFF_EDITORS)
    person = await _person(request)
    form = await request.post()
    if field(form, "confirm") != "yes":
        return await _detail(request, person, error=copy.CONFIRM_HANDOVER, status=400)
    hand_to = int_or_none(field(form, "hand_to"))
    try:
        handed = await deactivate_user(person.id, by=admin, hand_to=hand_to)
    except StaffError as exc:
        return await _detail(request, person, error=refusal(exc), status=400)
    successor = await User.get_or_none(id=hand_to) if hand_to else None
    text = copy.USER_DEACTIVATED.format(
        name=person.full_name or person.username,
        count=to_persian_digits(handed.total),
        to=(successor.full_name or successor.username) if successor else "—",
    )
    raise redirect(request, f"/admin/users/{person.id}", text)


async def user_reactivate(request: web.Request) -> web.Response:
    """Let a deactivated user sign in again."""
    admin = require_role(request, *STAFF_EDITORS)
    person = await _person(request)
    await reactivate_user(person.id, by=admin)
    raise redirect(request, f"/admin/users/{person.id}", copy.USER_REACTIVATED.format(name=person.username))


def setup(app: web.Application) -> None:
    """Register the users pages and their menu entry (admins and managers)."""
    app.router.add_get("/admin/users", users_list, name="users")
    app.router.add_get("/admin/users/new", user_new)
    app.router.add_post("/admin/users", user_create)
    app.router.add_get(r"/admin/users/{id:\d+}", user_page)
    app.router.add_post(r"/admin/users/{id:\d+}", user_update)
    app.router.add_post(r"/admin/users/{id:\d+}/password", user_password)
    app.router.add_post(r"/admin/users/{id:\d+}/deactivate", user_deactivate)
    app.router.add_post(r"/admin/users/{id:\d+}/reactivate", user_reactivate)
    register(NavItem("/admin/users", "کاربران", area=Area.STAFF))

"""Teams pages: list and create, rename, members and the team lead (admins change, managers look)."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from admin.web import copy
from admin.web.context import current_user
from admin.web.errors import page_error
from admin.web.nav import NavItem, register
from admin.web.roles import require_area
from admin.web.staff_forms import field, int_or_none, page, redirect, refusal
from core.actions.staff_rules import StaffError
from core.actions.teams import create_team, rename_team, set_team_lead
from core.areas import Area, may_write
from core.models import Team, User


async def _list(request: web.Request, *, error: str = "", name: str = "", status: int = 200) -> web.Response:
    viewer = current_user(request)
    teams = await Team.all().order_by("name")
    members = Counter(await User.filter(is_active=True, team_id__not_isnull=True).values_list("team_id", flat=True))
    leads = {u.team_id: u for u in await User.filter(is_active=True, is_team_lead=True)}
    context = {
        "teams": teams,
        "members": members,
        "leads": leads,
        "can_edit": may_write(viewer, Area.STAFF),
        "error": error,
        "name": name,
    }
    return page("teams.html", request, context, status=status)


async def teams_list(request: web.Request) -> web.Response:
    """Every team with its member count and lead, and (for admins) the form for a new team."""
    require_area(request, Area.STAFF)
    return await _list(request)


async def team_create(request: web.Request) -> web.Response:
    """Create a team."""
    admin = require_area(request, Area.STAFF, write=True)
    form = await request.post()
    name = field(form, "name", 120)
    try:
        team = await create_team(name, segment=field(form, "segment", 60) or None, by=admin)
    except StaffError as exc:
        return await _list(request, error=refusal(exc), name=name, status=400)
    raise redirect(request, f"/admin/teams/{team.id}", copy.TEAM_CREATED.format(name=team.name))


async def _team(request: web.Request) -> Team:
    team_id = int_or_none(request.match_info["id"])
    team = await Team.get_or_none(id=team_id) if team_id else None
    if team is None:
        raise page_error(request, 404)
    return team


async def _detail(request: web.Request, team: Team, *, error: str = "", status: int = 200) -> web.Response:
    viewer = current_user(request)
    members = await User.filter(team_id=team.id).order_by("-is_active", "full_name", "username")
    context = {
        "team": team,
        "people": members,
        "lead": next((m for m in members if m.is_team_lead and m.is_active), None),
        "can_edit": may_write(viewer, Area.STAFF),
        "error": error,
    }
    return page("teams_detail.html", request, context, status=status)


async def team_page(request: web.Request) -> web.Response:
    """One team: its members, its lead, and the rename and lead forms."""
    require_area(request, Area.STAFF)
    return await _detail(request, await _team(request))


async def team_rename(request: web.Request) -> web.Response:
    """Rename the team."""
    admin = require_area(request, Area.STAFF, write=True)
    team = await _team(request)
    form = await request.post()
    try:
        await rename_team(team.id, field(form, "name", 120), by=admin)
    except StaffError as exc:
        return await _detail(request, team, error=refusal(exc), status=400)
    raise redirect(request, f"/admin/teams/{team.id}", copy.TEAM_SAVED)


async def team_lead(request: web.Request) -> web.Response:
    """Make a member the team's lead (or leave the team without one)."""
    admin = require_area(request, Area.STAFF, write=True)
    team = await _team(request)
    form = await request.post()
    try:
        await set_team_lead(team.id, int_or_none(field(form, "user_id")), by=admin)
    except StaffError as exc:
        return await _detail(request, team, error=refusal(exc), status=400)
    raise redirect(request, f"/admin/teams/{team.id}", copy.TEAM_SAVED)


def setup(app: web.Application) -> None:
    """Register the teams pages and their menu entry (admins and managers)."""
    app.router.add_get("/admin/teams", teams_list, name="teams")
    app.router.add_post("/admin/teams", team_create)
    app.router.add_get(r"/admin/teams/{id:\d+}", team_page)
    app.router.add_post(r"/admin/teams/{id:\d+}", team_rename)
    app.router.add_post(r"/admin/teams/{id:\d+}/lead", team_lead)
    register(NavItem("/admin/teams", "تیم‌ها", area=Area.STAFF))

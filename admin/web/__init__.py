"""The staff web admin under /admin: Persian, right-to-left, server-rendered (Jinja2)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from admin.web import audit, teams, users
from admin.web.auth import admin_auth
from admin.web.errors import admin_errors
from admin.web.home import home
from admin.web.login import login_page, login_submit, logout
from admin.web.route_areas import area_guard
from admin.web.templating import setup_templates

STATIC = Path(__file__).resolve().parent.parent / "static"


async def _to_home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/admin/")


def setup_web(app: web.Application) -> None:
    """Register the admin's middleware, templates, static files and pages."""
    setup_templates(app)
    app.middlewares.append(admin_errors)  # outside admin_auth: its refusals become Persian pages too
    app.middlewares.append(admin_auth)
    app.middlewares.append(area_guard)  # after admin_auth: it needs the signed-in user (admin/web/route_areas.py)
    app.router.add_static("/admin/static/", STATIC, name="static", append_version=True)
    app.router.add_get("/admin", _to_home)
    app.router.add_get("/admin/", home, name="home")
    app.router.add_get("/admin/login", login_page, name="login")
    app.router.add_post("/admin/login", login_submit)
    app.router.add_post("/admin/logout", logout, name="logout")
    from admin.web.areas import setup_areas

    setup_areas(app)
    users.setup(app)
    teams.setup(app)
    audit.setup(app)
    from admin.web import alarm_rules, alarms, calendar_admin, sla, survey_link

    for area in (sla, alarm_rules, alarms, calendar_admin, survey_link):  # SLA, alarms, calendar, survey links
        area.setup(app)

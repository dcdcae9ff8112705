"""Alarm rules pages: which events alarm whom, on which channels, with escalation and urgency (admins, managers)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from admin.web import alarm_copy as copy
from admin.web.copy import ROLE_NAMES
from admin.web.errors import page_error
from admin.web.nav import NavItem, register
from admin.web.records import back, int_or_none, page_view
from admin.web.roles import require_area
from admin.web.staff_forms import field
from core.actions.alarm_rules import delete_rule, ensure_default_rules, save_rule
from core.alarm_kinds import DYNAMIC, KINDS, ROLES, STAFF_CHANNELS
from core.areas import Area
from core.errors import NotFound, ValidationError
from core.models import AlarmRule, ImportStage, Survey, SurveyStatus, Team, User
from core.text import to_ascii_digits


async def rules_page(request: web.Request) -> web.Response:
    """Every rule, grouped by kind, and the form for one more rule of a kind."""
    require_area(request, Area.SETTINGS)
    await ensure_default_rules()
    rules = await AlarmRule.all().order_by("kind", "id")
    return page_view("alarm_rules.html", request, {"rules": rules, "kinds": KINDS, "c": copy})


async def _rule(request: web.Request) -> AlarmRule:
    rule = await AlarmRule.get_or_none(id=int_or_none(request.match_info["id"]) or 0)
    if rule is None:
        raise page_error(request, 404)
    return rule


async def _edit(request: web.Request, rule: AlarmRule, *, error: str = "", status: int = 200) -> web.Response:
    context = {
        "rule": rule,
        "kind": KINDS[rule.kind],
        "c": copy,
        "roles": ROLES,
        "dynamic": DYNAMIC,
        # In the rule's order first: for customers the order is the preference, and saving keeps it.
        "channels": [*rule.channels, *(c for c in STAFF_CHANNELS if c not in rule.channels)],
        "stages": [s.value for s in ImportStage],
        "users": await User.filter(is_active=True).order_by("full_name", "username"),
        "teams": await Team.all().order_by("name"),
        "surveys": await Survey.filter(status=SurveyStatus.PUBLISHED).order_by("-id"),
        "role_names": ROLE_NAMES,
        "error": error,
    }
    return page_view("alarm_rule.html", request, context, status=status)


async def rule_page(request: web.Request) -> web.Response:
    """One rule's form."""
    require_area(request, Area.SETTINGS)
    return await _edit(request, await _rule(request))


def _number(form: MultiDictProxy[Any], name: str) -> str:
    return to_ascii_digits(field(form, name, 12))


def _params(rule: AlarmRule, form: MultiDictProxy[Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if "stages" in rule.params:
        params["stages"] = form.getall("stages", [])
    if "limits" in rule.params:
        params["limits"] = {
            s.value: _number(form, f"limit_{s.value}") for s in ImportStage if _number(form, f"limit_{s.value}")
        }
    if "survey_id" in rule.params:
        params["survey_id"] = _number(form, "survey_id") or None
    for name in ("rating_max", "nps_max"):
        if name in rule.params:
            params[name] = _number(form, name) or rule.params[name]
    return params


async def rule_save(request: web.Request) -> web.Response:
    """Save a rule's recipients, channels, threshold, escalation, urgency and its kind's settings."""
    user = require_area(request, Area.SETTINGS, write=True)
    rule = await _rule(request)
    form = await request.post()
    values: dict[str, Any] = {
        "name": field(form, "name", 120),
        "active": form.get("active") == "on",
        "urgent": form.get("urgent") == "on",
        "threshold": _number(form, "threshold") or None,
        "escalate_after_minutes": _number(form, "escalate_after_minutes") or None,
        "recipients": {
            "users": form.getall("users", []),
            "teams": form.getall("teams", []),
            "roles": form.getall("roles", []),
            "dynamic": form.getall("dynamic", []),
        },
        "channels": form.getall("channels", []),
        "params": _params(rule, form),
    }
    try:
        await save_rule(rule.id, by=user, **values)
    except (ValidationError, NotFound):
        return await _edit(request, rule, error=copy.BAD_RULE, status=400)
    raise back(request, f"/admin/alarms/rules/{rule.id}", copy.RULE_SAVED)


async def rule_create(request: web.Request) -> web.Response:
    """Add another rule of a kind (for example a second installment reminder a day before)."""
    user = require_area(request, Area.SETTINGS, write=True)
    form = await request.post()
    try:
        rule = await save_rule(None, by=user, kind=field(form, "kind", 40))
    except ValidationError:
        raise back(request, "/admin/alarms/rules", copy.BAD_RULE, error=True) from None
    raise back(request, f"/admin/alarms/rules/{rule.id}", copy.RULE_CREATED)


async def rule_delete(request: web.Request) -> web.Response:
    """Delete a rule."""
    user = require_area(request, Area.SETTINGS, write=True)
    rule = await _rule(request)
    await delete_rule(rule.id, by=user)
    raise back(request, "/admin/alarms/rules", copy.RULE_DELETED)


def setup(app: web.Application) -> None:
    """Register the alarm rule pages and their menu entry."""
    app.router.add_get("/admin/alarms/rules", rules_page, name="alarm_rules")
    app.router.add_post("/admin/alarms/rules", rule_create)
    app.router.add_get(r"/admin/alarms/rules/{id:\d+}", rule_page)
    app.router.add_post(r"/admin/alarms/rules/{id:\d+}", rule_save)
    app.router.add_post(r"/admin/alarms/rules/{id:\d+}/delete", rule_delete)
    register(NavItem("/admin/alarms/rules", "قواعد هشدار", area=Area.SETTINGS))

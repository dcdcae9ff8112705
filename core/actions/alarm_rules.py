"""Alarm rules: the built-in defaults seeded once, and an admin's changes to them (PLT-5)."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from core.actions.audit import record
from core.alarm_kinds import DYNAMIC, KINDS, ROLES, STAFF_CHANNELS
from core.areas import Area, require_write
from core.errors import NotFound, ValidationError
from core.models import AlarmRule, ImportStage, Setting, Survey, Team, User
from core.tx import atomic

SEEDED_KEY = "alarms.seeded_kinds"
MAX_THRESHOLD = 10_000_000


async def ensure_default_rules() -> int:
    """Create the default rule of every built-in kind not seeded before (a deleted rule stays deleted)."""
    setting = await Setting.get_or_none(key=SEEDED_KEY)
    done = set(setting.value.get("kinds", [])) if setting and isinstance(setting.value, dict) else set()
    todo = [kind for kind in KINDS.values() if kind.key not in done]
    if not todo:
        return 0
    try:
        async with atomic():
            # The marker row is locked (or created) first, so two processes never seed twice.
            if setting is None:
                setting = await Setting.create(key=SEEDED_KEY, value={"kinds": []})
            else:
                setting = await Setting.filter(key=SEEDED_KEY).select_for_update().get()
                done = set(setting.value.get("kinds", []))
                todo = [kind for kind in todo if kind.key not in done]
            for kind in todo:
                await AlarmRule.create(kind=kind.key, name=kind.label, **kind.default)
            setting.value = {"kinds": sorted(done | {k.key for k in todo})}
            await setting.save(update_fields=["value", "updated_at"])
    except IntegrityError:  # another process created the marker at the same moment and seeded
        return 0
    return len(todo)


async def rules_of(kind: str) -> list[AlarmRule]:
    """The active rules of a kind, oldest first."""
    return list(await AlarmRule.filter(kind=kind, active=True).order_by("id"))


def _ids(values: Any, name: str) -> list[int]:
    if not isinstance(values, list | tuple):
        raise ValidationError(f"recipients.{name}: expected a list")
    out = []
    for value in values:
        if isinstance(value, bool) or not str(value).strip().isdigit():
            raise ValidationError(f"recipients.{name}: {value!r} is not an id")
        out.append(int(value))
    return sorted(set(out))


async def _recipients(value: Any) -> dict[str, list[Any]]:
    if not isinstance(value, dict):
        raise ValidationError("recipients: expected users, teams, roles and dynamic lists")
    users, teams = _ids(value.get("users", []), "users"), _ids(value.get("teams", []), "teams")
    if len(await User.filter(id__in=users)) != len(users):
        raise ValidationError("recipients.users: unknown user")
    if len(await Team.filter(id__in=teams)) != len(teams):
        raise ValidationError("recipients.teams: unknown team")
    roles = [str(r) for r in value.get("roles", [])]
    dynamic = [str(d) for d in value.get("dynamic", [])]
    if bad := [r for r in roles if r not in ROLES]:
        raise ValidationError(f"recipients.roles: unknown role {bad[0]!r}")
    if bad := [d for d in dynamic if d not in DYNAMIC]:
        raise ValidationError(f"recipients.dynamic: unknown recipient {bad[0]!r}")
    return {"users": users, "teams": teams, "roles": sorted(set(roles)), "dynamic": sorted(set(dynamic))}


def _channels(value: Any) -> list[str]:
    channels = [str(c) for c in (value or [])]
    if bad := [c for c in channels if c not in STAFF_CHANNELS]:
        raise ValidationError(f"channels: {bad[0]!r} is not telegram, bale, sms or email")
    return list(dict.fromkeys(channels))


def _number(value: Any, name: str, *, low: int = 0, high: int = MAX_THRESHOLD) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or not low <= int(value) <= high:
        raise ValidationError(f"{name}: expected a whole number from {low} to {high}")
    return int(value)


async def _params(kind: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError("params: expected an object")
    params = dict(KINDS[kind].default.get("params", {})) | value
    stages = {s.value for s in ImportStage}
    if "stages" in params and not set(params["stages"]) <= stages:
        raise ValidationError("params.stages: unknown import stage")
    if "limits" in params:
        limits = params["limits"]
        if not isinstance(limits, dict) or not set(limits) <= stages:
            raise ValidationError("params.limits: expected days per import stage")
        params["limits"] = {
            s: _number(d, f"params.limits.{s}", low=1) for s, d in limits.items() if d not in (None, "")
        }
    if params.get("survey_id") is not None:
        params["survey_id"] = _number(params["survey_id"], "params.survey_id", low=1)
        if not await Survey.exists(id=params["survey_id"]):
            raise ValidationError("params.survey_id: unknown survey")
    for name in ("rating_max", "nps_max"):
        if name in params:
            params[name] = _number(params[name], f"params.{name}", high=10)
    return params


async def save_rule(rule_id: int | None, *, by: User | None, kind: str | None = None, **values: Any) -> AlarmRule:
    """Create a rule of `kind` (rule_id None) or change one; unknown kinds, roles, users or stages are refused."""
    require_write(by, Area.SETTINGS)
    async with atomic() as out:
        if rule_id is None:
            if kind not in KINDS:
                raise ValidationError(f"kind: unknown alarm kind {kind!r}")
            rule = AlarmRule(kind=kind, name=KINDS[kind].label, **KINDS[kind].default)
        else:
            found = await AlarmRule.filter(id=rule_id).select_for_update().first()
            if found is None:
                raise NotFound(f"alarm rule {rule_id} not found")
            rule = found
        if "name" in values:
            rule.name = " ".join(str(values["name"] or "").split())[:120] or KINDS[rule.kind].label
        for flag in ("active", "urgent"):
            if flag in values:
                setattr(rule, flag, bool(values[flag]))
        if "threshold" in values:
            rule.threshold = _number(values["threshold"], "threshold")
        if "escalate_after_minutes" in values:
            rule.escalate_after_minutes = _number(values["escalate_after_minutes"], "escalate_after_minutes", low=1)
        if "recipients" in values:
            rule.recipients = await _recipients(values["recipients"])
        if "channels" in values:
            rule.channels = _channels(values["channels"])
        if "params" in values:
            rule.params = await _params(rule.kind, values["params"])
        await rule.save()
        await record(by, "alarm_rule.save", rule, kind=rule.kind, **{k: v for k, v in values.items() if k != "kind"})
        out.emit("alarm.rule_changed", rule_id=rule.id, kind=rule.kind)
    return rule


async def delete_rule(rule_id: int, *, by: User | None) -> None:
    """Delete a rule (alarms it raised stay in the log)."""
    require_write(by, Area.SETTINGS)
    async with atomic() as out:
        rule = await AlarmRule.get_or_none(id=rule_id)
        if rule is None:
            raise NotFound(f"alarm rule {rule_id} not found")
        await record(by, "alarm_rule.delete", rule, kind=rule.kind)
        await rule.delete()
        out.emit("alarm.rule_changed", rule_id=rule_id, kind=rule.kind)

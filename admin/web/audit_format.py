"""Audit rows in Persian: field names, old → new values, Jalali dates and Persian digits in every value."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from admin.web import copy
from core.jalali import format_date, format_datetime
from core.models import AuditLog, Team, User
from core.text import to_persian_digits

USER_FIELDS = frozenset({"assignee_id", "owner_id", "lead_id", "handed_to"})
TEAM_FIELDS = frozenset({"team_id"})
NAMED_VALUES = {"role": copy.ROLE_NAMES, "scope": copy.SCOPE_NAMES, **copy.VALUE_NAMES}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
MAX_VALUE = 200


@dataclass(frozen=True)
class Change:
    """One line of an audit row's details: a Persian field name and a readable value or old → new."""

    name: str
    old: str | None
    new: str


def _date_text(text: str, tz: str) -> str | None:
    # Other actions store instants as ISO text (due dates, SLA times); staff read them as Jalali.
    if not ISO_DATE.match(text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(text) == 10:
        return format_date(date(value.year, value.month, value.day), tz)
    return format_datetime(value, tz) if value.tzinfo else format_date(value.date(), tz)


class AuditFormatter:
    """Formats audit rows of one page; user and team ids in the values become names."""

    def __init__(self, tz: str, users: dict[int, str], teams: dict[int, str] | None = None) -> None:
        self.tz = tz
        self.users = users
        self.teams = teams or {}

    @classmethod
    async def for_rows(cls, rows: Iterable[AuditLog], tz: str) -> AuditFormatter:
        """A formatter that knows the names of every user mentioned in `rows`."""
        ids: dict[str, set[int]] = {"user": set(), "team": set()}
        for row in rows:
            for key, value in (row.changes or {}).items():
                kind = "user" if key in USER_FIELDS else "team" if key in TEAM_FIELDS else None
                if kind:
                    ids[kind].update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
        users = {u.id: u.full_name or u.username for u in await User.filter(id__in=ids["user"])} if ids["user"] else {}
        teams = dict(await Team.filter(id__in=ids["team"]).values_list("id", "name")) if ids["team"] else {}
        return cls(tz, users, teams)

    def value(self, key: str, value: Any) -> str:
        """One value as staff read it."""
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return copy.YES if value else copy.NO
        if key in USER_FIELDS and isinstance(value, int):
            return self.users.get(value, to_persian_digits(value))
        if key in TEAM_FIELDS and isinstance(value, int):
            return self.teams.get(value, to_persian_digits(value))
        if key in NAMED_VALUES and str(value) in NAMED_VALUES[key]:
            return NAMED_VALUES[key][str(value)]
        if isinstance(value, dict):
            parts = (f"{self.name(k)}: {self.value(k, v)}" for k, v in value.items())
            return "، ".join(parts) or "—"
        if isinstance(value, list):
            return "، ".join(self.value(key, v) for v in value) or "—"
        text = str(value)
        return _date_text(text, self.tz) or to_persian_digits(text[:MAX_VALUE])

    def name(self, key: str) -> str:
        """The Persian name of a field (the code itself when unknown)."""
        return copy.FIELD_NAMES.get(key, copy.WORK_NAMES.get(key, key))

    def changes(self, row: AuditLog) -> list[Change]:
        """The lines of one row: `[old, new]` pairs become old → new."""
        lines = []
        for key, value in (row.changes or {}).items():
            if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (list, dict)):
                if value[0] != value[1]:  # an unchanged half of a change says nothing
                    lines.append(Change(self.name(key), self.value(key, value[0]), self.value(key, value[1])))
            elif value is not None and value != "":  # empty facts of a creation are noise
                lines.append(Change(self.name(key), None, self.value(key, value)))
        return lines

    def action(self, row: AuditLog) -> str:
        """The Persian name of what was done."""
        return copy.ACTION_NAMES.get(row.action, row.action)

    def subject(self, row: AuditLog) -> str:
        """What it was done to: the Persian kind and the id (or the username of a sign-in)."""
        kind = copy.OBJECT_NAMES.get(row.object_type, row.object_type)
        return f"{kind} {to_persian_digits(row.object_id)}"

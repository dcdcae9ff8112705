"""SLA policies and the due times stored on cases (SRV-5): business time, paused while waiting on the customer.

Due times are derived from facts: the case's opening, its type and priority, the policy, the calendar
and its status history (waiting spans). `refresh_cases` recomputes and stores them; it runs when a
case opens or changes, when a policy or the calendar changes, and on every SLA sweep, so nothing
is left stale if an event was missed. "First response" is the first staff reply to the customer on
any channel (a message or an answered call) after the case opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from core import alarm_text
from core.access import check_case
from core.actions.audit import record
from core.actions.calendar import load_calendar
from core.areas import Area, require_write
from core.bizcal import BusinessCalendar
from core.db import int_column
from core.errors import NotFound, ValidationError
from core.models import (
    Call,
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Direction,
    Message,
    Priority,
    Setting,
    SlaPolicy,
    User,
)
from core.models.enums import CallStatus
from core.sla_clock import Clock, Targets, compute, waiting_spans
from core.tx import atomic

OPEN_STATES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING)
SEEDED_KEY = "sla.seeded"
MAX_MINUTES = 525_600  # a year of business minutes is more than any target
# Shipped targets (first response, resolution) in business minutes; an 8-hour day is 480.
DEFAULTS: dict[CaseType, dict[Priority, tuple[int, int]]] = {
    CaseType.SERVICE: {
        Priority.URGENT: (30, 480),
        Priority.HIGH: (60, 960),
        Priority.NORMAL: (240, 2400),
        Priority.LOW: (480, 4800),
    },
    CaseType.COMPLAINT: {
        Priority.URGENT: (30, 240),
        Priority.HIGH: (60, 480),
        Priority.NORMAL: (120, 960),
        Priority.LOW: (240, 1920),
    },
    CaseType.INSTALLATION: {
        Priority.URGENT: (60, 960),
        Priority.HIGH: (120, 1920),
        Priority.NORMAL: (480, 4800),
        Priority.LOW: (960, 9600),
    },
}


async def ensure_default_policies() -> int:
    """Create the shipped policies once (an admin's later changes and deletions stay)."""
    if await Setting.exists(key=SEEDED_KEY):
        return 0
    try:
        async with atomic():
            await Setting.create(key=SEEDED_KEY, value={"seeded": True})
            rows = [
                SlaPolicy(case_type=t, priority=p, first_response_minutes=fr, resolution_minutes=res)
                for t, table in DEFAULTS.items()
                for p, (fr, res) in table.items()
                if not await SlaPolicy.exists(case_type=t, priority=p)
            ]
            await SlaPolicy.bulk_create(rows)
    except IntegrityError:  # seeded by another process at the same moment
        return 0
    return len(rows)


def _minutes(value: int | str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or not 1 <= int(value) <= MAX_MINUTES:
        raise ValidationError(f"{name}: expected whole business minutes from 1 to {MAX_MINUTES}")
    return int(value)


async def set_sla_policy(
    case_type: CaseType | str,
    priority: Priority | str,
    *,
    first_response_minutes: int | str | None,
    resolution_minutes: int | str | None,
    warning_percent: int | str = 80,
    active: bool = True,
    by: User | None,
) -> SlaPolicy:
    """Create or change the policy of a case type and priority; the open cases it covers are recomputed."""
    require_write(by, Area.SETTINGS)
    case_type, priority = CaseType(case_type), Priority(priority)
    fr = _minutes(first_response_minutes, "first_response_minutes")
    res = _minutes(resolution_minutes, "resolution_minutes")
    pct = _minutes(warning_percent, "warning_percent")
    if pct is None or pct > 100:
        raise ValidationError("warning_percent: expected a percentage from 1 to 100")
    values = {"first_response_minutes": fr, "resolution_minutes": res, "warning_percent": pct, "active": active}
    async with atomic() as out:
        policy, _ = await SlaPolicy.update_or_create(case_type=case_type, priority=priority, defaults=values)
        await record(by, "sla_policy.save", policy, case_type=case_type.value, priority=priority.value, **values)
        ids = await int_column(Case.filter(type=case_type, priority=priority, status__in=OPEN_STATES))
        await refresh_cases(ids)
        out.emit("sla.policy_changed", policy_id=policy.id, case_type=case_type.value, priority=priority.value)
    return policy


def targets_of(policy: SlaPolicy | None) -> Targets | None:
    """A policy's targets (None for no policy or an inactive one)."""
    if policy is None or not policy.active:
        return None
    return Targets(policy.first_response_minutes, policy.resolution_minutes, policy.warning_percent)


async def _changes(case_ids: Sequence[int]) -> dict[int, list[tuple[datetime, str | None, str | None]]]:
    rows = await CaseEvent.filter(case_id__in=list(case_ids), to_status__not_isnull=True).values_list(
        "case_id", "at", "from_status", "to_status"
    )
    out: dict[int, list[tuple[datetime, str | None, str | None]]] = {}
    for case_id, at, old, new in rows:
        out.setdefault(case_id, []).append((at, old, new))
    return out


async def refresh_cases(
    case_ids: Iterable[int] | None = None, *, now: datetime | None = None, cal: BusinessCalendar | None = None
) -> list[tuple[Case, Clock]]:
    """Recompute and store the due times of the given cases (default: every open case); returns their clocks."""
    now = now or datetime.now(UTC)
    query = Case.filter(status__in=OPEN_STATES) if case_ids is None else Case.filter(id__in=list(case_ids))
    cases = list(await query.order_by("id"))
    if not cases:
        return []
    cal = cal or await load_calendar()
    policies = {(p.case_type, p.priority): p for p in await SlaPolicy.all()}
    changes = await _changes([c.id for c in cases])
    clocks: list[tuple[Case, Clock]] = []
    for case in cases:
        targets = targets_of(policies.get((case.type, case.priority)))
        if targets is None:
            clock = Clock(None, None, None, None, False)
        else:
            spans = waiting_spans(changes.get(case.id, []))
            clock = compute(cal, case.created_at, targets, spans, now=now, responded=case.first_response_at)
        if (case.first_response_due, case.resolution_due) != (clock.first_response_due, clock.resolution_due):
            # update(), not save(): the case's updated_at stays the time a person last changed it.
            await Case.filter(id=case.id).update(
                first_response_due=clock.first_response_due, resolution_due=clock.resolution_due
            )
            case.first_response_due, case.resolution_due = clock.first_response_due, clock.resolution_due
        clocks.append((case, clock))
    return clocks


async def first_staff_reply(contact_id: int, since: datetime, until: datetime) -> datetime | None:
    """When staff first answered this customer on any channel in [since, until]: a sent reply or an answered call."""
    message = (
        await Message.filter(
            conversation__contact_id=contact_id,
            direction=Direction.OUT,
            internal=False,
            author_id__not_isnull=True,
            created_at__gte=since,
            created_at__lte=until,
        )
        .order_by("created_at")
        .only("created_at")
        .first()
    )
    call = (
        await Call.filter(
            contact_id=contact_id,
            user_id__not_isnull=True,
            status__in=(CallStatus.ANSWERED, CallStatus.COMPLETED),
            created_at__gte=since,
            created_at__lte=until,
        )
        .order_by("created_at")
        .only("created_at")
        .first()
    )
    times = [row.created_at for row in (message, call) if row is not None]
    return min(times) if times else None


async def stamp_first_responses(now: datetime | None = None, *, contact_id: int | None = None) -> int:
    """Set first_response_at on open cases whose customer staff have answered since the case opened."""
    now = now or datetime.now(UTC)
    query = Case.filter(status__in=OPEN_STATES, first_response_at__isnull=True, created_at__lte=now)
    if contact_id is not None:
        query = query.filter(contact_id=contact_id)
    stamped = 0
    for case in await query.only("id", "contact_id", "created_at"):
        at = await first_staff_reply(case.contact_id, case.created_at, now)
        if at is not None:
            stamped += await Case.filter(id=case.id, first_response_at__isnull=True).update(first_response_at=at)
    return stamped


async def set_case_priority(
    case_id: int, *, by: User | None, priority: Priority | str | None = None, type: CaseType | str | None = None
) -> Case:
    """Change a case's priority and/or type; its due times follow the matching policy at once."""
    require_write(by, Area.CASES)
    async with atomic() as out:
        case = await Case.filter(id=case_id).select_for_update().first()
        if case is None:
            raise NotFound(f"case {case_id} not found")
        await check_case(by, case_id)
        before = (case.priority.value, case.type.value)
        case.priority = Priority(priority) if priority is not None else case.priority
        case.type = CaseType(type) if type is not None else case.type
        if (case.priority.value, case.type.value) == before:
            return case
        await case.save(update_fields=["priority", "type", "updated_at"])
        note = alarm_text.priority_note(before, (case.priority.value, case.type.value))
        await CaseEvent.create(case=case, kind="priority", note=note, user=by)
        await record(
            by, "case.priority", case, priority=[before[0], case.priority.value], type=[before[1], case.type.value]
        )
        [(case, _)] = await refresh_cases([case.id])
        out.emit("case.priority_changed", case_id=case.id, priority=case.priority.value, type=case.type.value)
    return case

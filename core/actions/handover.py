"""Handing a leaving user's open work to a colleague in one action (SAL-6).

Open work is what someone still has to act on: conversations not yet resolved, cases not yet
resolved, leads not lost, tasks not done, and every contact the user owns. Finished records
keep their old assignee, because that is who did the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q
from tortoise.models import Model

from core.actions.staff_rules import StaffError
from core.areas import Area, require_write
from core.models import AuditLog, Case, CaseStatus, Contact, Conversation, ConversationStatus, Lead, Task, User
from core.models.enums import LeadStatus
from core.tx import atomic

CHUNK = 500  # ids per UPDATE ... WHERE id IN (...), well under SQLite's bound-variable limit


def open_work() -> list[tuple[type[Model], str, Q]]:
    """(model, user column, what counts as open) for every kind of record a user holds."""
    waiting = [ConversationStatus.BOT, ConversationStatus.OPEN, ConversationStatus.PENDING]
    return [
        (Conversation, "assignee_id", Q(status__in=waiting)),
        (Case, "assignee_id", Q(status__in=[CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING])),
        (Lead, "owner_id", Q(status__in=[LeadStatus.NEW, LeadStatus.QUALIFIED])),
        (Task, "owner_id", Q(done_at__isnull=True)),
        (Contact, "owner_id", Q()),
    ]


@dataclass
class HandOver:
    """What moved from one user to another: ids per record kind (`conversation`, `case`, ...)."""

    from_user_id: int
    to_user_id: int | None
    ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def moved(self) -> dict[str, int]:
        """How many records of each kind moved."""
        return {kind: len(ids) for kind, ids in self.ids.items()}

    @property
    def total(self) -> int:
        """How many records moved in all."""
        return sum(self.moved.values())


async def open_work_counts(user_id: int) -> dict[str, int]:
    """How many open records of each kind the user holds (what a hand-over would move)."""
    return {
        model.__name__.lower(): await model.filter(is_open, **{column: user_id}).count()
        for model, column, is_open in open_work()
    }


async def hand_over_records(from_id: int, to_id: int, *, by: User | None) -> HandOver:
    """Move every open record of user `from_id` to the active user `to_id`, with one audit row per record."""
    require_write(by, Area.STAFF)
    if from_id == to_id:
        raise StaffError("bad_successor", "records cannot be handed to the same user")
    successor = await User.get_or_none(id=to_id, is_active=True)
    if successor is None:
        raise StaffError("bad_successor", f"hand_to: no active user {to_id}")
    result = HandOver(from_user_id=from_id, to_user_id=to_id)
    conversation_teams: dict[int, int | None] = {}
    async with atomic() as out:
        for model, column, is_open in open_work():
            kind = model.__name__.lower()
            rows = await model.filter(is_open, **{column: from_id}).order_by("id").values_list("id", "team_id")
            ids = [pk for pk, _ in rows]
            if model is Conversation:
                conversation_teams = dict(rows)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                await model.filter(id__in=chunk, **{column: from_id}).update(**{column: to_id})
                await AuditLog.bulk_create(
                    [
                        AuditLog(
                            user=by,
                            action=f"{kind}.handover",
                            object_type=kind,
                            object_id=str(pk),
                            changes={column: [from_id, to_id]},
                        )
                        for pk in chunk
                    ]
                )
            result.ids[kind] = ids
        for conversation_id, team_id in conversation_teams.items():  # live inbox views move the row to its owner
            out.emit("conversation.assigned", conversation_id=conversation_id, assignee_id=to_id, team_id=team_id)
        out.emit("staff.handed_over", from_user_id=from_id, to_user_id=to_id, moved=result.moved)
    return result

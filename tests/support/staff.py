"""A staff member's workload for hand-over tests: open and finished records of every kind, built through actions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from core.actions.calls import log_call
from core.actions.cases import open_case, open_lead, set_case_status
from core.actions.contacts import create_contact
from core.actions.conversations import assign, set_status
from core.actions.inbox import ingest_message
from core.models import Case, CaseStatus, ConversationStatus, IdentityKind, Lead, Task, User
from core.models.enums import CallDirection, LeadStatus
from tests.support.inbound import telegram

_numbers = itertools.count(1)


@dataclass
class Workload:
    """Ids per record kind: `open` should move on a hand-over, `done` should stay."""

    open: dict[str, list[int]] = field(default_factory=dict)
    done: dict[str, list[int]] = field(default_factory=dict)


async def give_work(user: User) -> Workload:
    """Two open conversations and one resolved, an open and a closed case, a live and a lost lead,
    an open and a done task, and a contact the user owns."""
    n = next(_numbers)
    work = Workload()
    owned = await create_contact(f"مشتری {n}", identities=[(IdentityKind.PHONE, owned_phone(n))], by=user)
    conversations = []
    for i in range(3):
        result = await ingest_message(telegram(9_000_000 + n * 10 + i, "سلام، پیگیری سفارش"))
        conversations.append(await assign(result.conversation.id, by=None, user_id=user.id))
    await set_status(conversations[2].id, ConversationStatus.RESOLVED, by=None)
    cases = [await open_case(contact_id=owned.id, by=user, subject=f"خرابی {i}") for i in range(2)]
    # There is no action that assigns a case yet; test data sets the assignee directly.
    await Case.filter(id__in=[c.id for c in cases]).update(assignee_id=user.id)
    await set_case_status(cases[1].id, CaseStatus.CLOSED, by=None)
    leads = [await open_lead(contact_id=owned.id, by=user, title=f"استعلام {i}") for i in range(2)]
    await Lead.filter(id=leads[1].id).update(status=LeadStatus.LOST)
    for i in range(2):
        await log_call(direction=CallDirection.IN, number=owned_phone(n), by=user, follow_up=f"تماس دوباره {i}")
    tasks = await Task.filter(owner_id=user.id).order_by("id")
    await Task.filter(id=tasks[1].id).update(done_at=tasks[1].created_at)
    work.open = {
        "conversation": [c.id for c in conversations[:2]],
        "case": [cases[0].id],
        "lead": [leads[0].id],
        "task": [tasks[0].id],
        "contact": [owned.id],
    }
    work.done = {
        "conversation": [conversations[2].id],
        "case": [cases[1].id],
        "lead": [leads[1].id],
        "task": [tasks[1].id],
    }
    return work


def owned_phone(n: int) -> str:
    """The phone of the n-th workload's contact."""
    return f"0912{n:07d}"

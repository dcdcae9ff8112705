"""The admin's first page: what waits for the signed-in user."""

from __future__ import annotations

from aiohttp import web

from admin.web.context import current_user
from admin.web.templating import render
from core.access import case_q, conversation_q
from core.models import Case, CaseStatus, Conversation, ConversationStatus


async def home(request: web.Request) -> web.Response:
    """Counts of the user's open work: unassigned and own conversations, open cases."""
    user = current_user(request)
    visible = Conversation.filter(conversation_q(user))
    waiting = visible.filter(status__in=[ConversationStatus.OPEN, ConversationStatus.PENDING])
    counts = {
        "mine": await waiting.filter(assignee_id=user.id).count(),
        "unassigned": await waiting.filter(assignee_id=None).count(),
        "bot": await visible.filter(status=ConversationStatus.BOT).count(),
        "cases": await Case.filter(case_q(user), status__in=[CaseStatus.NEW, CaseStatus.OPEN]).count(),
    }
    return render("home.html", request, {"counts": counts})

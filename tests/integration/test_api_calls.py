"""Logging calls by hand over the API."""

from __future__ import annotations

from core.actions.contacts import create_contact
from core.models import Call, Role, Task, User
from tests.support.api import ApiServer, api

__all__ = ["api"]


async def test_a_call_with_a_number_in_persian_digits_is_logged_on_the_contact_with_a_follow_up(
    api: ApiServer,
) -> None:
    agent = await api.client_for("agent", role=Role.AGENT)
    mine = await User.get(username="agent")  # the agent's own customer, so the answer may name the contact
    contact = await create_contact("فرهاد", identities=[("phone", "09121234567")], by=mine)
    response = await agent.post(
        "/api/v1/calls",
        {
            "direction": "in",
            "number": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
            "outcome": "answered",
            "notes": "سفارش کولر ۲۴ هزار",
            "duration_seconds": 185,
            "started_at": "2026-03-01T06:00:00Z",
            "follow_up": "ارسال پیش‌فاکتور",
            "follow_up_due": "2026-03-02T09:00:00+03:30",
        },
    )
    assert response.status == 201, response
    body = response.body
    assert (body["direction"], body["number"], body["contact_id"]) == ("in", "+989121234567", contact.id)
    assert (body["duration_seconds"], body["outcome"], body["notes"]) == (185, "answered", "سفارش کولر ۲۴ هزار")
    assert body["started_at"] in ("2026-03-01T06:00:00Z", "2026-03-01T06:00:00+00:00")
    assert len(body["follow_ups"]) == 1
    follow_up = body["follow_ups"][0]
    assert follow_up["title"].startswith("ارسال پیش‌فاکتور")
    assert follow_up["due_at"] in ("2026-03-02T05:30:00Z", "2026-03-02T05:30:00+00:00")
    assert await Call.filter(id=body["id"], contact_id=contact.id).exists()
    assert await Task.filter(call_id=body["id"]).count() == 1


async def test_an_outgoing_call_without_a_follow_up_is_logged_by_the_calling_user(api: ApiServer) -> None:
    agent = await api.client_for("caller", role=Role.AGENT)
    response = await agent.post("/api/v1/calls", {"direction": "out", "number": "+98 21 8888 7777"})
    assert response.status == 201, response
    call = await Call.get(id=response.body["id"]).select_related("user")
    assert call.user.username == "caller"
    assert response.body["follow_ups"] == []
    assert response.body["number"] == "+982188887777"


async def test_a_call_with_an_unknown_direction_is_refused_and_nothing_is_stored(api: ApiServer) -> None:
    agent = await api.client_for("agent", role=Role.AGENT)
    response = await agent.post("/api/v1/calls", {"direction": "both", "number": "09121234567"})
    assert response.status == 400
    assert response.body["reason"] == "body.direction: must be one of in, out"
    assert await Call.all().count() == 0

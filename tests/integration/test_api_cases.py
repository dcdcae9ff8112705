"""Cases over the API: read, list with filters, and team boundaries."""

from __future__ import annotations

from core.actions.cases import open_case_from_conversation
from core.models import Case, CaseStatus, CaseType, Conversation, Role, Team
from tests.support.api import ApiServer, api, telegram_message

__all__ = ["api"]


async def test_a_case_is_read_with_its_number_links_and_due_times(api: ApiServer) -> None:
    admin = await api.client_for("admin", role=Role.ADMIN)
    conversation = await telegram_message(1, "نصب کولر", name="امیر")
    case = await open_case_from_conversation(conversation.id, by=None, type=CaseType.INSTALLATION, subject="نصب")
    response = await admin.get(f"/api/v1/cases/{case.id}")
    assert response.status == 200, response
    body = response.body
    assert (body["id"], body["number"], body["type"], body["status"]) == (case.id, case.number, "installation", "new")
    assert (body["contact_id"], body["conversation_id"]) == (conversation.contact_id, conversation.id)
    assert {"first_response_due", "resolution_due", "created_at", "priority", "subject"} <= set(body)


async def test_cases_are_listed_newest_first_and_filtered_by_status_type_and_contact(api: ApiServer) -> None:
    admin = await api.client_for("admin", role=Role.ADMIN)
    one = await telegram_message(1, "خرابی", name="امیر")
    two = await telegram_message(2, "شکایت", name="لیلا")
    first = await open_case_from_conversation(one.id, by=None, subject="خرابی")
    second = await open_case_from_conversation(two.id, by=None, type=CaseType.COMPLAINT, subject="شکایت")
    await Case.filter(id=first.id).update(status=CaseStatus.RESOLVED)
    everything = await admin.get("/api/v1/cases")
    assert everything.status == 200
    assert [c["id"] for c in everything.body["items"]] == [second.id, first.id]
    assert [c["id"] for c in (await admin.get("/api/v1/cases", status="resolved")).body["items"]] == [first.id]
    assert [c["id"] for c in (await admin.get("/api/v1/cases", type="complaint")).body["items"]] == [second.id]
    by_contact = await admin.get("/api/v1/cases", contact=str(one.contact_id))
    assert [c["id"] for c in by_contact.body["items"]] == [first.id]
    bad = await admin.get("/api/v1/cases", status="lost")
    assert bad.status == 400
    assert "status" in bad.body["reason"]


async def test_an_agent_gets_403_on_another_teams_case_and_does_not_list_it(api: ApiServer) -> None:
    sales, service = await Team.create(name="فروش"), await Team.create(name="خدمات")
    conversation = await telegram_message(5, "گارانتی", name="بهار")
    await Conversation.filter(id=conversation.id).update(team_id=service.id)
    case = await open_case_from_conversation(conversation.id, by=None, subject="گارانتی")
    await Case.filter(id=case.id).update(team_id=service.id)
    outsider = await api.client_for("sales_agent", team=sales)
    refused = await outsider.get(f"/api/v1/cases/{case.id}")
    assert refused.status == 403
    assert refused.body["error"] == "forbidden"
    assert (await outsider.get("/api/v1/cases")).body["total"] == 0
    insider = await api.client_for("service_agent", team=service)
    assert (await insider.get(f"/api/v1/cases/{case.id}")).status == 200

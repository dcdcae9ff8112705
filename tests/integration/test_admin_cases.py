"""Cases over HTTP: the filtered list, the case page with SLA due times and history, resolve and reopen, access."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.actions.cases import open_case, set_case_status
from core.actions.contacts import create_contact
from core.models import Case, CaseEvent, CaseStatus, Contact, IdentityKind
from core.text import to_persian_digits
from tests.support.desk import Desk, dates_are_jalali, desk
from tests.support.web import web

__all__ = ["desk", "web"]


def _cases(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/admin/cases/(\d+)">', page)]


async def _contact(desk: Desk, name: str = "امیر رضایی") -> Contact:
    return await create_contact(name, identities=[(IdentityKind.PHONE, "09121234567")], by=desk.agent_a)


async def test_the_list_filters_by_status_type_and_text_and_hides_other_teams(desk: Desk) -> None:
    contact = await _contact(desk)
    service = await open_case(contact_id=contact.id, by=desk.agent_a, subject="کولر صدا می‌دهد")
    complaint = await open_case(contact_id=contact.id, by=desk.agent_a, subject="تأخیر تحویل", type="complaint")  # type: ignore[arg-type]
    done = await open_case(contact_id=contact.id, by=desk.agent_a, subject="نصب پکیج")
    await set_case_status(done.id, CaseStatus.CLOSED, by=None)
    theirs = await open_case(contact_id=contact.id, by=desk.agent_b, subject="پرونده تیم ب")
    browser = await desk.signed_in("agent_a")
    _, page = await browser.get("/admin/cases")
    assert sorted(_cases(page)) == sorted([service.id, complaint.id]) and theirs.id not in _cases(page)
    assert _cases((await browser.get("/admin/cases?status=closed"))[1]) == [done.id]
    assert _cases((await browser.get("/admin/cases?type=complaint"))[1]) == [complaint.id]
    assert _cases((await browser.get("/admin/cases?q=كولر"))[1]) == [service.id]  # Arabic ک
    number = to_persian_digits(service.number.split("-")[1])
    assert _cases((await browser.get(f"/admin/cases?q={number}&status=any"))[1]) == [service.id]
    assert dates_are_jalali(page) == []


async def test_the_case_page_shows_sla_due_times_in_jalali_and_the_history(desk: Desk) -> None:
    contact = await _contact(desk)
    case = await open_case(contact_id=contact.id, by=desk.agent_a, subject="کولر صدا می‌دهد")
    due = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    await Case.filter(id=case.id).update(
        resolution_due=due, first_response_due=datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    )
    await set_case_status(case.id, CaseStatus.OPEN, by=desk.agent_a, note="تکنسین هماهنگ شد")
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get(f"/admin/cases/{case.id}")
    assert status == 200
    assert to_persian_digits(case.number) in page
    assert "۵ آذر ۱۴۰۵، ساعت ۱۴:۳۰" in page and "۴ آذر ۱۴۰۵، ساعت ۰۹:۳۰" in page
    assert "ایجاد پرونده" in page and "تکنسین هماهنگ شد" in page and "سارا احمدی" in page
    assert dates_are_jalali(page) == []


async def test_a_case_is_resolved_then_reopened_with_a_note_in_its_history(desk: Desk) -> None:
    case = await open_case(contact_id=(await _contact(desk)).id, by=desk.agent_a, subject="نشتی آب")
    browser = await desk.signed_in("agent_a")
    path = f"/admin/cases/{case.id}"
    await browser.get(path)
    assert (await browser.post(f"{path}/status", {"status": "resolved", "note": "قطعه تعویض شد"}))[0] == 302
    assert (await Case.get(id=case.id)).status == CaseStatus.RESOLVED
    _, page = await browser.get(path)
    assert "بازگشایی" in page
    await browser.post(f"{path}/status", {"status": "open", "note": "مشتری گفت هنوز نشتی دارد"})
    assert (await Case.get(id=case.id)).status == CaseStatus.OPEN
    kinds = await CaseEvent.filter(case_id=case.id).order_by("id").values_list("kind", flat=True)
    assert kinds == ["opened", "status", "reopened"]


async def test_a_team_b_case_is_403_for_an_agent_of_team_a_and_a_status_post_needs_csrf(desk: Desk) -> None:
    contact = await _contact(desk)
    theirs = await open_case(contact_id=contact.id, by=desk.agent_b, subject="پرونده تیم ب")
    ours = await open_case(contact_id=contact.id, by=desk.agent_a, subject="پرونده ما")
    browser = await desk.signed_in("agent_a")
    status, page = await browser.get(f"/admin/cases/{theirs.id}")
    assert status == 403 and "اجازهٔ دیدن" in page
    await browser.get("/admin/cases")
    assert (await browser.post(f"/admin/cases/{theirs.id}/status", {"status": "closed"}))[0] == 403
    assert (await browser.post(f"/admin/cases/{ours.id}/status", {"status": "closed"}, csrf=False))[0] == 403
    assert (await Case.get(id=ours.id)).status == CaseStatus.NEW
    assert (await Case.get(id=theirs.id)).status == CaseStatus.NEW

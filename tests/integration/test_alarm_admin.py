"""The alarm pages over HTTP: editing a rule, the alarm log with its deliveries, acknowledging, linking a chat."""

from __future__ import annotations

import re

from core.actions.alarm_rules import ensure_default_rules
from core.actions.staff_links import link_chat
from core.models import Alarm, AlarmRule, Channel, StaffLink
from core.sweeps.sla import sweep_sla
from core.text import to_persian_digits
from tests.support.alarms import at, case_opened_at, staffed_team
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]


async def signed_in(web: WebServer, username: str) -> WebBrowser:
    browser = web.browser()
    assert (await browser.sign_in(username))[0] == 302
    return browser


async def test_a_manager_edits_an_alarm_rule_recipients_channels_threshold_and_escalation(web: WebServer) -> None:
    staff = await staffed_team()
    await ensure_default_rules()
    rule = await AlarmRule.get(kind="conversation_waiting")
    browser = await signed_in(web, staff.manager.username)
    status, page = await browser.get("/admin/alarms/rules")
    assert status == 200 and "گفتگوی بی‌پاسخ" in page and "۶۰ دقیقهٔ کاری" in page
    status, page = await browser.get(f"/admin/alarms/rules/{rule.id}")
    assert status == 200 and "سرپرست تیم مورد" in page
    form = {
        "name": "گفتگوی بی‌پاسخ بیش از نیم ساعت",
        "active": "on",
        "threshold": "۳۰",
        "escalate_after_minutes": "45",
        "dynamic": "team_lead",
        "roles": "manager",
        "users": str(staff.agent.id),
        "channels": "telegram",
    }
    status, where = await browser.post(f"/admin/alarms/rules/{rule.id}", form)
    assert (status, where) == (302, f"/admin/alarms/rules/{rule.id}")
    rule = await AlarmRule.get(id=rule.id)
    assert (rule.threshold, rule.escalate_after_minutes, rule.channels) == (30, 45, ["telegram"])
    assert rule.recipients == {"users": [staff.agent.id], "teams": [], "roles": ["manager"], "dynamic": ["team_lead"]}
    status, page = await browser.post(f"/admin/alarms/rules/{rule.id}", {**form, "threshold": "نیم ساعت"})
    assert status == 400 and "قاعده ذخیره نشد" in page
    status, where = await browser.post("/admin/alarms/rules", {"kind": "installment_due"})
    assert status == 302 and await AlarmRule.filter(kind="installment_due").count() == 2
    await browser.close()


async def test_import_notice_stages_are_chosen_on_the_rule_page(web: WebServer) -> None:
    staff = await staffed_team()
    await ensure_default_rules()
    rule = await AlarmRule.get(kind="import_stage_notice")
    browser = await signed_in(web, staff.manager.username)
    _, page = await browser.get(f"/admin/alarms/rules/{rule.id}")
    assert "ترخیص کالا" in page and 'value="assignee"' not in page  # a customer notice: no staff recipients
    assert page.index('value="sms"') < page.index('value="telegram"')  # the channels in the rule's preference order
    form = {"name": rule.name, "active": "on", "channels": "sms", "dynamic": "customer", "stages": "received"}
    assert (await browser.post(f"/admin/alarms/rules/{rule.id}", form))[0] == 302
    rule = await AlarmRule.get(id=rule.id)
    assert rule.params["stages"] == ["received"] and rule.recipients["dynamic"] == ["customer"]
    await browser.close()


async def test_the_alarm_log_shows_what_went_to_whom_and_its_status_and_an_alarm_can_be_acknowledged(
    web: WebServer,
) -> None:
    staff = await staffed_team()
    case = await case_opened_at(at("1405/09/15 09:00"), team=staff.team)
    await sweep_sla(at("1405/09/15 13:30"))
    browser = await signed_in(web, staff.manager.username)
    status, page = await browser.get("/admin/alarms")
    assert status == 200
    assert f"مهلت پاسخ اول پرونده {to_persian_digits(case.number)} گذشت" in page
    assert "مریم کاظمی" in page and "سارا کریمی" in page and "sara@example.ir" in page
    assert "در صف ارسال" in page and "گیرندگان قاعده" in page
    [alarm] = await Alarm.all()
    assert (await browser.post(f"/admin/alarms/{alarm.id}/ack", {}))[0] == 302
    assert (await Alarm.get(id=alarm.id)).acknowledged_at is not None
    _, page = await browser.get("/admin/alarms?kind=sla_warning")
    assert "هنوز هشداری ثبت نشده است" in page
    await browser.close()


async def test_a_staff_member_gets_a_one_time_code_in_the_admin_that_links_their_bale_chat(web: WebServer) -> None:
    staff = await staffed_team()
    browser = await signed_in(web, staff.agent.username)
    _, page = await browser.get("/admin/alarms/me")
    assert "هنوز حسابی وصل نشده است" in page
    status, page = await browser.post("/admin/alarms/me/code", {})
    assert status == 200
    found = re.search(r"/link ([A-Z0-9]{8})", page)
    assert found is not None
    await link_chat(Channel.BALE, "990011", found.group(1))
    _, page = await browser.get("/admin/alarms/me")
    assert "بله" in page and "برداشتن اتصال" in page
    assert (await browser.post("/admin/alarms/me/unlink", {"channel": "bale"}))[0] == 302
    assert not await StaffLink.exists(user_id=staff.agent.id)
    await browser.close()

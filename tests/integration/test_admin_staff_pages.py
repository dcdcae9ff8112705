"""The users, teams and audit pages over HTTP: admins change, managers look, others get the Persian 403 page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from core.actions.audit import record_raw
from core.actions.teams import create_team
from core.models import AuditLog, Contact, Conversation, Role, Team, User
from core.passwords import verify_password
from core.text import to_persian_digits
from tests.support.seed import seed_user
from tests.support.staff import give_work
from tests.support.web import WebBrowser, WebServer, web

__all__ = ["web"]

SECRET = re.compile(r'<code class="secret" id="new-password">([^<]+)</code>')


async def _signed_in(web: WebServer, username: str) -> WebBrowser:
    browser = web.browser()
    assert (await browser.sign_in(username))[0] == 302
    return browser


async def test_an_admin_creates_a_user_and_sees_the_generated_password_once(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    team = await create_team("مرکز تماس")
    browser = await _signed_in(web, "sara")
    try:
        assert (await browser.get("/admin/users/new"))[0] == 200
        form = {"username": "reza", "full_name": "رضا کریمی", "role": "agent", "scope": "own", "team_id": str(team.id)}
        status, page = await browser.post("/admin/users", {**form, "extension": "۱۰۲", "password": ""})
        assert status == 200 and "فقط همین یک بار" in page
        password = SECRET.search(page).group(1)  # type: ignore[union-attr]
        reza = await User.get(username="reza")
        assert verify_password(reza.password_hash, password) and reza.extension == "102" and reza.team_id == team.id
        status, listing = await browser.get("/admin/users")
        assert status == 200 and "رضا کریمی" in listing and "مرکز تماس" in listing and password not in listing
    finally:
        await browser.close()


async def test_a_refused_user_form_keeps_what_was_typed_and_says_why_in_persian(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    browser = await _signed_in(web, "sara")
    try:
        await browser.get("/admin/users/new")
        form = {"username": "reza", "full_name": "رضا کریمی", "role": "agent", "scope": "team", "password": "short"}
        status, page = await browser.post("/admin/users", form)
        assert status == 400 and "گذرواژه باید دست‌کم ۸ نویسه باشد" in page and 'value="رضا کریمی"' in page
        status, page = await browser.post("/admin/users", {**form, "username": "sara", "password": ""})
        assert status == 400 and "پیش‌تر گرفته شده" in page
        assert not await User.exists(username="reza")
    finally:
        await browser.close()


async def test_a_manager_sees_users_and_teams_but_cannot_change_them(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await seed_user("omid", "امید مدیر فروش", role=Role.MANAGER)
    browser = await _signed_in(web, "omid")
    try:
        status, page = await browser.get("/admin/users")
        assert status == 200 and "سارا مدیری" in page and "/admin/users/new" not in page
        assert (await browser.get("/admin/teams"))[0] == 200
        status, page = await browser.post("/admin/users", {"username": "mallory", "role": "admin"})
        assert status == 403 and "دسترسی ندارید" in page
        assert (await browser.post("/admin/teams", {"name": "تیم دزدکی"}))[0] == 403
        assert (await browser.get("/admin/audit"))[0] == 403
        assert not await User.exists(username="mallory") and not await Team.exists(name="تیم دزدکی")
    finally:
        await browser.close()


async def test_an_agent_gets_the_persian_403_page_on_every_staff_page(web: WebServer) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    await seed_user("reza", "رضا کریمی", role=Role.AGENT)
    team = await create_team("فروش")
    browser = await _signed_in(web, "reza")
    try:
        for path in ("/admin/users", "/admin/users/new", f"/admin/users/{admin.id}", "/admin/teams"):
            status, page = await browser.get(path)
            assert status == 403 and 'dir="rtl"' in page and "دسترسی ندارید" in page and "Traceback" not in page
        for path in (f"/admin/teams/{team.id}", "/admin/audit"):
            assert (await browser.get(path))[0] == 403
        status, page = await browser.get("/admin/")
        assert status == 200 and 'href="/admin/users"' not in page and 'href="/admin/audit"' not in page
    finally:
        await browser.close()


async def test_an_admin_edits_a_user_and_the_change_is_audited(web: WebServer) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    reza = await seed_user("reza", "رضا کریمی")
    browser = await _signed_in(web, "sara")
    try:
        status, page = await browser.get(f"/admin/users/{reza.id}")
        assert status == 200 and 'id="deactivate-form"' in page
        form = {"full_name": "رضا کریمی‌نژاد", "role": "sales", "scope": "all", "team_id": "", "phone": "۰۹۱۲۱۲۳۴۵۶۷"}
        status, location = await browser.post(f"/admin/users/{reza.id}", {**form, "extension": "۲۰۱"})
        assert (status, location) == (302, f"/admin/users/{reza.id}")
        status, page = await browser.get(location)
        assert "تغییرات کاربر ذخیره شد" in page and "۰۹۱۲ ۱۲۳ ۴۵۶۷" in page
        reza = await User.get(id=reza.id)
        assert (reza.full_name, reza.role, reza.phone, reza.extension) == (
            "رضا کریمی‌نژاد",
            Role.SALES,
            "+989121234567",
            "201",
        )
        row = await AuditLog.get(action="user.update", object_id=str(reza.id))
        assert row.user_id == admin.id and row.changes["scope"] == ["team", "all"]
        status, page = await browser.post(f"/admin/users/{reza.id}", {**form, "extension": "x1"})
        assert status == 400 and "شمارهٔ داخلی فقط رقم است" in page
    finally:
        await browser.close()


async def test_a_password_reset_signs_the_user_out_of_every_open_session(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    reza = await seed_user("reza", "رضا کریمی")
    admin, agent = await _signed_in(web, "sara"), await _signed_in(web, "reza")
    try:
        assert (await agent.get("/admin/"))[0] == 200
        await admin.get(f"/admin/users/{reza.id}")
        status, page = await admin.post(f"/admin/users/{reza.id}/password", {"password": ""})
        assert status == 200
        password = SECRET.search(page).group(1)  # type: ignore[union-attr]
        status, location = await agent.get("/admin/")
        assert status == 302 and location.startswith("/admin/login")
        assert (await agent.sign_in("reza", password))[0] == 302
        sara = await User.get(username="sara")
        await admin.get(f"/admin/users/{sara.id}")
        await admin.post(f"/admin/users/{sara.id}/password", {"password": "sara-new-password"})
        assert (await admin.get("/admin/users"))[0] == 200  # resetting one's own password keeps one signed in
    finally:
        await admin.close()
        await agent.close()


async def test_an_admin_deactivates_a_user_handing_everything_to_a_colleague(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    reza, mina = await seed_user("reza", "رضا کریمی"), await seed_user("mina", "مینا احمدی")
    work = await give_work(reza)
    browser = await _signed_in(web, "sara")
    try:
        status, page = await browser.get(f"/admin/users/{reza.id}")
        assert "گفتگوهای باز" in page and f'value="{mina.id}"' in page
        status, page = await browser.post(f"/admin/users/{reza.id}/deactivate", {"hand_to": str(mina.id)})
        assert status == 400 and "تأیید را علامت بزنید" in page and (await User.get(id=reza.id)).is_active
        form = {"hand_to": str(mina.id), "confirm": "yes"}
        status, location = await browser.post(f"/admin/users/{reza.id}/deactivate", form)
        assert (status, location) == (302, f"/admin/users/{reza.id}")
        status, page = await browser.get(location)
        assert "غیرفعال شد" in page and "۶ مورد باز" in page and 'id="reactivate-form"' in page
        assert not (await User.get(id=reza.id)).is_active
        assert set(
            await Conversation.filter(id__in=work.open["conversation"]).values_list("assignee_id", flat=True)
        ) == {mina.id}
        assert (await Contact.get(id=work.open["contact"][0])).owner_id == mina.id
    finally:
        await browser.close()


async def test_teams_are_created_renamed_and_given_a_lead_through_the_pages(web: WebServer) -> None:
    await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    browser = await _signed_in(web, "sara")
    try:
        await browser.get("/admin/teams")
        status, location = await browser.post("/admin/teams", {"name": "پشتیبانی", "segment": "صنعتی"})
        team = await Team.get(name="پشتیبانی")
        assert (status, location) == (302, f"/admin/teams/{team.id}")
        status, page = await browser.post("/admin/teams", {"name": "پشتیبانی"})
        assert status == 400 and "تیمی با این نام هست" in page
        reza = await seed_user("reza", "رضا کریمی", team=team)
        await browser.get(f"/admin/teams/{team.id}")
        assert (await browser.post(f"/admin/teams/{team.id}", {"name": "پشتیبانی فنی"}))[0] == 302
        assert (await browser.post(f"/admin/teams/{team.id}/lead", {"user_id": str(reza.id)}))[0] == 302
        status, page = await browser.get(f"/admin/teams/{team.id}")
        assert "پشتیبانی فنی" in page and 'id="team-lead">رضا کریمی<' in page
        assert (await User.get(id=reza.id)).is_team_lead
        status, page = await browser.get("/admin/teams")
        assert "رضا کریمی" in page and "صنعتی" in page
    finally:
        await browser.close()


LATIN_DATE = re.compile(r"[0-9]{1,4}[/\-.][0-9]{1,2}[/\-.][0-9]{1,4}")
MONTHS = "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند"
JALALI_DATE = re.compile(rf"[۰-۹]{{4}}/[۰-۹]{{2}}/[۰-۹]{{2}}|[۰-۹]{{1,2}} ({MONTHS}) [۰-۹]{{4}}")


def visible_text(page: str) -> str:
    """What a person reads: no tags, no attribute values."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)))


async def test_no_staff_page_shows_a_gregorian_date_or_a_latin_digit_in_a_date(web: WebServer) -> None:
    admin = await seed_user("sara", "سارا مدیری", role=Role.ADMIN)
    team = await create_team("پشتیبانی", by=admin)
    reza = await seed_user("reza", "رضا کریمی", team=team, phone="09121234567", extension="101")
    await give_work(reza)
    await record_raw(admin, "task.update", "task", "1", due_at=["2025-03-25T10:00:00+00:00", "2025-03-26"])
    browser = await _signed_in(web, "sara")
    years = {str(datetime.now(UTC).year + d) for d in (-1, 0, 1)}
    gregorian = years | {to_persian_digits(y) for y in years}
    try:
        await browser.get(f"/admin/users/{reza.id}")
        _, secret = await browser.post(f"/admin/users/{reza.id}/password", {"password": ""})
        pages = [secret]
        for path in ("/admin/users", "/admin/users?status=all", f"/admin/users/{reza.id}", "/admin/teams"):
            pages.append((await browser.get(path))[1])
        for path in (f"/admin/teams/{team.id}", "/admin/audit", "/admin/audit?object_type=task", "/admin/users/new"):
            pages.append((await browser.get(path))[1])
        for page in pages:
            text = visible_text(page)
            assert not LATIN_DATE.search(text), LATIN_DATE.search(text)
            assert not any(re.search(rf"(?<![0-9۰-۹]){y}(?![0-9۰-۹])", text) for y in gregorian)
            assert not re.search(r"January|February|March|April|ژانویه|فوریه|مارس|آوریل", text)
        assert all(JALALI_DATE.search(visible_text(p)) for p in pages[1:7])
        assert "۵ فروردین ۱۴۰۴، ساعت ۱۳:۳۰ ← ۶ فروردین ۱۴۰۴" in visible_text(pages[7])
    finally:
        await browser.close()

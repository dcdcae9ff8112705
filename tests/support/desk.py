"""Staff and inbox data for the admin work-area tests: two teams, their agents, conversations routed to each.

Import the `desk` fixture (with `web` from tests.support.web) into a test module; `await
desk.signed_in("agent_a")` returns a WebBrowser signed in as that user.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core import attachments
from core.actions.conversations import assign
from core.actions.inbox import ingest_message
from core.actions.staff import create_user
from core.actions.teams import create_team, set_phone_line
from core.inbound import InboundMessage
from core.models import Conversation, Role, Team, User
from tests.support.web import WebBrowser, WebServer

_chat_ids = itertools.count(7_100_000)
# A date in a page that is not Jalali with Persian digits: Latin digits around a date separator, an ISO
# timestamp, a Gregorian year, or an English month name.
GREGORIAN = re.compile(
    r"\b(19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}-\d\d-\d\dT\d\d|\b\d{1,2}[/.]\d{1,2}[/.](19|20)\d\d\b|"
    r"(?:۱۹|۲۰)[۰-۹]{2}[/.-][۰-۹]{1,2}[/.-][۰-۹]{1,2}|"
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"ژانویه|فوریه|مارس|آوریل|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر"
)
TIME_ELEMENT = re.compile(r"<time[^>]*>(.*?)</time>", re.S)


def dates_are_jalali(page: str) -> list[str]:
    """The problems of a page's dates: Gregorian-looking dates anywhere, Latin digits inside a <time>."""
    visible = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<time[^>]*>", "<time>", visible))
    problems = [m.group(0) for m in GREGORIAN.finditer(visible)]
    problems += [t for t in TIME_ELEMENT.findall(page) if re.search(r"[0-9]", t)]
    return problems


@dataclass
class Desk:
    """Two teams (الف, ب), an agent in each, a manager, and a way to sign any of them in."""

    web: WebServer
    team_a: Team
    team_b: Team
    agent_a: User
    agent_b: User
    manager: User
    browsers: list[WebBrowser] = field(default_factory=list)

    async def signed_in(self, username: str) -> WebBrowser:
        browser = self.web.browser()
        self.browsers.append(browser)
        status, _ = await browser.sign_in(username)
        assert status == 302, f"{username} could not sign in"
        return browser

    async def conversation(
        self, team: Team | None, text: str = "سلام، کولر روشن نمی‌شود", *, name: str = "مریم حسینی", **kw: object
    ) -> Conversation:
        """A Telegram conversation from a new sender, routed to `team` (None: the unrouted pool)."""
        chat = next(_chat_ids)
        msg = InboundMessage(
            channel="telegram",  # type: ignore[arg-type]
            external_id=f"{chat}:1",
            identity_kind="telegram",  # type: ignore[arg-type]
            identity_value=str(chat),
            thread_key=str(chat),
            sender_name=name,
            text=text,
            **kw,  # type: ignore[arg-type]
        )
        result = await ingest_message(msg)
        if team is not None:
            await assign(result.conversation.id, by=None, team_id=team.id)
        return await Conversation.get(id=result.conversation.id)

    async def ingest(self, msg: InboundMessage, team: Team | None = None) -> Conversation:
        """Store any inbound message and route its conversation to `team`."""
        result = await ingest_message(msg)
        if team is not None:
            await assign(result.conversation.id, by=None, team_id=team.id)
        return await Conversation.get(id=result.conversation.id)


@pytest.fixture
async def desk(web: WebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    """Teams الف and ب with agents `agent_a` (extension 201) and `agent_b`, and `manager`; files under tmp_path."""
    monkeypatch.setattr(attachments, "_data_dir", tmp_path / "files")
    team_a, team_b = await create_team("پشتیبانی الف"), await create_team("فروش ب")
    agent_a = await create_user("agent_a", "a-long-password", role=Role.AGENT, full_name="سارا احمدی", team=team_a)
    agent_a = await set_phone_line(agent_a.id, extension="201", phone="09120000201")
    agent_b = await create_user("agent_b", "a-long-password", role=Role.AGENT, full_name="رضا محمدی", team=team_b)
    manager = await create_user("manager", "a-long-password", role=Role.MANAGER, full_name="مدیر پشتیبانی")
    desk = Desk(web, team_a, team_b, agent_a, agent_b, manager)
    yield desk
    for browser in desk.browsers:
        await browser.close()

"""The admin served in-process on a loopback port, with a browser-like client (cookies, CSRF)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from admin.app import create_app
from core.config import Settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebServer:
    """The app on a real port; `url` is its base."""

    server: TestServer

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    def browser(self) -> WebBrowser:
        return WebBrowser(self.url)


class WebBrowser:
    """A cookie-keeping HTTP client that fills CSRF tokens like a browser submitting forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base + path, allow_redirects=False) as resp:
            text = await resp.text()
            if found := CSRF.search(text):
                self.csrf = found.group(1)
            return resp.status, text if resp.status != 302 else resp.headers["Location"]

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> tuple[int, str]:
        form = {**data, **({"csrf_token": self.csrf} if csrf else {})}
        async with self.session.post(self.base + path, data=form, allow_redirects=False) as resp:
            text = await resp.text()
            if found := CSRF.search(text):
                self.csrf = found.group(1)
            return resp.status, text if resp.status != 302 else resp.headers["Location"]

    async def sign_in(self, username: str, password: str = "a-long-password") -> tuple[int, str]:
        await self.get("/admin/login")
        return await self.post("/admin/login", {"username": username, "password": password})

    async def close(self) -> None:
        await self.session.close()


@pytest.fixture
async def web(db: str, tmp_path: Path) -> AsyncIterator[WebServer]:
    """The whole app on a loopback port over an emptied database."""
    app = create_app(Settings(database_url=db, data_dir=tmp_path / "data", secret_key="w" * 32))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield WebServer(server)
    finally:
        await server.close()

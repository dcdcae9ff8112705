"""Headless Chromium for end-to-end tests of the admin: Debian's /usr/bin/chromium driven by Playwright.

No browser is ever downloaded (`playwright install` is never run): CI installs the `chromium`
package and Playwright launches that binary. Fixtures: `chromium` (one browser per session) and
`page` (a fresh context per test, Persian locale, Tehran time, desktop size). Helpers:
`sign_in(page, base_url, username)` through the real login form, and `screenshot(page, name)`.
"""

from __future__ import annotations

import re
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "e2e" / "screenshots"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
PASSWORD = "a-long-password"  # what tests.support.seed gives every user


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    """One headless Chromium for the whole test session."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(chromium: Browser) -> AsyncIterator[Page]:
    """A page in its own browser context (own cookies), Persian locale, Tehran time zone, desktop width."""
    context = await chromium.new_context(viewport=DESKTOP, locale="fa-IR", timezone_id="Asia/Tehran")
    context.set_default_timeout(15_000)  # a failing step reports in seconds, not after half a minute
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def new_page(chromium: Browser) -> Page:
    """Another page in a separate context (a second person at another computer); close its context after."""
    context = await chromium.new_context(viewport=DESKTOP, locale="fa-IR", timezone_id="Asia/Tehran")
    context.set_default_timeout(15_000)
    return await context.new_page()


async def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form, as a person would, and wait until the admin has opened."""
    await page.goto(base_url + "/admin/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.get_by_role("button", name="ورود").click()
    await page.wait_for_url(re.compile(r".*/admin/(?!login).*"))


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, read from its header."""
    header = path.read_bytes()[:24]
    width, height = struct.unpack(">II", header[16:24])
    return width, height


async def screenshot(page: Page, name: str) -> list[Path]:
    """Write `<name>-desktop.png` (1280 px) and `<name>-phone.png` (390 px) of the whole page; return both paths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    paths = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)
        await page.evaluate("document.fonts.ready.then(() => true)")
        path = SCREENSHOTS / f"{name}-{label}.png"
        await page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    if original:
        await page.set_viewport_size(original)
    return paths

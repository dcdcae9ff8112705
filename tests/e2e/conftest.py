"""Browser fixtures for every end-to-end test here: one Chromium per session, a fresh page per test."""

from __future__ import annotations

from tests.support.browser import chromium, page

__all__ = ["chromium", "page"]

"""What the bot says to customers (Persian, formal); every bot string lives here."""

from __future__ import annotations

GREETING = "سلام، به پشتیبانی ما خوش آمدید.\nلطفاً پرسش یا درخواست خود را بنویسید؛ همکاران ما در اولین فرصت پاسخ می‌دهند."

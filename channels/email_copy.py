"""What staff read about incoming mail (Persian, formal); every such string lives here."""

from __future__ import annotations

UNPARSED_MAIL_ALARM = (
    "یک ایمیل دریافتی خوانده نشد و برای بررسی نگه داشته شد. "
    "علت: {reason}. "
    "نسخهٔ کامل ایمیل با شناسهٔ {sha} در پوشهٔ پیوست‌ها ذخیره شده است؛ لطفاً آن را بررسی کنید."
)

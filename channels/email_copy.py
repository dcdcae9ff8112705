"""What staff read about incoming mail (Persian, formal); every such string lives here."""

from __future__ import annotations

# Stored on the message (meta `refused_attachments.reason`) and shown on its conversation.
REFUSED_ATTACHMENTS = (
    "این ایمیل {total} پیوست داشت و برای هر ایمیل حداکثر {limit} پیوست پذیرفته می‌شود؛ "
    "{limit} پیوست نخست ذخیره شد و {refused} پیوست دیگر ذخیره نشد. "
    "اگر به آن‌ها نیاز دارید، از فرستنده بخواهید آن‌ها را در چند ایمیل جداگانه بفرستد."
)

UNPARSED_MAIL_ALARM = (
    "یک ایمیل دریافتی خوانده نشد و برای بررسی نگه داشته شد. "
    "علت: {reason}. "
    "نسخهٔ کامل ایمیل با شناسهٔ {sha} در پوشهٔ پیوست‌ها ذخیره شده است؛ لطفاً آن را بررسی کنید."
)

"""Persian copy of the SLA, alarm and calendar pages that Python code produces (names, flashes, errors)."""

from __future__ import annotations

from core.alarm_kinds import KINDS, UNIT_NAMES
from core.status_names import IMPORT_STAGE_NAMES

KIND_NAMES = {key: kind.label for key, kind in KINDS.items()} | {"mail_unparsed": "ایمیل ناخوانا"}
UNITS = UNIT_NAMES
STAGE_NAMES = {stage.value: name for stage, name in IMPORT_STAGE_NAMES.items()}
DYNAMIC_NAMES = {
    "assignee": "مسئول مورد",
    "team": "اعضای تیم مورد",
    "team_lead": "سرپرست تیم مورد",
    "collector": "کارشناس وصول مشتری",
    "customer": "خود مشتری",
}
DELIVERY_STATUS_NAMES = {
    "deferred": "در انتظار ساعت کاری",
    "queued": "در صف ارسال",
    "skipped": "ارسال نشد",
    "sending": "در حال ارسال",
    "sent": "ارسال‌شده",
    "delivered": "تحویل‌شده",
    "failed": "ناموفق",
    "held": "متوقف (صف نگه داشته شده)",
}
LEVEL_NAMES = {0: "گیرندگان قاعده", 1: "ارجاع به سرپرست تیم", 2: "ارجاع به مدیران"}
WEEKDAYS = (
    ("saturday", "شنبه"),
    ("sunday", "یک‌شنبه"),
    ("monday", "دوشنبه"),
    ("tuesday", "سه‌شنبه"),
    ("wednesday", "چهارشنبه"),
    ("thursday", "پنج‌شنبه"),
    ("friday", "جمعه"),
)

POLICY_SAVED = "مهلت‌های «{type}» با اولویت «{priority}» ذخیره شد و پرونده‌های باز دوباره محاسبه شدند."
RULE_SAVED = "قاعدهٔ هشدار ذخیره شد."
RULE_CREATED = "قاعدهٔ تازه ساخته شد؛ گیرندگان و کانال‌ها را بررسی کنید."
RULE_DELETED = "قاعدهٔ هشدار حذف شد؛ هشدارهای پیشین در گزارش می‌مانند."
ALARM_ACKNOWLEDGED = "دریافت هشدار تأیید شد؛ دیگر به سطح بالاتر ارجاع نمی‌شود."
UNLINKED = "اتصال {channel} برداشته شد."
HOURS_SAVED = "ساعت‌های کاری ذخیره شد."
HOLIDAY_ADDED = "تعطیلی {date} افزوده شد."
HOLIDAY_REMOVED = "تعطیلی حذف شد."
HOLIDAYS_IMPORTED = "{count} تعطیلی از فایل ثبت شد."
HOLIDAYS_SEEDED = "{count} تعطیلی رسمی ثابت سال {year} افزوده شد."
BAD_POLICY = "مهلت‌ها باید عدد صحیح دقیقهٔ کاری باشند (خالی یعنی بدون مهلت) و درصد هشدار عددی از ۱ تا ۱۰۰."
BAD_RULE = "قاعده ذخیره نشد. آستانه‌ها و زمان ارجاع باید عدد صحیح باشند و گیرندگان و مرحله‌ها از فهرست انتخاب شوند."
BAD_HOURS = "ساعت‌های کاری را به شکل ۰۸:۰۰-۱۶:۰۰ بنویسید (چند بازه با ویرگول)؛ روز تعطیل را خالی بگذارید."
BAD_HOLIDAY = "تعطیلی افزوده نشد. تاریخ شمسی را به شکل ۱۴۰۵/۰۹/۰۵ وارد کنید؛ شاید این روز از پیش تعطیل باشد."
BAD_IMPORT = "{count} تعطیلی ثبت شد، اما این سطرها پذیرفته نشد: {lines}. قالب هر سطر: ۱۴۰۵/۰۴/۱۴,تاسوعا"
BAD_YEAR = "سال شمسی را به شکل ۱۴۰۵ وارد کنید."

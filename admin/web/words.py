"""Persian copy of the inbox, contacts, call desk and cases pages that Python code produces.

Templates hold the page text; the names of statuses, channels and the flash and error
messages live here so every page says the same thing.
"""

from __future__ import annotations

from core.status_names import ORDER_STATUS_NAMES as _ORDER_NAMES

CHANNEL_NAMES = {
    "telegram": "تلگرام",
    "bale": "بله",
    "sms": "پیامک",
    "email": "ایمیل",
    "fax": "فکس",
    "call": "تماس تلفنی",
    "letter": "نامه",
    "web": "وب",
}
CONVERSATION_STATUS_NAMES = {
    "bot": "در دست ربات",
    "open": "باز",
    "pending": "در انتظار",
    "resolved": "حل‌شده",
    "closed": "بسته",
}
PRIORITY_NAMES = {"low": "کم", "normal": "عادی", "high": "زیاد", "urgent": "فوری"}
MESSAGE_STATUS_NAMES = {
    "queued": "در صف ارسال",
    "sending": "در حال ارسال",
    "sent": "ارسال‌شده",
    "delivered": "تحویل‌شده",
    "failed": "ناموفق",
    "received": "دریافت‌شده",
    "note": "یادداشت داخلی",
}
CASE_STATUS_NAMES = {"new": "جدید", "open": "باز", "waiting": "در انتظار مشتری", "resolved": "حل‌شده", "closed": "بسته"}
CASE_TYPE_NAMES = {"service": "خدمات", "complaint": "شکایت", "installation": "نصب و راه‌اندازی"}
CASE_EVENT_NAMES = {
    "opened": "ایجاد پرونده",
    "status": "تغییر وضعیت",
    "reopened": "بازگشایی",
    "note": "یادداشت",
    "priority": "تغییر اولویت",
}
CALL_DIRECTION_NAMES = {"in": "ورودی", "out": "خروجی"}
CALL_STATUS_NAMES = {"ringing": "در حال زنگ", "answered": "پاسخ داده شده", "completed": "انجام‌شده", "missed": "بی‌پاسخ"}
CALL_OUTCOMES = (
    "پاسخ داده شد",
    "پیگیری لازم است",
    "اطلاعات داده شد",
    "پرونده باز شد",
    "مشترک در دسترس نبود",
    "شماره اشتباه",
)
IDENTITY_NAMES = {"telegram": "تلگرام", "bale": "بله", "phone": "تلفن", "email": "ایمیل", "fax": "فکس"}
TIMELINE_KIND_NAMES = {
    "message": "پیام",
    "note": "یادداشت داخلی",
    "call": "تماس",
    "case": "پرونده",
    "lead": "سرنخ فروش",
    "task": "کار",
    "order": "سفارش",
    "installment": "قسط",
    "survey": "نظرسنجی",
}
DIRECTION_NAMES = {"in": "دریافتی", "out": "ارسالی"}
ORDER_STATUS_NAMES = {status.value: name for status, name in _ORDER_NAMES.items()}

# Flash messages after a form was handled.
REPLY_QUEUED = "پاسخ در صف ارسال قرار گرفت."
NOTE_SAVED = "یادداشت داخلی ثبت شد؛ این یادداشت برای مشتری ارسال نمی‌شود."
ASSIGNED = "مسئول گفتگو به‌روز شد."
STATUS_CHANGED = "وضعیت به‌روز شد."
PRIORITY_CHANGED = "اولویت به‌روز شد."
LABELS_SAVED = "برچسب‌ها ذخیره شد."
CASE_OPENED = "پرونده {number} ایجاد شد."
LEAD_OPENED = "سرنخ فروش ایجاد شد."
CONTACT_LINKED = "گفتگو به مخاطب «{name}» متصل شد."
CONTACT_SAVED = "اطلاعات مخاطب ذخیره شد."
IDENTITY_ADDED = "راه ارتباطی تازه ثبت شد."
CONTACTS_MERGED = "دو مخاطب یکی شدند و همهٔ سوابق به «{name}» منتقل شد."
CALL_LOGGED = "تماس ثبت شد."
CALL_LOGGED_WITH_TASK = "تماس ثبت شد و کار پیگیری ساخته شد."
CASE_STATUS_CHANGED = "وضعیت پرونده به‌روز شد."

# Errors shown on the page (what happened and what to do next).
NOT_FOUND = "این مورد پیدا نشد. شاید حذف یا با مورد دیگری یکی شده باشد."
FORBIDDEN = "شما اجازهٔ دیدن این مورد را ندارید. اگر به آن نیاز دارید، از مدیر تیم بخواهید آن را به شما بسپارد."
EMPTY_REPLY = "متن پاسخ خالی است. لطفاً متنی بنویسید."
BAD_INPUT = "اطلاعات فرم درست نیست. لطفاً دوباره بررسی کنید."
BAD_PHONE = "شمارهٔ واردشده معتبر نیست. شماره را با پیش‌شماره وارد کنید، مانند ۰۹۱۲۱۲۳۴۵۶۷."
BAD_DATE = "تاریخ واردشده معتبر نیست. تاریخ شمسی را به شکل ۱۴۰۵/۰۹/۰۵ وارد کنید."
NO_BOT_HERE = "در این کانال ربات پاسخ نمی‌دهد."
IDENTITY_TAKEN = "این راه ارتباطی متعلق به مخاطب دیگری است؛ برای یکی کردن آن‌ها از «ادغام» استفاده کنید."
IDENTITY_TAKEN_HIDDEN = "این راه ارتباطی متعلق به مخاطب دیگری است که شما به آن دسترسی ندارید؛ با مدیر خود هماهنگ کنید."
MERGE_SAME = "یک مخاطب را نمی‌توان با خودش ادغام کرد."
SEND_FAILED = "ارسال پاسخ ممکن نشد: {reason}"


def name_of(table: dict[str, str], value: object) -> str:
    """The Persian name of an enum value (or the value itself when there is none)."""
    key = getattr(value, "value", value)
    return table.get(str(key), str(key or ""))

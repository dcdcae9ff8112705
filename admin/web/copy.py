"""Persian copy of the admin that Python code produces (templates hold the rest)."""

from __future__ import annotations

LOGIN_FAILED = "نام کاربری یا گذرواژه درست نیست."
LOGIN_BLOCKED = "تلاش‌های ناموفق زیاد بود. لطفاً پانزده دقیقهٔ دیگر دوباره تلاش کنید."
SIGNED_OUT = "از سامانه خارج شدید."
ROLE_NAMES = {
    "admin": "مدیر سامانه",
    "manager": "مدیر",
    "agent": "کارشناس پاسخگویی",
    "sales": "فروش",
    "technician": "تکنسین",
    "warehouse": "انبار",
    "collections": "وصول مطالبات",
}
SCOPE_NAMES = {"own": "فقط موارد خودش", "team": "موارد تیمش", "all": "همهٔ موارد"}
WORK_NAMES = {
    "conversation": "گفتگوهای باز",
    "case": "پرونده‌های باز",
    "lead": "سرنخ‌های باز",
    "task": "کارهای انجام‌نشده",
    "contact": "مخاطبان",
}

# Staff administration (users, teams): messages after a change, and why a change was refused.
USER_CREATED = "کاربر «{name}» ساخته شد."
USER_SAVED = "تغییرات کاربر ذخیره شد."
USER_DEACTIVATED = "کاربر «{name}» غیرفعال شد و {count} مورد باز او به «{to}» سپرده شد."
USER_REACTIVATED = "کاربر «{name}» دوباره فعال شد."
TEAM_CREATED = "تیم «{name}» ساخته شد."
TEAM_SAVED = "تغییرات تیم ذخیره شد."
CONFIRM_HANDOVER = "برای غیرفعال‌کردن، تأیید را علامت بزنید."
STAFF_ERRORS = {
    "username_format": "نام کاربری باید ۲ تا ۶۴ نویسه از حروف لاتین، رقم، نقطه، خط تیره یا زیرخط باشد.",
    "username_taken": "این نام کاربری پیش‌تر گرفته شده است؛ نام دیگری برگزینید.",
    "password_short": "گذرواژه باید دست‌کم ۸ نویسه باشد.",
    "password_long": "گذرواژه نباید بیش از ۲۵۶ نویسه باشد.",
    "bad_role": "نقش انتخاب‌شده معتبر نیست.",
    "bad_scope": "دامنهٔ دسترسی انتخاب‌شده معتبر نیست.",
    "no_team": "تیم انتخاب‌شده پیدا نشد.",
    "bad_phone": "شمارهٔ تلفن درست نیست؛ آن را مانند ۰۹۱۲۱۲۳۴۵۶۷ بنویسید.",
    "bad_extension": "شمارهٔ داخلی فقط رقم است (حداکثر ۲۰ رقم).",
    "self_deactivate": "نمی‌توانید حساب خودتان را غیرفعال کنید.",
    "last_admin": "آخرین مدیر سامانهٔ فعال نمی‌تواند کنار گذاشته شود؛ نخست مدیر دیگری تعیین کنید.",
    "already_inactive": "این کاربر پیش‌تر غیرفعال شده است.",
    "needs_successor": "این کاربر موارد باز دارد؛ کسی را برگزینید که آن‌ها را تحویل بگیرد.",
    "bad_successor": "تحویل‌گیرنده باید کاربر فعال دیگری باشد.",
    "team_name_empty": "نام تیم را بنویسید.",
    "team_name_taken": "تیمی با این نام هست؛ نام دیگری برگزینید.",
    "lead_not_member": "سرپرست باید از اعضای فعال همین تیم باشد.",
}
STAFF_ERROR_OTHER = "این تغییر پذیرفته نشد؛ مقادیر فرم را بررسی کنید."

# Error pages of the admin: (title, what happened and what to do next).
ERROR_PAGES = {
    400: ("درخواست نادرست", "اطلاعات فرستاده‌شده پذیرفته نشد. صفحه را دوباره باز کنید و دوباره تلاش کنید."),
    401: ("نیاز به ورود", "ابتدا وارد شوید."),
    403: (
        "دسترسی ندارید",
        "شما اجازهٔ دیدن این صفحه یا انجام این کار را ندارید. اگر لازم است، با مدیر سامانه تماس بگیرید.",
    ),
    404: ("پیدا نشد", "صفحه یا موردی که خواستید پیدا نشد. شاید نشانی اشتباه است یا مورد حذف شده است."),
    405: ("درخواست نادرست", "این صفحه این نوع درخواست را نمی‌پذیرد."),
    413: ("فایل بزرگ است", "حجم فرستاده‌شده بیش از اندازهٔ مجاز است."),
    500: ("خطای سامانه", "مشکلی پیش آمد و ثبت شد. لطفاً چند لحظهٔ دیگر دوباره تلاش کنید."),
}

# Audit log: Persian names of what was done and of what it was done to (codes not listed show as they are).
ACTION_NAMES = {
    "login.ok": "ورود",
    "login.failed": "ورود ناموفق",
    "login.locked": "قفل موقت ورود",
    "logout": "خروج",
    "user.create": "ساختن کاربر",
    "user.update": "ویرایش کاربر",
    "user.phone_line": "تغییر تلفن و داخلی",
    "user.password_reset": "تعیین گذرواژهٔ تازه",
    "user.deactivate": "غیرفعال‌کردن کاربر",
    "user.reactivate": "فعال‌کردن دوباره",
    "token.issue": "صدور کلید API",
    "team.create": "ساختن تیم",
    "team.rename": "تغییر نام تیم",
    "team.lead": "تعیین سرپرست تیم",
    "conversation.handover": "تحویل گفتگو",
    "case.handover": "تحویل پرونده",
    "lead.handover": "تحویل سرنخ",
    "task.handover": "تحویل کار",
    "contact.handover": "تحویل مخاطب",
    "conversation.assign": "واگذاری گفتگو",
    "conversation.status": "تغییر وضعیت گفتگو",
    "conversation.priority": "تغییر اولویت گفتگو",
    "conversation.labels": "تغییر برچسب‌های گفتگو",
    "contact.create": "ساختن مخاطب",
    "contact.update": "ویرایش مخاطب",
    "contact.merge": "ادغام مخاطبان",
    "case.open": "گشودن پرونده",
    "case.status": "تغییر وضعیت پرونده",
    "lead.open": "ثبت سرنخ",
    "call.log": "ثبت تماس",
}
OBJECT_NAMES = {
    "login": "ورود",
    "user": "کاربر",
    "team": "تیم",
    "apitoken": "کلید API",
    "conversation": "گفتگو",
    "case": "پرونده",
    "lead": "سرنخ",
    "task": "کار",
    "contact": "مخاطب",
    "message": "پیام",
    "call": "تماس",
    "order": "سفارش",
}
FIELD_NAMES = {
    "username": "نام کاربری",
    "full_name": "نام",
    "role": "نقش",
    "scope": "دسترسی",
    "team_id": "تیم",
    "phone": "تلفن",
    "extension": "داخلی",
    "is_team_lead": "سرپرست",
    "assignee_id": "مسئول",
    "owner_id": "مالک",
    "lead_id": "سرپرست",
    "handed_to": "تحویل‌گیرنده",
    "moved": "جابه‌جاشده",
    "tokens_revoked": "کلیدهای باطل‌شده",
    "sessions_revoked": "نشست‌های بسته‌شده",
    "counted_per": "شمارش به ازای",
    "limit": "سقف",
    "was_lead": "سرپرست بود",
    "generated": "ساخته‌شده به‌دست سامانه",
    "name": "نام",
    "segment": "بخش بازار",
    "ip": "نشانی",
    "status": "وضعیت",
    "note": "یادداشت",
    "notes": "یادداشت",
    "title": "عنوان",
    "number": "شماره",
    "direction": "جهت",
    "display_name": "نام",
    "identities": "شناسه‌ها",
    "contact_id": "مخاطب",
    "conversation_id": "گفتگو",
    "case_id": "پرونده",
    "task_id": "کار",
    "priority": "اولویت",
    "labels": "برچسب‌ها",
}
# Stored codes of statuses and directions, as staff read them in the audit log.
VALUE_NAMES = {
    "status": {
        "bot": "در دست ربات",
        "new": "تازه",
        "open": "باز",
        "pending": "در انتظار پاسخ",
        "waiting": "در انتظار",
        "resolved": "حل‌شده",
        "closed": "بسته",
        "qualified": "واجد شرایط",
        "lost": "از دست رفته",
    },
    "direction": {"in": "ورودی", "out": "خروجی"},
    "priority": {"low": "کم", "normal": "عادی", "high": "زیاد", "urgent": "فوری"},
}
BAD_DATE = "تاریخ «{value}» خوانده نشد؛ آن را به شکل ۱۴۰۵/۰۱/۳۱ بنویسید."
YES, NO = "بله", "خیر"

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

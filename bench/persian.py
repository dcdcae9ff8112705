"""Realistic Persian names, phone numbers and customer texts, generated fast and reproducibly.

Names are written the way people type them: some with Arabic ي/ك (keyboards and old systems),
some with ZWNJ; texts are what an equipment importer's customers send.
"""

from __future__ import annotations

import random

FIRST_NAMES = (
    "علی",
    "محمد",
    "حسین",
    "رضا",
    "مهدی",
    "امیر",
    "سعید",
    "مجید",
    "کاظم",
    "یاسر",
    "مریم",
    "زهرا",
    "فاطمه",
    "سارا",
    "نرگس",
    "کیمیا",
    "لیلا",
    "یگانه",
    "کوثر",
    "نیکی",
    "شکوفه",
    "پریسا",
    "یوسف",
    "کیان",
    "یاسمن",
)
LAST_NAMES = (
    "احمدی",
    "محمدی",
    "کریمی",
    "یزدانی",
    "کاظمی",
    "رضایی",
    "حسینی",
    "موسوی",
    "کیانی",
    "یوسفی",
    "شریفی",
    "مهندس‌زاده",
    "کامرانی",
    "نیک‌پور",
    "ملکی",
    "بیگی",
    "تهرانی",
    "کرمانی",
    "یگانه",
    "صادقی",
    "نوروزی",
    "قاسمی",
    "کوهی",
    "زمانی",
    "پاکزاد",
)
PRODUCTS = ("کولر گازی", "چیلر", "آسانسور", "پمپ آب", "دیزل ژنراتور", "فن کویل", "بویلر", "کمپرسور", "اینورتر")
SENTENCES = (
    "سلام، {p} ما از دیروز کار نمی‌کند. لطفاً راهنمایی کنید.",
    "وضعیت سفارش شماره {n} چیست؟ تحویل کی انجام می‌شود؟",
    "قیمت {p} مدل {n} را اعلام بفرمایید.",
    "کارشناس شما برای نصب {p} چه روزی تشریف می‌آورند؟",
    "صورتحساب قسط {n} را دریافت کردم، ممنون.",
    "گارانتی {p} با سریال {n} تا کی اعتبار دارد؟",
    "لطفاً با من تماس بگیرید، شماره‌ام را در پیام قبلی فرستادم.",
    "محموله وارداتی ما از گمرک ترخیص شد؟",
    "ممنون از پیگیری شما، مشکل برطرف شد.",
    "درخواست بازدید فنی برای {p} در کارخانه داریم.",
)
OPERATORS = ("10", "12", "13", "19", "35", "36", "37", "38", "39", "90", "91", "92", "01", "21")
MENU_INPUTS = ("۱", "۲", "۳", "منو", "۰")
_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})


def arabic_variant(text: str) -> str:
    """The same text typed on an Arabic keyboard (ي and ك)."""
    return text.translate(_ARABIC)


def person_name(rng: random.Random) -> tuple[str, str]:
    """A first and last name; one in five typed with Arabic ي/ك."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if rng.random() < 0.2:
        first, last = arabic_variant(first), arabic_variant(last)
    return first, last


def mobile(rng: random.Random) -> str:
    """An Iranian mobile number in E.164 (+989…)."""
    return f"+989{rng.choice(OPERATORS)}{rng.randrange(10**6, 10**7):07d}"


def customer_text(rng: random.Random) -> str:
    """One customer message (40-120 characters of Persian)."""
    sentence = rng.choice(SENTENCES)
    return sentence.format(p=rng.choice(PRODUCTS), n=rng.randrange(1000, 99999))

"""The Persian text of alarms to staff and notices to customers: numbers, Jalali times and digits in Persian.

Every alarm names its object (case or order number), the customer, the time in Jalali with Persian
digits, and ends with a link to the admin page when PEYK_PUBLIC_URL is set (`configure`).
"""

from __future__ import annotations

from datetime import date, datetime

from core.jalali import TEHRAN, format_date, format_datetime
from core.money import format_money
from core.queries.alarm_subjects import Subject
from core.status_names import stage_name
from core.text import to_persian_digits

_config: dict[str, str | None] = {"public_url": None, "tz": TEHRAN, "currency": "IRR"}

CLOCK_NAMES = {"first_response": "پاسخ اول", "resolution": "حل"}
PRIORITY_NAMES = {"low": "کم", "normal": "عادی", "high": "زیاد", "urgent": "فوری"}
CASE_TYPE_NAMES = {"service": "خدمات", "complaint": "شکایت", "installation": "نصب و راه‌اندازی"}
ESCALATED = "ارجاع هشدار بی‌پاسخ (پس از {minutes} دقیقه بدون تأیید):"
LINK = "مشاهده: {url}"


def configure(public_url: str | None, *, tz: str = TEHRAN, currency: str = "IRR") -> None:
    """Set the public base URL of admin links, the business time zone and the display currency."""
    _config.update(public_url=(public_url or "").rstrip("/") or None, tz=tz, currency=currency)


def public_url(path: str) -> str:
    """The absolute URL of a path on this installation, or "" when no public URL is configured."""
    base = _config["public_url"]
    return f"{base}{path}" if base else ""


def when(dt: datetime) -> str:
    """«۵ آذر ۱۴۰۵، ساعت ۱۴:۳۰» in the business time zone."""
    return format_datetime(dt, _config["tz"] or TEHRAN)


def fa(value: object) -> str:
    """Any number or code in Persian digits."""
    return to_persian_digits(str(value))


def _customer(subject: Subject) -> str:
    return subject.customer.display_name if subject.customer and subject.customer.display_name else "—"


def _lines(*lines: str, subject: Subject | None = None) -> str:
    out = [line for line in lines if line]
    if subject is not None and (url := public_url(subject.admin_path)):
        out.append(LINK.format(url=url))
    return "\n".join(out)


def sla(level: str, clock: str, subject: Subject, due: datetime, now: datetime) -> str:
    """SLA warning or breach of a case's first-response or resolution clock."""
    name = CLOCK_NAMES[clock]
    head = (
        f"⚠️ مهلت {name} پرونده {fa(subject.number)} نزدیک است."
        if level == "warning"
        else f"⛔️ مهلت {name} پرونده {fa(subject.number)} گذشت."
    )
    return _lines(
        head,
        f"مشتری: {_customer(subject)}",
        f"موضوع: {subject.title}" if subject.title else "",
        f"مهلت: {when(due)}",
        f"زمان هشدار: {when(now)}",
        subject=subject,
    )


def conversation_waiting(subject: Subject, minutes: int, since: datetime, now: datetime) -> str:
    """A conversation waiting for its first answer longer than the rule allows."""
    return _lines(
        f"⏳ گفتگوی شمارهٔ {fa(subject.number)} بیش از {fa(minutes)} دقیقهٔ کاری منتظر پاسخ اول است.",
        f"مشتری: {_customer(subject)}",
        f"آغاز گفتگو: {when(since)}",
        f"زمان هشدار: {when(now)}",
        subject=subject,
    )


def missed_call(subject: Subject, minutes: int, call_at: datetime, now: datetime) -> str:
    """A missed call that nobody called back in time."""
    return _lines(
        f"📞 تماس از دست رفتهٔ {fa(subject.number) or 'ناشناس'} پس از {fa(minutes)} دقیقهٔ کاری هنوز پاسخ داده نشده است.",
        f"تماس‌گیرنده: {_customer(subject)}",
        f"زمان تماس: {when(call_at)}",
        f"زمان هشدار: {when(now)}",
        subject=subject,
    )


def import_stuck(subject: Subject, stage: str, days: int, since: datetime, now: datetime) -> str:
    """An import purchase order in one stage longer than that stage's limit."""
    return _lines(
        f"🚢 سفارش خرید {fa(subject.number)} بیش از {fa(days)} روز در مرحلهٔ «{stage_name(stage)}» مانده است.",
        f"تأمین‌کننده: {subject.title}",
        f"ورود به این مرحله: {when(since)}",
        f"زمان هشدار: {when(now)}",
        subject=subject,
    )


def import_notice(customer_name: str, order_number: str, stage: str) -> str:
    """To the customer: the import supplying their order reached a stage."""
    greeting = f"{customer_name} گرامی،" if customer_name else "مشتری گرامی،"
    return f"{greeting}\nکالای سفارش {fa(order_number)} شما به مرحلهٔ «{stage_name(stage)}» رسید."


def survey_low(follow_up: Subject, case_number: str, score: str, now: datetime) -> str:
    """A low survey score: the manager is told, with a link to the follow-up case opened for it."""
    return _lines(
        f"👎 امتیاز پایین در نظرسنجی پرونده {fa(case_number)}: {score}",
        f"مشتری: {_customer(follow_up)}",
        f"پروندهٔ پیگیری: {fa(follow_up.number)}",
        f"زمان: {when(now)}",
        subject=follow_up,
    )


def score_text(kind: str, number: int) -> str:
    """«امتیاز ۱ از ۵» or «احتمال توصیه ۴ از ۱۰»."""
    return f"امتیاز {fa(number)} از ۵" if kind == "rating" else f"احتمال توصیه {fa(number)} از ۱۰"


def installment_due(customer_name: str, order_number: str, amount: int, due: date) -> str:
    """To the customer: an installment falls due soon."""
    greeting = f"{customer_name} گرامی،" if customer_name else "مشتری گرامی،"
    money = format_money(amount, _config["currency"] or "IRR")
    return f"{greeting}\nقسط سفارش {fa(order_number)} به مبلغ {money} در تاریخ {format_date(due)} سررسید می‌شود."


def installment_overdue(subject: Subject, amount: int, due: date, days: int) -> str:
    """To the collector: an installment is overdue."""
    money = format_money(amount, _config["currency"] or "IRR")
    return _lines(
        f"💰 قسط سفارش {fa(subject.number)} به مبلغ {money} از سررسید {format_date(due)} گذشته است ({fa(days)} روز).",
        f"مشتری: {_customer(subject)}",
        subject=subject,
    )


def escalated(text: str, minutes: int) -> str:
    """An unacknowledged alarm passed on to the next level."""
    return f"{ESCALATED.format(minutes=fa(minutes))}\n{text}"


def survey_invite(customer_name: str, case_number: str, link: str = "") -> str:
    """To the customer: please rate how the case was handled (with the web link on email)."""
    greeting = f"{customer_name} گرامی،" if customer_name else "مشتری گرامی،"
    text = f"{greeting}\nلطفاً با پاسخ به چند پرسش کوتاه، کیفیت رسیدگی به درخواست {fa(case_number)} را ارزیابی کنید."
    return f"{text}\n{link}" if link else text


def priority_note(before: tuple[str, str], after: tuple[str, str]) -> str:
    """The case-history line of a priority or type change: «اولویت: عادی ← فوری؛ نوع: خدمات ← شکایت»."""
    parts = []
    if before[0] != after[0]:
        parts.append(f"اولویت: {PRIORITY_NAMES[before[0]]} ← {PRIORITY_NAMES[after[0]]}")
    if before[1] != after[1]:
        parts.append(f"نوع: {CASE_TYPE_NAMES[before[1]]} ← {CASE_TYPE_NAMES[after[1]]}")
    return "؛ ".join(parts)

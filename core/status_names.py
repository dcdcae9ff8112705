"""Persian names of the statuses and stages customers and staff read (orders, installments, warranty, imports, surveys).

One place for these words, so the bot, the admin and messages say the same thing.
"""

from __future__ import annotations

from datetime import date

from core.jalali import format_date_numeric
from core.models.orders import InstallmentStatus, OrderStatus, PaymentMethod
from core.models.procurement import ImportStage
from core.models.surveys import QuestionKind, SurveyStatus
from core.warranty import WarrantyState, WarrantyStatus, warranty_status

IMPORT_STAGE_NAMES: dict[ImportStage, str] = {
    ImportStage.PROFORMA_RECEIVED: "دریافت پیش‌فاکتور از فروشنده",
    ImportStage.PROFORMA_APPROVED: "تأیید پیش‌فاکتور",
    ImportStage.PAYMENT_ORDER: "صدور دستور پرداخت",
    ImportStage.SWIFT_SENT: "ارسال سوئیفت",
    ImportStage.FORWARDER_ENGAGED: "هماهنگی با شرکت حمل (فورواردر)",
    ImportStage.FORWARDER_INTRODUCED: "معرفی فورواردر به فروشنده",
    ImportStage.SHIPPED: "ارسال محموله به سمت گمرک",
    ImportStage.ARRIVAL_NOTICE: "اعلام ورود کالا به گمرک",
    ImportStage.CUSTOMS_CLEARANCE: "ترخیص کالا",
    ImportStage.LEFT_CUSTOMS: "خروج از گمرک",
    ImportStage.EXIT_GATE: "عبور از درب خروج",
    ImportStage.IN_TRANSIT: "در مسیر انبار",
    ImportStage.RECEIVED: "دریافت در انبار",
}

ORDER_STATUS_NAMES: dict[OrderStatus, str] = {
    OrderStatus.DRAFT: "پیش‌نویس",
    OrderStatus.CONFIRMED: "تأییدشده",
    OrderStatus.IN_PROGRESS: "در حال تحویل",
    OrderStatus.DELIVERED: "تحویل‌شده",
    OrderStatus.CANCELLED: "لغوشده",
}

INSTALLMENT_STATUS_NAMES: dict[InstallmentStatus, str] = {
    InstallmentStatus.DUE: "در انتظار پرداخت",
    InstallmentStatus.PAID: "پرداخت‌شده",
    InstallmentStatus.OVERDUE: "سررسید گذشته",
}

PAYMENT_METHOD_NAMES: dict[PaymentMethod, str] = {
    PaymentMethod.CASH: "نقدی",
    PaymentMethod.TRANSFER: "انتقال بانکی",
    PaymentMethod.CHEQUE: "چک",
}

SURVEY_STATUS_NAMES: dict[SurveyStatus, str] = {
    SurveyStatus.DRAFT: "پیش‌نویس",
    SurveyStatus.IN_REVIEW: "در حال بررسی",
    SurveyStatus.APPROVED: "تأییدشده",
    SurveyStatus.PUBLISHED: "منتشرشده",
    SurveyStatus.CLOSED: "بسته‌شده",
}

QUESTION_KIND_NAMES: dict[QuestionKind, str] = {
    QuestionKind.SINGLE: "تک‌گزینه‌ای",
    QuestionKind.MULTIPLE: "چندگزینه‌ای",
    QuestionKind.RATING: "امتیاز ۱ تا ۵",
    QuestionKind.NPS: "احتمال توصیه (۰ تا ۱۰)",
    QuestionKind.TEXT: "پاسخ متنی",
}

WARRANTY_ACTIVE = "در ضمانت تا {date}"
WARRANTY_ENDED = "ضمانت به پایان رسیده است"
WARRANTY_NONE = "بدون ضمانت"


def stage_name(stage: ImportStage | str) -> str:
    """«ترخیص کالا» for customs_clearance."""
    return IMPORT_STAGE_NAMES[ImportStage(stage)]


def order_status_name(status: OrderStatus | str) -> str:
    """«تحویل‌شده» for delivered."""
    return ORDER_STATUS_NAMES[OrderStatus(status)]


def installment_status_name(status: InstallmentStatus | str) -> str:
    """«سررسید گذشته» for overdue."""
    return INSTALLMENT_STATUS_NAMES[InstallmentStatus(status)]


def payment_method_name(method: PaymentMethod | str) -> str:
    """«چک» for cheque."""
    return PAYMENT_METHOD_NAMES[PaymentMethod(method)]


def survey_status_name(status: SurveyStatus | str) -> str:
    """«منتشرشده» for published."""
    return SURVEY_STATUS_NAMES[SurveyStatus(status)]


def warranty_text(status: WarrantyStatus) -> str:
    """«در ضمانت تا ۱۴۰۶/۰۳/۱۵», «ضمانت به پایان رسیده است» or «بدون ضمانت»."""
    if status.state == WarrantyState.ACTIVE and status.ends_on is not None:
        return WARRANTY_ACTIVE.format(date=format_date_numeric(status.ends_on))
    if status.state == WarrantyState.ENDED:
        return WARRANTY_ENDED
    return WARRANTY_NONE


def warranty_text_for(ends_on: date | None, today: date) -> str:
    """The warranty words of a device whose warranty ends on `ends_on`, as of `today`."""
    return warranty_text(warranty_status(ends_on, today))

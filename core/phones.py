"""Iranian phone numbers: every common spelling to one E.164 form (+989121234567)."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import ValidationResult

from core.errors import ValidationError
from core.text import to_ascii_digits, to_persian_digits

# Punctuation people put between digit groups, and invisible marks that copy-paste from RTL text brings.
_JUNK = re.compile(r"[\s\-\u2010-\u2015\u2212().\u066b\u066c/_\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
IRAN = 98
_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "phone number has an unknown country code",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "phone number is too short",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "phone number is too short",
    phonenumbers.NumberParseException.TOO_LONG: "phone number is too long",
}
_TEL = re.compile(r"^tel:", re.IGNORECASE)
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong number of digits for its country",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


def _clean(raw: str) -> str:
    """Digits (ASCII) and at most a leading +, or ValidationError saying what is wrong."""
    text = _JUNK.sub("", _TEL.sub("", to_ascii_digits(raw.strip())))
    if not text:
        raise ValidationError("phone number is empty")
    if any(ch.isalpha() for ch in text):
        raise ValidationError(f"phone number contains letters: {raw!r}")
    if text.startswith("+"):
        text = "+" + text[1:].lstrip("+")
    if not re.fullmatch(r"\+?[0-9]+", text):
        raise ValidationError(f"phone number contains characters other than digits: {raw!r}")
    if text.startswith("00"):
        return "+" + text[2:]
    if text.startswith("98") and len(text) == 12:
        return "+" + text  # 989121234567: the country code without + or 00
    if text.startswith("9") and len(text) == 10:
        return "0" + text  # 9121234567: a mobile number without its trunk 0
    return text


def normalize_phone(raw: str, region: str = "IR") -> str:
    """E.164 form of a phone number written any common Iranian way; ValidationError if invalid."""
    if not isinstance(raw, str):
        raise ValidationError(f"phone number must be text, not {type(raw).__name__}")
    text = _clean(raw)
    digits = len(text.lstrip("+"))
    if digits < 4:
        raise ValidationError(f"phone number is too short: {raw!r}")
    if digits > 17:
        raise ValidationError(f"phone number is too long: {raw!r}")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        why = _PARSE_REASONS.get(exc.error_type, "not a phone number")
        raise ValidationError(f"{why}: {raw!r}") from exc
    if parsed.country_code == IRAN:
        # phonenumbers allows short Iranian service numbers; a contact's number has 10 digits after the 0.
        national = phonenumbers.national_significant_number(parsed).lstrip("0")
        if len(national) != 10:
            size = "too short" if len(national) < 10 else "too long"
            raise ValidationError(f"phone number is {size} (an Iranian number is 0 and 10 digits): {raw!r}")
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason in _LENGTH_REASONS:
        raise ValidationError(f"phone number is {_LENGTH_REASONS[reason]}: {raw!r}")
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(f"not a valid phone number (no such area or operator prefix): {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str) -> str | None:
    """normalize_phone, or None when the input is not a valid number."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


def format_phone_for_display(e164: str) -> str:
    """Persian-digit display form: Iranian numbers as ۰۹۱۲ ۱۲۳ ۴۵۶۷, others internationally."""
    try:
        parsed = phonenumbers.parse(to_ascii_digits(e164 or ""), "IR")
    except phonenumbers.NumberParseException:
        return to_persian_digits(e164 or "")
    if parsed.country_code == IRAN:
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        shown = "\u2066" + shown + "\u2069"  # isolate keeps "+1 415 …" left-to-right inside Persian text
    return to_persian_digits(shown)


def phone_search_fragment(query: str) -> str | None:
    """The piece of an E.164 value a typed phone fragment (۰۹۱۲, 0912 12, +98 912) matches, or None."""
    text = _JUNK.sub("", to_ascii_digits(query or ""))
    if not re.fullmatch(r"\+?[0-9]{3,17}", text):
        return None
    if text.startswith("+"):
        return text
    if text.startswith("00"):
        return "+" + text[2:]
    if text.startswith("0"):
        return "+98" + text[1:]  # national trunk 0 stands for +98
    return text

"""Persian text normalization for matching and search (never for display)."""

from __future__ import annotations

import re
import unicodedata

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_DIGITS_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", PERSIAN_DIGITS)
_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "آ": "ا",
        "ؤ": "و",
    }
)
# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef) and tatweel.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
_JOINERS = re.compile("[\u200c\u200d\u200e\u200f\u00ad\ufeff]")
_SPACES = re.compile(r"\s+")


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; everything else unchanged."""
    return text.translate(_DIGITS_TO_ASCII)


def to_persian_digits(text: str | int) -> str:
    """ASCII digits to Persian digits (for display)."""
    return str(text).translate(_TO_PERSIAN_DIGITS)


def normalize_search(text: str) -> str:
    """The form used for matching: Persian letters, no diacritics or ZWNJ, ASCII digits, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _JOINERS.sub(" ", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_LETTERS).translate(_DIGITS_TO_ASCII).casefold()
    return _SPACES.sub(" ", text).strip()

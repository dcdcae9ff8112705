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
        "ۍ": "ی",
        "ې": "ی",
        "ك": "ک",
        "ڪ": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "آ": "ا",
        "ؤ": "و",
    }
)
# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef), Quranic marks and tatweel.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]")
# ZWNJ/ZWJ, direction marks and embeddings, soft hyphen, BOM, word joiner: invisible, so matching drops them.
_JOINERS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u00ad\ufeff\u061c]")
_SPACES = re.compile(r"\s+")
_LIKE_SPECIAL = re.compile(r"([\\%_])")


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; everything else unchanged."""
    return text.translate(_DIGITS_TO_ASCII)


def to_persian_digits(text: str | int) -> str:
    """ASCII digits to Persian digits (for display)."""
    return str(text).translate(_TO_PERSIAN_DIGITS)


def _normalize_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _JOINERS.sub("", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_LETTERS).translate(_DIGITS_TO_ASCII).casefold()
    return _SPACES.sub(" ", text).strip()


def normalize_search(text: str | None) -> str:
    """The form used for matching: Persian letters, no diacritics or ZWNJ, ASCII digits, lower case."""
    result = _normalize_once(text or "")
    # casefold and NFKC can each undo the other's work on rare characters; settle on a fixed point
    # so that normalizing a stored key again never changes it.
    for _ in range(3):
        again = _normalize_once(result)
        if again == result:
            break
        result = again
    return result


def search_tokens(query: str | None) -> list[str]:
    """The normalized words of a search query (each must match for a hit), without repeats."""
    seen: dict[str, None] = {}
    for word in normalize_search(query).split(" "):
        if word:
            seen.setdefault(word)
    return list(seen)


def escape_like(text: str) -> str:
    """Escape LIKE wildcards (backslash is the escape character)."""
    return _LIKE_SPECIAL.sub(r"\\\1", text)


def like_pattern(query: str | None) -> str:
    """`%key%` for a raw SQL `LIKE ... ESCAPE '\\'` against a normalized column ('' for an empty query)."""
    key = normalize_search(query)
    return f"%{escape_like(key)}%" if key else ""


def matches(query: str | None, text: str | None) -> bool:
    """True when every word of `query` occurs in `text`, both normalized (in-memory search)."""
    haystack = normalize_search(text)
    return all(token in haystack for token in search_tokens(query))

"""Scan every bot text the fakes captured (Bot API sends and button labels, Kavenegar SMS) for Latin
digits and Gregorian dates: customers read Persian digits and Jalali dates only (PLT-1).

Every bot scenario test ends with `assert_persian(...)` over the fakes it used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from core.text import to_ascii_digits
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_kavenegar import FakeKavenegar

LATIN_DIGIT = re.compile(r"[0-9]")
# A year of the Gregorian era in any digit set, standing alone (not inside a longer number or 1٬999).
GREGORIAN_YEAR = re.compile(r"(?<![\d\u066c,])(?:19|20)\d\d(?![\d\u066c,])")
GREGORIAN_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "ژانویه فوریه مارس آوریل ژوئن ژوئیه جولای اوت آگوست سپتامبر اکتبر نوامبر دسامبر".split()
)
_WORDS = re.compile(r"[^\W\d_]+")
SENT_TEXT_METHODS = ("sendmessage", "editmessagetext")
CAPTION_METHODS = ("sendphoto", "senddocument", "editmessagecaption")


def _markup_labels(markup: Any) -> Iterator[str]:
    if not isinstance(markup, dict):
        return
    for key in ("inline_keyboard", "keyboard"):
        for row in markup.get(key) or []:
            for button in row:
                yield button.get("text", "") if isinstance(button, dict) else str(button)


def bot_api_texts(api: FakeBotApi) -> list[str]:
    """Every text a customer could read from the Bot API fake: messages, captions, button labels."""
    texts: list[str] = []
    for call in api.calls:
        method = call.method.lower()
        if method in SENT_TEXT_METHODS:
            texts.append(str(call.params.get("text", "")))
        elif method in CAPTION_METHODS:
            texts.append(str(call.params.get("caption", "")))
        else:
            continue
        texts.extend(_markup_labels(call.params.get("reply_markup")))
    return texts


def sms_texts(kavenegar: FakeKavenegar) -> list[str]:
    """Every SMS text that reached the Kavenegar fake."""
    return [str(sms["message"]) for sms in kavenegar.sms]


def problems(text: str) -> list[str]:
    """What is wrong in one text: Latin digits, a Gregorian year, a Gregorian month name."""
    found = [f"Latin digit {m.group()!r}" for m in LATIN_DIGIT.finditer(text)][:1]
    found += [f"Gregorian year {m.group()!r}" for m in GREGORIAN_YEAR.finditer(to_ascii_digits(text))]
    found += [f"Gregorian month {w!r}" for w in _WORDS.findall(text.lower()) if w in GREGORIAN_MONTHS]
    return found


def scan(texts: Iterable[str]) -> dict[str, list[str]]:
    """The texts with problems, each with what is wrong."""
    return {text: bad for text in texts if (bad := problems(text))}


def assert_persian(*fakes: FakeBotApi | FakeKavenegar, at_least: int = 1) -> int:
    """Fail listing every captured bot text with Latin digits or Gregorian dates; returns how many were read."""
    texts: list[str] = []
    for fake in fakes:
        texts += sms_texts(fake) if isinstance(fake, FakeKavenegar) else bot_api_texts(fake)
    assert len(texts) >= at_least, f"expected at least {at_least} bot texts to scan, the fakes captured {len(texts)}"
    bad = scan(texts)
    assert not bad, "bot texts with Latin digits or Gregorian dates:\n" + "\n".join(
        f"- {problems_!r}: {text!r}" for text, problems_ in bad.items()
    )
    return len(texts)

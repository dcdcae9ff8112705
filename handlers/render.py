"""Rendering a prompt for a channel and reading the customer's answer back (BOT-1)."""

from __future__ import annotations

from typing import Any

from core.text import normalize_search, to_ascii_digits, to_persian_digits
from handlers import callback_data, copy
from handlers.prompts import Option, Prompt

MENU_HINT = copy.MENU_HINT
SHARE_CONTACT_LABEL = copy.SHARE_CONTACT_LABEL
MENU_KEYWORDS = frozenset({"0", "/menu", "/start", "منو", "منوی اصلی"})


# At most eight UCS-2 parts (67 characters each) per bot SMS: SMS costs money.
SMS_MAX_CHARS = 8 * 67


def render_sms(prompt: Prompt) -> str:
    """The prompt as SMS text: numbered options «۱ـ …» each on its own line, then how to go back."""
    lines = []
    if prompt.options and prompt.numbered:
        lines.append("")
        lines.extend(f"{to_persian_digits(i)}ـ {o.label}" for i, o in enumerate(prompt.options, start=1))
    if prompt.offer_menu:
        lines.append(copy.MENU_HINT_WORD if prompt.zero_is_answer else MENU_HINT)
    return fit_sms(prompt.text, "\n".join(lines))


def fit_sms(body: str, tail: str = "") -> str:
    """`body` then `tail` on the next line, the body cut at a line break (with «…») to stay within SMS_MAX_CHARS."""
    room = SMS_MAX_CHARS - len(tail) - 2
    if len(body) > room:
        cut = body.rfind("\n", 0, room)
        body = body[: cut if cut > 0 else room].rstrip() + "\n…"
    return f"{body}\n{tail}" if tail else body


def render_keyboard(prompt: Prompt, *, secret: str, scope: str) -> dict[str, Any] | None:
    """The keyboard payload for Telegram/Bale: signed inline buttons, or a contact-share button."""
    if prompt.ask_contact:
        return {"reply": [[{"text": SHARE_CONTACT_LABEL, "request_contact": True}]]}
    if not prompt.options:
        return {"remove": True}
    buttons = [{"text": o.label, "data": callback_data.sign(secret, scope, o.key)} for o in prompt.options]
    width = max(1, prompt.columns)
    return {"inline": [buttons[i : i + width] for i in range(0, len(buttons), width)]}


def is_menu_request(text: str, *, zero: bool = True) -> bool:
    """True when the customer asks for the main menu (/menu, منو, or «۰» on a numbered menu)."""
    wanted = normalize_search(text)
    if not zero and wanted == "0":
        return False
    return wanted in {normalize_search(k) for k in MENU_KEYWORDS}


def choose(prompt: Prompt, text: str, *, secret: str | None = None, scope: str = "") -> Option | None:
    """The option the answer picks: signed button data, a number in any digit set, or the label typed."""
    answer = text.strip()
    if secret is not None and "." in answer:
        key = callback_data.verify(secret, scope, answer)
        if key is not None:
            return prompt.option(key)
    digits = to_ascii_digits(answer).rstrip(" .ـ)")
    if prompt.numbered and digits.isdigit() and 1 <= int(digits) <= len(prompt.options):
        return prompt.options[int(digits) - 1]
    wanted = _squeezed(answer)
    return next((o for o in prompt.options if _squeezed(o.label) == wanted), None)


def _squeezed(text: str) -> str:
    # «سفارش‌های من», «سفارش های من» and «سفارشهای من» are the same answer.
    return normalize_search(text).replace(" ", "")

"""Shaping outbound Telegram/Bale sends: text split at the length limit, keyboards as reply_markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from channels.base import PermanentSendError

# Bot API limits, counted in UTF-16 code units (emoji take two, Persian letters one).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_BUTTON_EXTRAS = ("url", "request_contact", "request_location")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut at a line break, else a space, else anywhere."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        window = rest[:cut]
        at = window.rfind("\n")
        if at <= 0:
            at = max(window.rfind(" "), window.rfind("\u00a0"))
        if at <= 0:
            at = cut
        head, rest = rest[:at].rstrip(), rest[at:].lstrip("\n ")
        if head:
            pieces.append(head)
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces


def _button(spec: Any, inline: bool) -> dict[str, Any]:
    if isinstance(spec, str):
        return {"text": spec, "callback_data": spec[:64]} if inline else {"text": spec}
    if not isinstance(spec, Mapping) or not isinstance(spec.get("text"), str) or not spec["text"]:
        raise PermanentSendError(f"keyboard button must be text or an object with text: {spec!r}")
    button: dict[str, Any] = {"text": spec["text"]}
    data = spec.get("data", spec.get("callback_data"))
    if inline:
        if spec.get("url"):
            button["url"] = str(spec["url"])
        else:
            button["callback_data"] = str(data if data is not None else spec["text"])[:64]
    else:
        button.update({k: spec[k] for k in _BUTTON_EXTRAS[1:] if spec.get(k)})
    return button


def _is_inline(rows: Sequence[Sequence[Any]]) -> bool:
    return any(
        isinstance(b, Mapping) and any(k in b for k in ("data", "callback_data", "url")) for row in rows for b in row
    )


def reply_markup(keyboard: Any) -> dict[str, Any] | None:
    """Our keyboard payload → a Bot API reply_markup object.

    Accepted: None; {"remove": true}; {"inline": rows} or {"reply": rows}; or bare rows (a list of
    lists of buttons), inline when any button carries `data`/`callback_data`/`url`. A button is a
    string or {"text", "data" | "url" | "request_contact" | "request_location"}.
    """
    if keyboard is None or keyboard == [] or keyboard == {}:
        return None
    if isinstance(keyboard, Mapping):
        if keyboard.get("remove"):
            return {"remove_keyboard": True}
        if "inline_keyboard" in keyboard or "keyboard" in keyboard:
            return dict(keyboard)  # already in Bot API form
        inline = "inline" in keyboard
        rows = keyboard.get("inline", keyboard.get("reply"))
    else:
        rows = keyboard
        inline = None
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence) or not rows:
        raise PermanentSendError(f"keyboard must be a list of rows: {keyboard!r}")
    rows = [row if isinstance(row, Sequence) and not isinstance(row, (str, Mapping)) else [row] for row in rows]
    if inline is None:
        inline = _is_inline(rows)
    built = [[_button(b, inline) for b in row] for row in rows]
    if inline:
        return {"inline_keyboard": built}
    return {"keyboard": built, "resize_keyboard": True, "one_time_keyboard": True}

"""What a bot step says: text, the options it offers, and what kind of answer it takes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One choice: a short Latin key for the flow, a Persian label for the customer."""

    key: str
    label: str


@dataclass(frozen=True)
class Prompt:
    """One bot message: its text and, optionally, choices, free text, or a contact-share button."""

    text: str
    options: tuple[Option, ...] = ()
    free_text: bool = False
    ask_contact: bool = False
    # Numbered SMS menus end with «۰ = منوی اصلی» unless this is the main menu itself.
    offer_menu: bool = True
    # False where the customer types a value (a rating «۴»): SMS shows no numbered list, buttons stay.
    numbered: bool = True
    # True where «۰» is an answer (NPS 0–10), so it does not mean "main menu" at this step.
    zero_is_answer: bool = False
    # Buttons per keyboard row (ratings sit side by side).
    columns: int = 1

    def option(self, key: str) -> Option | None:
        """The option with this key, if the prompt offers it."""
        return next((o for o in self.options if o.key == key), None)

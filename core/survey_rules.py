"""Survey answering rules, pure: which questions are shown (triggering answers) and what an answer may be."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from core.errors import ValidationError
from core.models.surveys import QuestionKind
from core.text import to_ascii_digits

RATING_RANGE = (1, 5)
NPS_RANGE = (0, 10)
MAX_TEXT = 2000


class InvalidAnswer(ValidationError):
    """An answer that cannot be accepted; `code` tells the bot which hint to show before asking again.

    Codes: required, choose_one, choose_some, unknown_option, rating_range, nps_range, not_a_number,
    text_too_long, not_shown, not_open, completed, incomplete, wrong_survey.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CleanAnswer:
    """An accepted answer: chosen options, a number or a text; all empty when an optional question is skipped."""

    option_ids: tuple[int, ...] = ()
    number: int | None = None
    text: str = ""

    @property
    def skipped(self) -> bool:
        return not self.option_ids and self.number is None and not self.text


def visible_questions(
    questions: Iterable[tuple[int, Collection[int]]], chosen: Mapping[int, Collection[int]]
) -> list[int]:
    """Ids of the questions shown, in order: those without triggers, and those with a trigger chosen earlier.

    `questions` is (question id, its triggering option ids) in survey order; `chosen` maps a question id
    to the option ids answered. Only answers of shown questions count, so a hidden branch cannot open another.
    """
    picked: set[int] = set()
    shown: list[int] = []
    for question_id, triggers in questions:
        if triggers and not picked.intersection(triggers):
            continue
        shown.append(question_id)
        picked.update(chosen.get(question_id, ()))
    return shown


def _number(value: int | str | None) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = to_ascii_digits(str(value)).strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit() or len(text) > 6:
        raise InvalidAnswer("not_a_number", f"expected a whole number, got {str(value)[:20]!r}")
    return int(text)


def _in_range(number: int, bounds: tuple[int, int], code: str) -> int:
    low, high = bounds
    if not low <= number <= high:
        raise InvalidAnswer(code, f"the answer must be between {low} and {high}")
    return number


def check_answer(
    kind: QuestionKind,
    *,
    required: bool,
    allowed_option_ids: Collection[int],
    option_ids: Iterable[int] = (),
    number: int | str | None = None,
    text: str | None = None,
) -> CleanAnswer:
    """The accepted form of an answer to a question of `kind`, or InvalidAnswer saying what is wrong."""
    kind = QuestionKind(kind)
    chosen = tuple(dict.fromkeys(int(i) for i in option_ids))
    value = _number(number)
    words = (text or "").strip()
    if not chosen and value is None and not words:
        if required:
            raise InvalidAnswer("required", "this question needs an answer")
        return CleanAnswer()
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if not chosen:
            raise InvalidAnswer("choose_one" if kind == QuestionKind.SINGLE else "choose_some", "choose an option")
        if kind == QuestionKind.SINGLE and len(chosen) > 1:
            raise InvalidAnswer("choose_one", "choose exactly one option")
        stray = [i for i in chosen if i not in allowed_option_ids]
        if stray:
            raise InvalidAnswer("unknown_option", f"option {stray[0]} is not an option of this question")
        return CleanAnswer(option_ids=chosen)
    if kind in (QuestionKind.RATING, QuestionKind.NPS):
        if value is None:
            raise InvalidAnswer("not_a_number", "answer with a number")
        if kind == QuestionKind.RATING:
            return CleanAnswer(number=_in_range(value, RATING_RANGE, "rating_range"))
        return CleanAnswer(number=_in_range(value, NPS_RANGE, "nps_range"))
    if not words:
        raise InvalidAnswer("required", "answer with some text")
    if len(words) > MAX_TEXT:
        raise InvalidAnswer("text_too_long", f"the answer is longer than {MAX_TEXT} characters")
    return CleanAnswer(text=words)

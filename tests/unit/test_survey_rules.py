"""Survey rules: which questions a branch shows, and what each kind of question accepts."""

from __future__ import annotations

import pytest

from core.models.surveys import QuestionKind
from core.survey_rules import CleanAnswer, InvalidAnswer, check_answer, visible_questions

# 1: satisfied? (options 11 yes, 12 no) · 2: why? (after 12) · 3: which part? (options 31, 32; after 12)
# · 4: details of the part (after 31 or 32) · 5: rating (always)
SURVEY = [(1, set()), (2, {12}), (3, {12}), (4, {31, 32}), (5, set())]


def test_a_triggered_question_is_shown_only_when_its_trigger_was_chosen() -> None:
    assert visible_questions(SURVEY, {1: {11}}) == [1, 5]
    assert visible_questions(SURVEY, {1: {12}}) == [1, 2, 3, 5]
    assert visible_questions(SURVEY, {1: {12}, 3: {32}}) == [1, 2, 3, 4, 5]


def test_answers_on_a_hidden_branch_cannot_open_another_question() -> None:
    assert visible_questions(SURVEY, {1: {11}, 3: {31}}) == [1, 5]


def test_nothing_answered_shows_only_the_untriggered_questions() -> None:
    assert visible_questions(SURVEY, {}) == [1, 5]


def _check(kind: QuestionKind, **kw: object) -> CleanAnswer:
    return check_answer(kind, required=bool(kw.pop("required", True)), allowed_option_ids={11, 12}, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "given", "code"),
    [
        (QuestionKind.SINGLE, {}, "required"),
        (QuestionKind.SINGLE, {"option_ids": [11, 12]}, "choose_one"),
        (QuestionKind.SINGLE, {"option_ids": [99]}, "unknown_option"),
        (QuestionKind.SINGLE, {"number": 1}, "choose_one"),
        (QuestionKind.MULTIPLE, {"text": "هر دو"}, "choose_some"),
        (QuestionKind.RATING, {"number": 0}, "rating_range"),
        (QuestionKind.RATING, {"number": "۶"}, "rating_range"),
        (QuestionKind.RATING, {"number": "عالی"}, "not_a_number"),
        (QuestionKind.NPS, {"number": -1}, "nps_range"),
        (QuestionKind.NPS, {"number": 11}, "nps_range"),
        (QuestionKind.TEXT, {"text": "   "}, "required"),
        (QuestionKind.TEXT, {"text": "ا" * 2001}, "text_too_long"),
    ],
)
def test_an_invalid_answer_is_refused_with_a_code_for_the_hint(kind: QuestionKind, given: dict, code: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        _check(kind, **given)
    assert refused.value.code == code


def test_valid_answers_are_accepted_in_their_clean_form() -> None:
    assert _check(QuestionKind.SINGLE, option_ids=[12]).option_ids == (12,)
    assert _check(QuestionKind.MULTIPLE, option_ids=[12, 11, 12]).option_ids == (12, 11)
    assert _check(QuestionKind.RATING, number="۵").number == 5
    assert _check(QuestionKind.RATING, number=1).number == 1
    assert _check(QuestionKind.NPS, number="٠").number == 0
    assert _check(QuestionKind.NPS, number=10).number == 10
    assert _check(QuestionKind.TEXT, text="  صدای زیاد\nدارد ").text == "صدای زیاد\nدارد"


def test_an_optional_question_may_be_skipped_but_a_required_one_may_not() -> None:
    assert _check(QuestionKind.NPS, required=False).skipped
    with pytest.raises(InvalidAnswer):
        _check(QuestionKind.NPS, required=True)

"""SLA due and warning times on the Iranian business calendar, against tables worked out by hand.

Working hours are the shipped ones: Saturday to Wednesday 08:00-16:00 (480 minutes), Thursday
08:00-12:00 (240), Friday off; holidays are the fixed solar ones of PLT-3. Every time is Tehran's.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from core.bizcal import BusinessCalendar, fixed_holidays
from core.jalali import format_datetime, parse_jalali_datetime
from core.sla_clock import Targets, compute, paused_minutes, waiting_spans

CAL = BusinessCalendar(holidays=[d for year in (1404, 1405, 1406) for d in fixed_holidays(year)])


def at(text: str) -> datetime:
    """A Tehran wall-clock time written in Jalali, as the aware UTC instant."""
    return parse_jalali_datetime(text)


def shown(dt: datetime | None) -> str | None:
    return None if dt is None else format_datetime(dt)


DUE_TABLE = [
    # opened (Tehran), (first response, resolution) in business minutes,
    # first-response due, resolution due, first-response warning, resolution warning (80%), why
    (
        "1404/12/27 14:00",
        (240, 2400),
        "1404/12/28 10:00",
        "1405/01/10 14:00",
        "1404/12/28 09:12",
        "1405/01/09 14:00",
        "Wed 2h + Thu half-day; 29 Esfand (a Friday too) and Nowruz 1-4 Farvardin skipped, Fri 7 Farvardin off",
    ),
    (
        "1404/12/28 11:00",
        (120, 480),
        "1405/01/05 09:00",
        "1405/01/05 15:00",
        "1405/01/05 08:36",
        "1405/01/05 13:24",
        "Thu 1h, then 29 Esfand and 1-4 Farvardin: the next minute of work is Wednesday 5 Farvardin",
    ),
    (
        "1405/01/11 15:00",
        (60, 480),
        "1405/01/11 16:00",
        "1405/01/15 15:00",
        "1405/01/11 15:48",
        "1405/01/15 13:24",
        "due exactly at closing; 12 and 13 Farvardin (Wed, Thu) and Friday skipped",
    ),
    (
        "1405/03/13 12:00",
        (30, 480),
        "1405/03/13 12:30",
        "1405/03/16 12:00",
        "1405/03/13 12:24",
        "1405/03/16 10:24",
        "14 Khordad (a Thursday) and 15 Khordad (a Friday) skipped",
    ),
    (
        "1405/11/21 16:30",
        (480, 4800),
        "1405/11/24 16:00",
        "1405/12/05 12:00",
        "1405/11/24 14:24",
        "1405/12/03 12:00",
        "opened after hours; 22 Bahman (a Thursday) and Friday skipped; the next Thursday counts half",
    ),
    (
        "1405/09/12 11:00",
        (120, 960),
        "1405/09/14 09:00",
        "1405/09/15 15:00",
        "1405/09/14 08:36",
        "1405/09/15 11:48",
        "Thursday closes at noon, Friday is off",
    ),
]


@pytest.mark.parametrize(("opened", "targets", "fr_due", "res_due", "fr_warn", "res_warn", "why"), DUE_TABLE)
def test_due_and_warning_times_match_the_hand_computed_table(
    opened: str, targets: tuple[int, int], fr_due: str, res_due: str, fr_warn: str, res_warn: str, why: str
) -> None:
    clock = compute(CAL, at(opened), Targets(*targets, warning_percent=80), now=at(opened))
    assert shown(clock.first_response_due) == shown(at(fr_due)), why
    assert shown(clock.resolution_due) == shown(at(res_due)), why
    assert shown(clock.first_response_warn) == shown(at(fr_warn)), why
    assert shown(clock.resolution_warn) == shown(at(res_warn)), why
    assert clock.paused is False


def test_waiting_on_the_customer_pushes_the_resolution_due_time_by_the_business_minutes_waited() -> None:
    # Sat 08:00 opened, answered 09:00, waiting Sat 10:00 → Sun 10:00 (360 + 120 business minutes).
    changes = [
        (at("1405/09/07 10:00"), "open", "waiting"),
        (at("1405/09/08 10:00"), "waiting", "open"),
    ]
    spans = waiting_spans(changes)
    assert paused_minutes(CAL, spans, at("1405/09/08 12:00")) == 480
    clock = compute(
        CAL,
        at("1405/09/07 08:00"),
        Targets(60, 480),
        spans,
        now=at("1405/09/08 12:00"),
        responded=at("1405/09/07 09:00"),
    )
    assert shown(clock.first_response_due) == shown(at("1405/09/07 09:00"))  # answered before the pause
    assert shown(clock.resolution_due) == shown(at("1405/09/08 16:00"))  # 480 + 480 from Saturday 08:00
    assert clock.paused is False


def test_a_case_still_waiting_has_its_clock_stopped_and_its_due_time_moves_with_now() -> None:
    spans = waiting_spans([(at("1405/09/07 10:00"), "open", "waiting")])
    opened = at("1405/09/07 08:00")
    early = compute(CAL, opened, Targets(None, 480), spans, now=at("1405/09/08 09:00"))
    later = compute(CAL, opened, Targets(None, 480), spans, now=at("1405/09/08 11:00"))
    assert early.paused and later.paused
    assert shown(early.resolution_due) == shown(at("1405/09/08 15:00"))  # 480 + 420 paused
    assert shown(later.resolution_due) == shown(at("1405/09/09 09:00"))  # 480 + 540 paused
    assert early.first_response_due is None  # no target, no clock


def test_a_pause_over_a_friday_and_a_holiday_costs_no_business_minutes_beyond_the_working_ones() -> None:
    # Waiting from Wednesday 13 Khordad 15:00 to Saturday 16 Khordad 09:00:
    # Wed 60 + Thu 14 Khordad (holiday) 0 + Fri 15 Khordad 0 + Sat 60 = 120.
    spans = waiting_spans([(at("1405/03/13 15:00"), "open", "waiting"), (at("1405/03/16 09:00"), "waiting", "open")])
    assert paused_minutes(CAL, spans, at("1405/03/20 12:00")) == 120


def test_only_spans_into_waiting_and_out_of_it_count_and_repeated_waiting_is_one_span() -> None:
    changes = [
        (at("1405/09/07 09:00"), "new", "open"),
        (at("1405/09/07 10:00"), "open", "waiting"),
        (at("1405/09/07 11:00"), "waiting", "waiting"),
        (at("1405/09/07 12:00"), "waiting", "open"),
        (at("1405/09/07 14:00"), "open", "waiting"),
    ]
    assert waiting_spans(changes) == [
        (at("1405/09/07 10:00"), at("1405/09/07 12:00")),
        (at("1405/09/07 14:00"), None),
    ]

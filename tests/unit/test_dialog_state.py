"""A customer's place in the dialog: what is kept between messages, expiry, and which buttons still verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import Channel, DialogState
from handlers import callback_data
from handlers.prompts import Option, Prompt
from handlers.render import choose, render_keyboard
from handlers.state import Session

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SECRET = "peyk-bot-buttons:" + "s" * 32
DEVICES = Prompt("دستگاه را انتخاب کنید.", options=(Option("d7", "کولر گازی"), Option("none", "بدون دستگاه")))


def stored(session: Session, ttl: timedelta = timedelta(minutes=30)) -> DialogState:
    """The row the engine would write, read back."""
    return DialogState(contact_id=1, channel=Channel.SMS, **session.fields(NOW, ttl))


def test_the_flow_its_data_and_the_options_shown_survive_a_round_trip_through_the_row() -> None:
    session = Session()
    session.enter("service_request", {"problem": "نشتی آب"})
    session.step = "device"
    session.showing(DEVICES)
    again = Session.of(stored(session))
    assert (again.flow, again.step, again.data, again.seq) == ("service_request", "device", {"problem": "نشتی آب"}, 1)
    picked = choose(again.shown_prompt(), "۱")
    assert picked is not None and picked.key == "d7"


def test_a_flow_expires_after_its_ttl_and_an_idle_customer_has_no_expiry() -> None:
    session = Session()
    session.enter("orders")
    session.step = "pick"
    row = stored(session, ttl=timedelta(minutes=30))
    assert row.expires_at == NOW + timedelta(minutes=30)
    assert not Session.of(row).expired(NOW + timedelta(minutes=29))
    assert Session.of(row).expired(NOW + timedelta(minutes=30))
    session.clear()
    assert stored(session).expires_at is None and not session.active


def test_a_button_verifies_only_for_the_prompt_it_was_sent_with() -> None:
    session = Session()
    session.enter("service_request")
    session.step = "device"
    session.showing(DEVICES)
    keyboard = render_keyboard(DEVICES, secret=SECRET, scope=session.scope(42))
    assert keyboard is not None
    data = keyboard["inline"][0][0]["data"]
    assert choose(session.shown_prompt(), data, secret=SECRET, scope=session.scope(42)) == Option("d7", "کولر گازی")
    assert choose(session.shown_prompt(), data, secret=SECRET, scope=session.scope(43)) is None  # another chat
    session.showing(DEVICES)  # the same question asked again: the old message's buttons are stale
    assert choose(session.shown_prompt(), data, secret=SECRET, scope=session.scope(42)) is None
    assert callback_data.verify(SECRET, session.scope(42), data) is None


def test_an_unreadable_row_is_an_empty_session() -> None:
    row = DialogState(contact_id=1, channel=Channel.TELEGRAM, flow="", step="", data=["not", "a", "dict"], seq=0)
    session = Session.of(row)
    assert not session.active and session.data == {} and session.shown == []

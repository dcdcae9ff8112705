"""The demo's traffic: conversations on every channel and the staff work on them, through the actions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core import demo_data as d
from core.actions.calls import log_call
from core.actions.cases import open_case_from_conversation, open_lead_from_conversation, set_case_status
from core.actions.conversations import assign, set_status
from core.actions.cti import handle_cti_event
from core.actions.dispatch import mark_sent
from core.actions.inbox import IngestResult, ingest_message
from core.actions.letters import receive_letter
from core.actions.outbox import send_reply
from core.cti import CtiEvent
from core.inbound import InboundAttachment, InboundMessage
from core.models import (
    Call,
    Case,
    CaseStatus,
    CaseType,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    IdentityKind,
    Lead,
    OutboundMessage,
    OutboxStatus,
    Priority,
    Role,
)
from core.models.enums import CallDirection
from core.text import to_persian_digits

if TYPE_CHECKING:
    from core.demo import Demo, Person

REPLY_CHANNELS = ("telegram", "bale", "sms", "email")
TOPIC_WEIGHTS = {"service": 30, "complaint": 10, "installation": 10, "price": 20, "parts": 15, "order": 15}
CHANNEL_NAMES = {
    "telegram": "تلگرام",
    "bale": "بله",
    "sms": "پیامک",
    "email": "ایمیل",
    "fax": "فکس",
    "call": "تماس",
    "letter": "نامه",
}


@dataclass
class _DemoDelivery:
    """Stands in for a provider's receipt: demo replies are marked sent and never leave the machine."""

    provider_id: str | None
    parts: int = 1


def scan_pdf(title: str) -> bytes:
    """A small, well-formed one-page PDF standing in for a scanned page (ASCII title)."""
    stream = f"BT /F1 14 Tf 72 770 Td ({title}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _message(
    demo: Demo, person: Person, channel: str, text: str, subject: str = "", reply_to: str = ""
) -> InboundMessage:
    n = demo.next_id()
    name = person.contact.display_name
    common: dict[str, Any] = {"sender_name": name, "text": text, "meta": {"demo": True}}
    if channel in ("telegram", "bale"):
        uid = person.telegram if channel == "telegram" else person.bale
        kind = IdentityKind.TELEGRAM if channel == "telegram" else IdentityKind.BALE
        return InboundMessage(Channel(channel), f"{uid}:{n}", kind, str(uid), thread_key=str(uid), **common)
    if channel == "email":
        mid = f"<{uuid.UUID(int=demo.rng.getrandbits(128))}@{(person.email or '').split('@')[-1]}>"
        return InboundMessage(
            Channel.EMAIL,
            mid,
            IdentityKind.EMAIL,
            person.email or "",
            subject=subject,
            thread_key=person.email or "",
            email_message_id=mid,
            in_reply_to=reply_to or None,
            **common,
        )
    if channel == "fax":
        pdf = InboundAttachment(f"fax-{n}.pdf", "application/pdf", scan_pdf(f"Fax {n} - purchase order"))
        return InboundMessage(
            Channel.FAX,
            f"fax-demo-{n}",
            IdentityKind.FAX,
            person.fax or person.phone,
            subject=subject,
            thread_key=person.fax or person.phone,
            attachments=(pdf,),
            meta={"demo": True, "pages": 1},
            sender_name=name,
            text=text,
        )
    external = f"{700_000_000 + n}" if channel == "sms" else f"call-demo-{n}"
    return InboundMessage(
        Channel(channel), external, IdentityKind.PHONE, person.phone, thread_key=person.phone, **common
    )


async def _conversation(demo: Demo, person: Person, channel: str) -> None:
    rng = demo.rng
    topic = rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0]
    becomes, openers, follow_ups, replies = d.TOPICS[topic]
    subject = demo.fill(d.EMAIL_SUBJECTS[topic], person) if channel in ("email", "fax") else ""
    text = demo.fill(rng.choice(d.FAXES if channel == "fax" else openers), person)
    if channel == "call":
        text = demo.fill(rng.choice(d.CALL_SUMMARIES), person)
    first = await ingest_message(_message(demo, person, channel, text, subject), data_dir=demo.data_dir)
    if rng.random() < 0.75:
        await _work(demo, person, first, topic, becomes, replies, follow_ups, channel)
    demo.bar.update(1)


async def _work(
    demo: Demo,
    person: Person,
    got: IngestResult,
    topic: str,
    becomes: object,
    replies: tuple[str, ...],
    follow_ups: tuple[str, ...],
    channel: str,
) -> None:
    rng, conv_id = demo.rng, got.conversation.id
    manager = demo.users[d.STAFF[1][0]]
    team = "sales" if becomes == "lead" else ("call" if topic == "order" else "support")
    agent = demo.staff(Role.AGENT, Role.SALES, team=team)
    await assign(conv_id, by=manager, user_id=agent.id)
    if channel in REPLY_CHANNELS and rng.random() < 0.8:
        await send_reply(conv_id, demo.fill(rng.choice(replies), person), by=agent)
        if rng.random() < 0.4:
            subject = f"Re: {got.message.subject}" if got.message.subject else ""
            follow = _message(
                demo, person, channel, rng.choice(follow_ups), subject, got.message.email_message_id or ""
            )
            await ingest_message(follow, data_dir=demo.data_dir)
    if rng.random() < 0.2:
        await send_reply(conv_id, rng.choice(d.NOTES), by=agent, internal=True)
    if isinstance(becomes, CaseType) and rng.random() < 0.8:
        priority = Priority.HIGH if becomes == CaseType.COMPLAINT else rng.choice([Priority.NORMAL, Priority.LOW])
        case = await open_case_from_conversation(conv_id, by=agent, type=becomes, priority=priority)
        if rng.random() < 0.3:
            await set_case_status(case.id, CaseStatus.RESOLVED, by=agent, note="مشکل برطرف شد و مشتری تأیید کرد.")
    elif becomes == "lead" and rng.random() < 0.7:
        await open_lead_from_conversation(conv_id, by=agent)
    elif topic == "order" and rng.random() < 0.5:
        await set_status(conv_id, ConversationStatus.RESOLVED, by=agent)


async def _unknown_senders(demo: Demo, count: int) -> None:
    # New people writing in for the first time: the inbox makes their contacts.
    from core.demo import Person, mobile_spelling

    for i in range(count):
        digits = f"936{demo.rng.randint(1_000_000, 9_999_999)}"
        stranger = Contact(display_name=f"{d.MALE[i]} {d.LAST[-1 - i]}")
        person = Person(
            contact=stranger,
            city=d.CITIES[i % len(d.CITIES)],
            channel="sms",
            phone=mobile_spelling(demo.rng, digits),
            telegram=str(8_000_000_000 + i),
        )
        channel = "telegram" if i % 2 else "sms"
        text = demo.fill(demo.rng.choice(d.TOPICS["price"][1]), person)
        got = await ingest_message(_message(demo, person, channel, text), data_dir=demo.data_dir)
        if i % 3 == 0:
            sales = demo.users["p.hosseini"]
            await assign(got.conversation.id, by=demo.users[d.STAFF[1][0]], user_id=sales.id)
            await open_lead_from_conversation(got.conversation.id, by=sales)
        demo.bar.update(1)


async def _calls(demo: Demo, count: int) -> None:
    rng, now = demo.rng, datetime.now(UTC)
    for _ in range(count):
        person = rng.choice(demo.people)
        agent = demo.staff(Role.AGENT)
        await log_call(
            direction=rng.choice([CallDirection.IN, CallDirection.IN, CallDirection.OUT]),
            number=person.phone,
            by=agent,
            outcome=rng.choice(d.CALL_OUTCOMES),
            notes=demo.fill(rng.choice(d.CALL_SUMMARIES), person),
            duration_seconds=rng.randint(25, 900),
            started_at=now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600)),
            follow_up=demo.fill(rng.choice(d.CALL_FOLLOW_UPS), person) if rng.random() < 0.3 else None,
            follow_up_due=now + timedelta(days=rng.randint(1, 5)),
        )
        demo.bar.update(1)
    # The PBX reports a few calls by itself: two missed (call-back tasks), two answered.
    callers = [demo.people[0].phone, demo.people[1].phone, "0935 000 12 34", demo.people[2].phone]
    for i, number in enumerate(callers):
        await _pbx_call(demo, f"demo-pbx-{i}", number, answered=i % 2 == 1, start=now - timedelta(minutes=90 - i * 20))


async def _pbx_call(demo: Demo, call_id: str, number: str, *, answered: bool, start: datetime) -> None:
    ext = demo.staff(Role.AGENT, team="call").extension or ""
    talk = demo.rng.randint(60, 400)
    ring = CtiEvent("newCall", call_id, CallDirection.IN, from_number=number, to_number="021 8877 6655")
    await handle_cti_event(ring, at=start)
    if answered:
        await handle_cti_event(replace(ring, event="answer", answering_number=ext), at=start + timedelta(seconds=8))
    cause = "normalClearing" if answered else "noAnswer"
    await handle_cti_event(replace(ring, event="hangup", cause=cause), at=start + timedelta(seconds=8 + talk))


async def _letters(demo: Demo) -> None:
    clerk = demo.users["r.mohammadi"]
    with_account = [p for p in demo.people if p.account is not None]
    for i, subject in enumerate(d.LETTERS):
        person = with_account[i % len(with_account)]
        await receive_letter(
            data=scan_pdf(f"Letter {1405}/{310 + i}"),
            file_name=f"letter-1405-{310 + i}.pdf",
            mime_type="application/pdf",
            subject=subject,
            sender_name=person.contact.display_name,
            phone=person.phone,
            text=f"نامه‌ی شماره‌ی ۱۴۰۵/{to_persian_digits(310 + i)} از {person.account.name if person.account else ''}",
            by=clerk,
            data_dir=demo.data_dir,
        )
        demo.bar.update(1)


async def _quiet_outbox() -> None:
    # Demo replies go to made-up people: mark them sent so a later `run.py` never delivers them.
    for row in await OutboundMessage.filter(status__in=[OutboxStatus.QUEUED, OutboxStatus.HELD]):
        await mark_sent(row.id, _DemoDelivery(provider_id=f"demo-{row.id}"))


async def fill_inbox(demo: Demo) -> None:
    """Conversations for most contacts (a second channel for some), unknown senders, calls, letters."""
    rng = demo.rng
    for person in demo.people:
        if rng.random() < 0.9 or person.channel in ("fax", "bale"):
            await _conversation(demo, person, person.channel)
        if rng.random() < 0.2:
            others = [
                c
                for c in ("sms", "call", "telegram" if person.telegram else "", "email" if person.email else "")
                if c and c != person.channel
            ]
            await _conversation(demo, person, rng.choice(others))
    await _unknown_senders(demo, 12)
    await _calls(demo, 25)
    await _letters(demo)
    await _quiet_outbox()


async def counts() -> dict[str, int]:
    """What the demo database holds, for the summary printed at the end."""
    result = {
        "contacts": await Contact.filter(merged_into_id=None).count(),
        "conversations": await Conversation.all().count(),
        "cases": await Case.all().count(),
        "leads": await Lead.all().count(),
        "calls": await Call.all().count(),
    }
    for channel, name in CHANNEL_NAMES.items():
        result[f"«{name}»"] = await Conversation.filter(channel=channel).count()
    return result

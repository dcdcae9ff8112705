"""Open a service request (BOT-3): pick a device or type its serial, see the warranty, describe, confirm.

The case is linked to the device, the contact and the conversation; the customer gets its number
in the chat and, when they have a phone and SMS is on, by SMS as well.
"""

from __future__ import annotations

from core.actions.cases import open_case
from core.actions.dialog import attach_photos
from core.actions.outbox import queue_notification
from core.models import CaseType, Channel, ContactIdentity, Device, IdentityKind
from core.queries.customer import device_by_serial, devices_of
from handlers import copy
from handlers.flow import Answer, Ctx, Done, Flow, Goto, Reask, Result, Step, Switch
from handlers.flows.menu import HOME
from handlers.prompts import Option, Prompt
from handlers.show import clip, fa, warranty

NAME = "service_request"
MAX_DEVICES = 8
MAX_DEVICES_SMS = 5
MIN_PROBLEM = 3


def device_label(device: Device) -> str:
    """«کولر گازی اسپلیت، سریال AC-۲۴۰۰۰-۱۵»."""
    return copy.DEVICE_LABEL.format(product=fa(clip(device.product.name, 40)), serial=fa(device.serial_display))


async def _device(ctx: Ctx) -> Device | None:
    device_id = ctx.data.get("device_id")
    if not isinstance(device_id, int):
        return None
    # Always scoped to the customer: a forged or stale id shows nothing of anyone else's.
    return await Device.filter(id=device_id, owner_id=ctx.contact_id).select_related("product").first()


async def _start(ctx: Ctx) -> Result:
    return Goto("device" if await devices_of(ctx.contact_id) else "serial")


async def _ask_device(ctx: Ctx) -> Prompt:
    devices = (await devices_of(ctx.contact_id))[: MAX_DEVICES_SMS if ctx.sms else MAX_DEVICES]
    options = [Option(f"d{d.id}", device_label(d)) for d in devices]
    options.append(Option("none", copy.NO_DEVICE_OPTION))
    return Prompt(copy.PICK_DEVICE, options=tuple(options), free_text=True)


async def _ask_serial(ctx: Ctx) -> Prompt:
    return Prompt(copy.TYPE_SERIAL, options=(Option("none", copy.NO_DEVICE_OPTION),), free_text=True)


async def _take_device(ctx: Ctx, answer: Answer) -> Result:
    _add_photos(ctx, answer)
    device: Device | None = None
    if answer.option is not None and answer.option.key == "none":
        ctx.data["device_id"] = None
        return Goto("problem")
    if answer.option is not None and answer.option.key.startswith("d") and answer.option.key[1:].isdigit():
        ctx.data["device_id"] = int(answer.option.key[1:])
        device = await _device(ctx)
    elif answer.text:
        device = await device_by_serial(answer.text, ctx.contact_id)
    if device is None:
        return Reask(copy.SERIAL_NOT_FOUND)
    ctx.data["device_id"] = device.id
    lead = copy.DEVICE_CHOSEN.format(device=device_label(device), warranty=warranty(device.warranty_status(ctx.today)))
    return Goto("problem", lead=lead)


async def _ask_problem(ctx: Ctx) -> Prompt:
    return Prompt(copy.ASK_PROBLEM, free_text=True)


def _add_photos(ctx: Ctx, answer: Answer) -> None:
    photos = [p for p in ctx.data.get("photos", []) if isinstance(p, int)]
    ctx.data["photos"] = [*photos, *(p for p in answer.photos if p not in photos)][:20]


async def _take_problem(ctx: Ctx, answer: Answer) -> Result:
    _add_photos(ctx, answer)
    if len(answer.text) < MIN_PROBLEM:
        return Reask(copy.PROBLEM_TOO_SHORT if answer.text else copy.ASK_PROBLEM)
    ctx.data["problem"] = answer.text
    return Goto("confirm")


async def _summary(ctx: Ctx) -> list[str]:
    device = await _device(ctx)
    lines = [copy.SUMMARY_DEVICE.format(device=device_label(device)) if device else copy.SUMMARY_NO_DEVICE]
    if device is not None:
        lines.append(copy.SUMMARY_WARRANTY.format(warranty=warranty(device.warranty_status(ctx.today))))
    lines.append(copy.SUMMARY_PROBLEM.format(problem=clip(str(ctx.data.get("problem", "")), 300)))
    if ctx.data.get("photos"):
        lines.append(copy.SUMMARY_PHOTOS.format(count=fa(len(ctx.data["photos"]))))
    return lines


async def _ask_confirm(ctx: Ctx) -> Prompt:
    parts = [copy.CONFIRM_SERVICE, "\n".join(await _summary(ctx))]
    if not ctx.sms:
        parts.append(copy.PHOTOS_HINT)
    options = (Option("confirm", copy.CONFIRM_OPTION), Option("cancel", copy.CANCEL_OPTION))
    return Prompt("\n\n".join(parts), options=options)


async def _take_confirm(ctx: Ctx, answer: Answer) -> Result:
    if answer.photos:
        _add_photos(ctx, answer)
        return Reask(copy.PHOTO_RECEIVED)
    if answer.option is None:
        return Reask(copy.CHOOSE_SMS if ctx.sms else copy.CHOOSE_BUTTONS)
    if answer.option.key == "cancel":
        return Switch(HOME, lead=copy.CANCELLED)
    return Done(await open_request(ctx))


async def open_request(ctx: Ctx) -> str:
    """Open the service case from what was collected; returns what the customer is told."""
    device = await _device(ctx)
    status = device.warranty_status(ctx.today) if device else None
    subject = copy.CASE_SUBJECT.format(device=device.product.name) if device else copy.CASE_SUBJECT_NO_DEVICE
    details = [str(ctx.data.get("problem", ""))]
    if device is not None and status is not None:
        details.append(copy.SUMMARY_DEVICE.format(device=device_label(device)))
        details.append(copy.SUMMARY_WARRANTY.format(warranty=warranty(status)))
    if ctx.data.get("photos"):
        details.append(copy.CASE_PHOTOS.format(count=fa(len(ctx.data["photos"]))))
    case = await open_case(
        contact_id=ctx.contact_id,
        by=None,
        conversation_id=ctx.conversation_id,
        type=CaseType.SERVICE,
        subject=subject,
        description="\n".join(details),
        source_channel=ctx.channel,
        device_id=device.id if device else None,
    )
    photos = [p for p in ctx.data.get("photos", []) if isinstance(p, int)]
    if photos:  # the photos sent during the request go with the case, not only its count
        await attach_photos(case.id, ctx.conversation_id, photos)
    number = fa(case.number)
    if ctx.config.sms_enabled and not ctx.sms:
        await _confirm_by_sms(ctx.contact_id, case.id, copy.CASE_OPENED_SMS.format(number=number))
    return copy.CASE_OPENED.format(number=number)


async def _confirm_by_sms(contact_id: int, case_id: int, text: str) -> None:
    """The case number by SMS to the customer's phone (a verified one first), once per case."""
    phone = (
        await ContactIdentity.filter(contact_id=contact_id, kind=IdentityKind.PHONE)
        .order_by("-verified", "-id")
        .first()
    )
    if phone is not None:
        await queue_notification(Channel.SMS, phone.value, text, kind="confirmation", dedupe_key=f"case-sms-{case_id}")


FLOW = Flow(
    NAME,
    {
        "device": Step(_ask_device, _take_device),
        "serial": Step(_ask_serial, _take_device),
        "problem": Step(_ask_problem, _take_problem),
        "confirm": Step(_ask_confirm, _take_confirm),
    },
    first="device",
    start=_start,
    needs_identity=True,
)

"""Fax-to-mail through the SMTP listener: gateway mail becomes a fax from the sender's number, OCR'd when possible.

One test runs the real Tesseract with Persian data (CI installs tesseract-ocr, tesseract-ocr-fas
and poppler-utils). The others put a small stand-in `tesseract` script (same command line, same
`--list-langs` answer) in tmp_path to force exact text, failures and slow runs; the no-OCR tests
name a binary that does not exist, exactly like a server without Tesseract.
"""

from __future__ import annotations

from pathlib import Path

from channels.email_intake import MailRules
from channels.fax_ocr import FaxOcr
from core import attachments
from core.models import Attachment, Channel, ContactIdentity, Conversation, IdentityKind, Message
from core.text import normalize_search
from tests.support.mail import load_eml, mail_world

PDF_FAX = load_eml("fax/freepbx_pdf.eml")
TIFF_FAX = load_eml("fax/hylafax_tiff.eml")
OCR_TEXT = "درخواست پیش‌فاکتور برای ۲۰ عدد کارتریج"


def rules(tmp_path: Path) -> MailRules:
    return MailRules(fax_gateways=("fax@pbx.example.ir", "@fax.parsian-trading.ir"), data_dir=tmp_path / "data")


def fake_tesseract(
    tmp_path: Path, *, langs: str = "eng\nfas", exit_code: int = 0, wait_for: Path | None = None
) -> Path:
    """A `tesseract` stand-in: lists `langs`, records its arguments, prints OCR_TEXT (after `wait_for` exists)."""
    script = tmp_path / "tesseract"
    wait = f'while [ ! -f "{wait_for}" ]; do sleep 0.05; done\n' if wait_for else ""
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--list-langs" ]; then printf "List of available languages (2):\\n{langs}\\n"; exit 0; fi\n'
        f'echo "$@" >> "{tmp_path}/tesseract-calls"\n'
        f"{wait}"
        f'if [ {exit_code} -ne 0 ]; then echo "Error: cannot read image" >&2; exit {exit_code}; fi\n'
        f"printf '%s\\n' '{OCR_TEXT}'\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


async def test_a_gateway_mail_becomes_a_fax_from_the_senders_number_with_its_pages(db: str, tmp_path: Path) -> None:
    ocr = FaxOcr(tesseract="peyk-no-such-tesseract")
    assert not await ocr.detect()
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=ocr) as world:
        assert "OK: queued as" in await world.send(PDF_FAX, sender="fax@pbx.example.ir")
        assert await Message.filter(channel=Channel.FAX).count() == 1
        assert "OK: queued as" in await world.send(PDF_FAX, sender="fax@pbx.example.ir")  # the same fax again
        assert world.spool.pending() == []
    message = await Message.get(channel=Channel.FAX)
    identity = await ContactIdentity.get(kind=IdentityKind.FAX)
    conversation = await Conversation.get(id=message.conversation_id)
    assert identity.value == "+982188776655"
    assert (conversation.channel, conversation.contact_id) == (Channel.FAX, identity.contact_id)
    assert message.meta["fax"]["pages"] == 2
    assert message.meta["fax"]["number"] == "+982188776655"
    assert message.meta["fax"]["ocr"] == "off"
    assert message.meta["fax"]["ocr_reason"] == "Tesseract is not installed"
    (document,) = await Attachment.filter(message_id=message.id)
    assert document.mime_type == "application/pdf"
    assert attachments.path_for(document.sha256, world.data_dir).read_bytes().startswith(b"%PDF")
    assert await Message.all().count() == 1


async def test_the_same_mail_from_someone_else_stays_an_email(db: str, tmp_path: Path) -> None:
    raw = PDF_FAX.replace(b'From: "Fax Service" <fax@pbx.example.ir>', b"From: Reza <reza@gmail.com>")
    async with mail_world(tmp_path, rules=rules(tmp_path)) as world:
        await world.send(raw, sender="reza@gmail.com")
    message = await Message.get()
    assert message.channel == Channel.EMAIL and "fax" not in message.meta


async def test_a_tiff_fax_is_ocred_in_the_background_and_becomes_searchable(db: str, tmp_path: Path) -> None:
    ocr = FaxOcr(tesseract=str(fake_tesseract(tmp_path)), data_dir=tmp_path / "data")
    assert await ocr.detect()
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=ocr) as world:
        await world.send(TIFF_FAX, sender="faxmaster@fax.parsian-trading.ir")
        arrived = await Message.get(channel=Channel.FAX)
        assert arrived.meta["fax"]["ocr"] in ("pending", "done")  # stored at once, OCR after
        await ocr.wait_idle()
    message = await Message.get(id=arrived.id)
    assert message.meta["fax"]["ocr"] == "done"
    assert message.meta["fax"]["pages"] == 3
    assert message.meta["ocr_text"] == OCR_TEXT
    assert normalize_search(OCR_TEXT) in message.text_search
    (document,) = await Attachment.filter(message_id=message.id)
    call = (tmp_path / "tesseract-calls").read_text().split()
    assert call == [str(attachments.path_for(document.sha256, world.data_dir)), "stdout", "-l", "fas+eng"]


async def test_without_persian_data_or_pdf_rendering_faxes_arrive_with_ocr_off(db: str, tmp_path: Path) -> None:
    english_only = FaxOcr(tesseract=str(fake_tesseract(tmp_path, langs="eng")))
    assert not await english_only.detect()
    assert english_only.reason == "Tesseract has no Persian (fas) language data"
    no_pdftoppm = FaxOcr(tesseract=str(fake_tesseract(tmp_path)), pdftoppm="peyk-no-such-pdftoppm")
    assert await no_pdftoppm.detect()
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=english_only) as world:
        await world.send(TIFF_FAX)
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=no_pdftoppm) as world:
        await world.send(PDF_FAX)
    tiff, pdf = await Message.filter(channel=Channel.FAX).order_by("id")
    assert tiff.meta["fax"]["ocr"] == pdf.meta["fax"]["ocr"] == "off"
    assert "pdftoppm" in pdf.meta["fax"]["ocr_reason"]
    assert not (tmp_path / "tesseract-calls").exists()


async def test_an_ocr_failure_is_recorded_and_the_fax_kept(db: str, tmp_path: Path) -> None:
    ocr = FaxOcr(tesseract=str(fake_tesseract(tmp_path, exit_code=1)), data_dir=tmp_path / "data")
    assert await ocr.detect()
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=ocr) as world:
        await world.send(TIFF_FAX)
        await ocr.wait_idle()
    message = await Message.get(channel=Channel.FAX)
    assert message.meta["fax"]["ocr"] == "failed"
    assert "cannot read image" in message.meta["fax"]["ocr_reason"]


async def test_ocr_cut_short_by_a_shutdown_is_resumed_on_the_next_start(db: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    script = str(fake_tesseract(tmp_path, wait_for=go))
    first = FaxOcr(tesseract=script, data_dir=tmp_path / "data")
    assert await first.detect()
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=first) as world:
        await world.send(TIFF_FAX)  # its OCR waits for `go`, and the world closes (shutdown) first
    message = await Message.get(channel=Channel.FAX)
    assert (await Message.get(id=message.id)).meta["fax"]["ocr"] == "pending"
    go.write_text("")
    second = FaxOcr(tesseract=script, data_dir=world.data_dir)
    assert await second.detect()
    assert await second.resume() == 1
    await second.wait_idle()
    assert (await Message.get(id=message.id)).meta["fax"]["ocr"] == "done"


async def test_real_tesseract_reads_a_pdf_fax_and_makes_it_searchable(db: str, tmp_path: Path) -> None:
    # CI installs tesseract-ocr with Persian data (fas) and poppler-utils: this runs the real engine.
    from email.message import EmailMessage

    from tests.support.faxdocs import make_text_pdf

    ocr = FaxOcr(data_dir=tmp_path / "data")
    assert await ocr.detect(), ocr.reason
    mail = EmailMessage()
    mail["From"], mail["To"] = '"Fax Service" <fax@pbx.example.ir>', "support@example.ir"
    mail["Subject"], mail["Message-ID"] = "New fax from 021-8877 6655", "<real-ocr-1@pbx.example.ir>"
    mail.set_content("You have received a 1 page fax.\nCaller ID: 02188776655\n")
    mail.add_attachment(make_text_pdf("ORDER 2468"), maintype="application", subtype="pdf", filename="fax.pdf")
    async with mail_world(tmp_path, rules=rules(tmp_path), ocr=ocr) as world:
        await world.send(mail.as_bytes(), sender="fax@pbx.example.ir")
        arrived = await Message.get(channel=Channel.FAX)
        await ocr.wait_idle()
    message = await Message.get(id=arrived.id)
    assert message.meta["fax"]["ocr"] == "done", message.meta
    assert "2468" in message.meta["ocr_text"]
    assert "2468" in message.text_search

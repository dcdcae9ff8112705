"""The SMS channel's sender: outbox rows out through Kavenegar, our outbox id as `localid`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp

from channels.base import Delivery, PermanentSendError
from channels.kavenegar import receptor_of, sms_parts
from channels.kavenegar_client import MAX_ARRAY, MAX_STATUS_IDS, KavenegarClient
from core.actions.sms import MARKETING_KINDS, is_sms_opted_out, opted_out_among
from core.config import Settings
from core.models import Channel, Message, OutboundMessage

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 15.0


def sms_enabled(settings: Settings) -> bool:
    """The SMS channel is on when a Kavenegar API key is configured."""
    return bool(settings.kavenegar_api_key)


async def text_of(out: OutboundMessage) -> str:
    """The text to send: the row's payload text, else its conversation message's text."""
    text = (out.payload or {}).get("text")
    if text is None and out.message_id is not None:
        message = await Message.get_or_none(id=out.message_id)
        text = message.text if message else None
    return str(text or "")


class SmsSender:
    """Sends outbox rows by SMS; marketing rows in bulk through sendarray."""

    channel = Channel.SMS
    batch_kinds = MARKETING_KINDS
    batch_size = MAX_ARRAY

    def __init__(
        self, client: KavenegarClient, line: str | None, *, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.client = client
        self.line = line
        self._session = session  # owned: closed by close()

    async def close(self) -> None:
        """Close the HTTP session this sender owns (at shutdown)."""
        if self._session is not None:
            await self._session.close()

    async def _prepare(self, out: OutboundMessage, opted_out: set[str] | None = None) -> tuple[str, str]:
        """Receptor and text, or PermanentSendError for a send that must not or cannot happen.

        `opted_out` is the batch's opt-outs looked up at once; None looks this row's number up.
        """
        if out.kind in MARKETING_KINDS:
            known = opted_out is not None
            if (out.recipient in opted_out) if known else await is_sms_opted_out(out.recipient):  # type: ignore[operator]
                raise PermanentSendError("opted out")
        try:
            receptor = receptor_of(out.recipient)
        except ValueError:
            raise PermanentSendError(f"not a phone number: {out.recipient!r}") from None
        text = await text_of(out)
        if not text.strip():
            raise PermanentSendError("empty message")
        return receptor, text

    async def reconcile(self, rows: Sequence[OutboundMessage]) -> dict[int, Delivery | None]:
        """Ask Kavenegar which rows it already accepted (by localid): a Delivery for those, else None."""
        result: dict[int, Delivery | None] = {}
        for start in range(0, len(rows), MAX_STATUS_IDS):
            chunk = rows[start : start + MAX_STATUS_IDS]
            statuses = await self.client.status_by_localid([str(row.id) for row in chunk])
            for row in chunk:
                found = statuses.get(str(row.id))
                if found is None or found.messageid is None:
                    result[row.id] = None
                else:
                    result[row.id] = Delivery(provider_id=found.messageid, parts=sms_parts(await text_of(row)))
        return result

    async def send(self, out: OutboundMessage) -> Delivery:
        """sms/send one row; a retried row is first looked up by localid so it never goes twice."""
        receptor, text = await self._prepare(out)
        if out.attempts > 1:
            earlier = (await self.reconcile([out])).get(out.id)
            if earlier is not None:
                return earlier
        sent = await self.client.send(receptor, text, sender=self.line, localid=str(out.id))
        return Delivery(provider_id=sent.messageid, parts=sms_parts(text))

    async def send_batch(self, rows: Sequence[OutboundMessage]) -> list[Delivery | Exception]:
        """sendarray up to 200 rows in one call; per-row results in order (errors of the whole call raise)."""
        results: dict[int, Delivery | Exception] = {}
        ready: list[tuple[OutboundMessage, str, str]] = []
        opted_out = await opted_out_among(row.recipient for row in rows if row.kind in MARKETING_KINDS)
        for row in rows:
            try:
                ready.append((row, *await self._prepare(row, opted_out)))
            except PermanentSendError as exc:
                results[row.id] = exc
        retried = [row for row, _, _ in ready if row.attempts > 1]
        if retried:
            for row_id, earlier in (await self.reconcile(retried)).items():
                if earlier is not None:
                    results[row_id] = earlier
            ready = [item for item in ready if item[0].id not in results]
        if ready and not self.line:  # sendarray needs a sender line per message: send one by one
            for row, _, _ in ready:
                try:
                    results[row.id] = await self.send(row)
                except Exception as exc:
                    results[row.id] = exc
        elif ready and self.line:
            entries = await self.client.sendarray(
                [receptor for _, receptor, _ in ready],
                [text for _, _, text in ready],
                [self.line] * len(ready),
                [str(row.id) for row, _, _ in ready],
            )
            for (row, _, text), entry in zip(ready, entries, strict=True):
                results[row.id] = Delivery(provider_id=entry.messageid, parts=sms_parts(text))
        return [results[row.id] for row in rows]


def sms_senders(settings: Settings) -> dict[Channel, SmsSender]:
    """The SMS sender, with its own HTTP session, when a Kavenegar API key is configured."""
    if not sms_enabled(settings):
        return {}
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20, ttl_dns_cache=300))
    client = KavenegarClient(
        session, str(settings.kavenegar_api_key), base_url=settings.kavenegar_api_url, timeout=SEND_TIMEOUT_S
    )
    log.info("SMS channel on (%r)", client)
    return {Channel.SMS: SmsSender(client, settings.kavenegar_sender, session=session)}

"""The durable mail spool between the SMTP door and the intake, and the worker that empties it.

The SMTP listener answers 250 as soon as a mail is safe on disk here; parsing and storing happen
afterwards, in arrival order, by `SpoolWorker`.

Layout: one file per mail in `<data dir>/spool/mail/`, named `<id>.mail`. The id is
`<time_ns, 19 digits>-<per-process counter, 6 digits>-<pid>`, so names sort in arrival order. A file
is one line of JSON (the envelope: `mail_from`, `rcpt_tos`, `received` as ISO-8601 UTC, `peer`), a
newline, then the mail's raw bytes exactly as they came over SMTP.

Durability: the file is written as `<id>.tmp` in the same directory, flushed and fsync'd, renamed
to `<id>.mail` (`os.replace`, atomic) and the directory fsync'd; only then does `put` return. A
`.tmp` file is never taken: it belongs to a mail whose sender got no 250 and will send it again,
and the next start deletes it.

Recovery: the worker deletes a file only after `MailIntake` has finished with it (stored, found to
be a duplicate, or held for review). When storing fails (database down) the file stays and is
retried with a backoff (1 s doubling to 60 s), never dropped. A mail that fails on its own while the
database works (holding it for review succeeds) is kept for review after `hold_after` tries, so one
bad mail never holds up the good ones behind it. At start every `.mail` file already
there is taken, oldest first; a crash between commit and delete only takes the mail again, and
the ingest finds it by its Message-ID.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from channels.base import InboundMessage
from channels.email_intake import MailIntake
from core.owner_only import create_file, make_dirs

log = logging.getLogger(__name__)

SUFFIX = ".mail"
PARTIAL = ".tmp"


def spool_dir(data_dir: Path) -> Path:
    """Where the mail spool lives under the data directory."""
    return Path(data_dir) / "spool" / "mail"


@dataclass(frozen=True)
class SpoolEnvelope:
    """What the SMTP session said about one mail besides its bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    received: str
    peer: str = ""

    def line(self) -> bytes:
        """The envelope as the spool file's first line (JSON, newline-terminated)."""
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class SpooledMail:
    """One mail read back from the spool."""

    id: str
    envelope: SpoolEnvelope
    raw: bytes


class MailSpool:
    """A directory of durably written mails; `put` returns only once the mail survives a crash."""

    def __init__(self, directory: Path) -> None:
        self.directory = make_dirs(directory)  # 0700: mails are customers' words
        self._listeners: list[Callable[[str], None]] = []
        self._counter = itertools.count()

    def listen(self, listener: Callable[[str], None]) -> None:
        """Call `listener(id)` (in the loop) for every mail `put` from now on."""
        self._listeners.append(listener)

    def unlisten(self, listener: Callable[[str], None]) -> None:
        """Stop telling `listener` about new mails."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def new_id(self) -> str:
        """A fresh id; ids sort in the order they were made (also across restarts of one host)."""
        return f"{time.time_ns():019d}-{next(self._counter) % 1_000_000:06d}-{os.getpid()}"

    async def put(self, raw: bytes, *, mail_from: str, rcpt_tos: tuple[str, ...] | list[str], peer: str = "") -> str:
        """Write one mail durably; returns its id. OSError when it could not be made safe (nothing is left)."""
        mail_id = self.new_id()
        envelope = SpoolEnvelope(mail_from, tuple(rcpt_tos), datetime.now(UTC).isoformat(), peer)
        await asyncio.to_thread(self._write, mail_id, envelope.line(), raw)
        for listener in list(self._listeners):
            listener(mail_id)
        return mail_id

    def path(self, mail_id: str) -> Path:
        """The file of a spooled mail."""
        return self.directory / f"{mail_id}{SUFFIX}"

    def pending(self) -> list[str]:
        """Ids of every complete mail in the spool, oldest first."""
        return sorted(p.name.removesuffix(SUFFIX) for p in self.directory.iterdir() if p.name.endswith(SUFFIX))

    def clear_partial(self) -> int:
        """Delete files of writes that never completed (their senders got no 250); how many."""
        count = 0
        for p in self.directory.iterdir():
            if p.name.endswith(PARTIAL):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                    count += 1
        return count

    def read(self, mail_id: str) -> SpooledMail:
        """A spooled mail's envelope and bytes (FileNotFoundError when it is gone)."""
        data = self.path(mail_id).read_bytes()
        head, sep, raw = data.partition(b"\n")
        try:
            fields = json.loads(head) if sep else None
        except ValueError:
            fields = None
        if not isinstance(fields, dict):  # not written by `put`: the whole file is the mail
            return SpooledMail(mail_id, SpoolEnvelope("", (), ""), data)
        envelope = SpoolEnvelope(
            str(fields.get("mail_from") or ""),
            tuple(str(r) for r in fields.get("rcpt_tos") or ()),
            str(fields.get("received") or ""),
            str(fields.get("peer") or ""),
        )
        return SpooledMail(mail_id, envelope, raw)

    def remove(self, mail_id: str) -> None:
        """Forget a mail the intake is done with."""
        with contextlib.suppress(FileNotFoundError):
            self.path(mail_id).unlink()

    def _write(self, mail_id: str, head: bytes, raw: bytes) -> None:
        partial = self.directory / f"{mail_id}{PARTIAL}"
        final = self.path(mail_id)
        try:
            with os.fdopen(create_file(partial), "wb") as out:  # 0600 from the start
                out.write(head)
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
            _fsync_dir(self.directory)
        except BaseException:
            for leftover in (partial, final):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            raise


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SpoolWorker:
    """Takes spooled mails in arrival order through the intake; a file goes only once the intake is done.

    Up to `parallel` mails are read and parsed ahead (parsing runs in threads); storing is one mail at
    a time, oldest first, so mails are stored in the order they were accepted.
    """

    def __init__(
        self,
        spool: MailSpool,
        intake: MailIntake,
        *,
        parallel: int = 2,
        retry_first: float = 1.0,
        retry_max: float = 60.0,
        hold_after: int = 5,
    ) -> None:
        self.spool = spool
        self.intake = intake
        self.parallel = max(1, parallel)
        self.retry_first = retry_first
        self.retry_max = retry_max
        self.hold_after = hold_after
        self._queue: list[str] = []
        self._ahead: dict[str, asyncio.Task[tuple[SpooledMail, InboundMessage | str] | None]] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Take every mail already in the spool, then each new one as it is spooled."""
        self.spool.listen(self._add)
        partial = await asyncio.to_thread(self.spool.clear_partial)
        if partial:
            log.info("mail spool: removed %d unfinished writes (their senders were not answered 250)", partial)
        found = await asyncio.to_thread(self.spool.pending)
        if found:
            log.info("mail spool: %d mails waiting from before, taking them now", len(found))
        for mail_id in found:
            self._add(mail_id)
        self._task = asyncio.create_task(self._run(), name="mail-spool-worker")

    def _add(self, mail_id: str) -> None:
        if mail_id in self._queue:
            return
        bisect.insort(self._queue, mail_id)
        self._idle.clear()
        self._wake.set()

    async def drain(self) -> None:
        """Wait until the spool is empty and no mail is being taken."""
        if self._task is None:
            raise RuntimeError("the spool worker is not running")
        await self._idle.wait()

    async def close(self) -> None:
        """Stop: the mail being stored is finished, the rest stays in the spool for the next start."""
        self.spool.unlisten(self._add)
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        for task in self._ahead.values():
            task.cancel()
        await asyncio.gather(*self._ahead.values(), return_exceptions=True)
        self._ahead.clear()

    async def _run(self) -> None:
        while not self._stop.is_set():
            if not self._queue:
                self._wake.clear()
                self._idle.set()
                await self._wake.wait()
                continue
            for mail_id in self._queue[: self.parallel]:
                if mail_id not in self._ahead:
                    self._ahead[mail_id] = asyncio.create_task(self._prepare(mail_id))
            head = self._queue[0]
            if await self._take(head):
                self._queue.remove(head)
                self._ahead.pop(head, None)

    async def _prepare(self, mail_id: str) -> tuple[SpooledMail, InboundMessage | str] | None:
        """Read and parse one spooled mail; None when its file is gone."""
        try:
            mail = await asyncio.to_thread(self.spool.read, mail_id)
        except FileNotFoundError:
            return None
        parsed = await self.intake.read(mail.raw, mail.envelope.mail_from, mail.envelope.rcpt_tos)
        return mail, parsed

    async def _hold(self, mail_id: str, failures: int) -> bool:
        """A mail that keeps failing on its own is kept for review (file + admin alarm) so the ones behind it go on.

        When the database itself is down, holding fails too and the mail simply waits for the next try.
        """
        try:
            prepared = await self._ahead[mail_id]
            if prepared is not None:
                await self.intake.hold(prepared[0].raw, f"storing failed {failures} times; kept for review")
            await asyncio.to_thread(self.spool.remove, mail_id)
        except Exception:
            return False
        log.error("mail spool: %s failed %d times and is kept for review; the mails behind it go on", mail_id, failures)
        return True

    async def _take(self, mail_id: str) -> bool:
        """Store the oldest mail, retrying with a backoff; False when stopped before it was done."""
        delay = self.retry_first
        failures = 0
        while True:
            try:
                prepared = await self._ahead[mail_id]
                if prepared is not None:
                    mail, parsed = prepared
                    outcome = await self.intake.store(mail.raw, parsed)
                    log.debug("mail spool: %s %s", mail_id, outcome.status)
                await asyncio.to_thread(self.spool.remove, mail_id)
                return True
            except Exception:
                failures += 1
                if failures == 1:
                    log.exception("mail spool: could not take %s; keeping it and retrying", mail_id)
                else:
                    log.warning(
                        "mail spool: %s still failing (attempt %d), next try in %.0f s", mail_id, failures, delay
                    )
                if self._ahead[mail_id].done() and self._ahead[mail_id].exception() is not None:
                    self._ahead[mail_id] = asyncio.create_task(self._prepare(mail_id))  # reading failed: read again
                elif failures >= self.hold_after and await self._hold(mail_id, failures):
                    return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if self._stop.is_set():
                return False
            delay = min(delay * 2, self.retry_max)

"""Background OCR of fax pages with Tesseract (Persian + English), only where it is installed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from core import attachments
from core.actions.fax import record_fax_ocr
from core.models import Attachment, Channel, Message

log = logging.getLogger(__name__)

LANGUAGE = "fas"


class FaxOcr:
    """Runs OCR on stored fax documents one at a time, off the request path; `await detect()` first."""

    def __init__(
        self,
        *,
        tesseract: str = "tesseract",
        pdftoppm: str = "pdftoppm",
        languages: str = "fas+eng",
        data_dir: Path | str | None = None,
        timeout: float = 300.0,
    ) -> None:
        self.tesseract = shutil.which(tesseract)
        self.pdftoppm = shutil.which(pdftoppm)
        self.languages = languages
        self.data_dir = data_dir
        self.timeout = timeout
        self.enabled = False
        self.reason = "Tesseract is not installed"
        self._tasks: set[asyncio.Task[None]] = set()
        self._one_at_a_time = asyncio.Semaphore(1)

    async def detect(self) -> bool:
        """Whether Tesseract with Persian data is installed (sets `enabled` and `reason`)."""
        if self.tesseract is None:
            self.enabled, self.reason = False, "Tesseract is not installed"
            return False
        code, out, _ = await self._run(self.tesseract, "--list-langs")
        langs = {line.strip() for line in out.decode(errors="replace").splitlines()}
        self.enabled = code == 0 and LANGUAGE in langs
        self.reason = "" if self.enabled else "Tesseract has no Persian (fas) language data"
        return self.enabled

    def state_for(self, mime_types: Sequence[str]) -> str:
        """What a new fax's meta says about OCR: `pending` when it will run, else `off`."""
        if not self.enabled or not mime_types:
            return "off"
        if any(m == "application/pdf" for m in mime_types) and self.pdftoppm is None:
            return "off"  # PDF pages need rendering to images first (poppler-utils)
        return "pending"

    def submit(self, message_id: int) -> None:
        """OCR this fax message's documents in the background; the result lands in its meta."""
        task = asyncio.create_task(self._ocr_message(message_id), name=f"fax-ocr-{message_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def resume(self, limit: int = 200) -> int:
        """Submit faxes a previous run left `pending` (a restart in the middle of OCR)."""
        if not self.enabled:
            return 0
        rows = await Message.filter(channel=Channel.FAX).order_by("-id").limit(limit).values("id", "meta")
        pending = [r["id"] for r in rows if ((r["meta"] or {}).get("fax") or {}).get("ocr") == "pending"]
        for message_id in reversed(pending):
            self.submit(message_id)
        return len(pending)

    async def wait_idle(self) -> None:
        """Wait until every submitted OCR has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel OCR in progress; those faxes stay `pending` and are resumed on the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _ocr_message(self, message_id: int) -> None:
        async with self._one_at_a_time:
            files = await Attachment.filter(message_id=message_id).order_by("id")
            texts: list[str] = []
            try:
                for item in files:
                    if item.mime_type in ("application/pdf", "image/tiff") or item.name.lower().endswith(
                        (".pdf", ".tif", ".tiff")
                    ):
                        texts.append(await self._ocr_file(attachments.path_for(item.sha256, self.data_dir)))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("fax OCR of message %s failed: %s", message_id, exc)
                await record_fax_ocr(message_id, "failed", reason=str(exc))
                return
            await record_fax_ocr(message_id, "done", "\n\n".join(t for t in texts if t.strip()))

    async def _ocr_file(self, path: Path) -> str:
        if not await asyncio.to_thread(_is_pdf, path):
            return await self._tesseract(path)
        if self.pdftoppm is None:
            raise RuntimeError("pdftoppm (poppler-utils) is not installed")
        with tempfile.TemporaryDirectory(prefix="peyk-fax-") as tmp:
            code, _, err = await self._run(self.pdftoppm, "-r", "200", "-gray", "-tiff", str(path), f"{tmp}/page")
            if code != 0:
                raise RuntimeError(f"pdftoppm failed: {err.decode(errors='replace')[:200]}")
            pages = await asyncio.to_thread(lambda: sorted(Path(tmp).glob("page*.tif")))
            return "\n\n".join([await self._tesseract(page) for page in pages])

    async def _tesseract(self, path: Path) -> str:
        assert self.tesseract is not None
        code, out, err = await self._run(self.tesseract, str(path), "stdout", "-l", self.languages)
        if code != 0:
            raise RuntimeError(f"tesseract failed: {err.decode(errors='replace')[:200]}")
        return out.decode("utf-8", errors="replace").strip()

    async def _run(self, *args: str) -> tuple[int, bytes, bytes]:
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise
        return proc.returncode or 0, out, err


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"%PDF"

"""Received attachments: download into the data dir, thumbnail images, free the server's disk.

Filenames come from other people: they pass through signal_tui.files (sanitized, checked to stay
inside ``<account data dir>/attachments``), so ``../../.bashrc`` can never be written. Files are
0600.
After a successful download the server copy is deleted (signal-cli-rest-api keeps every received
attachment forever otherwise). Pillow decodes in a thread so the event loop never stalls, and any
decoder error just means "no thumbnail".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Iterable
from pathlib import Path

from signal_tui.api.errors import ErrorKind, SignalApiError
from signal_tui.core.ports import AttachmentClient, AttachmentStore
from signal_tui.files import path_inside, private_dir, write_private
from signal_tui.store.models import Attachment

log = logging.getLogger(__name__)

THUMB_SIZE = (320, 320)
VIEWED = "viewed"  # a view-once attachment that was shown and deleted
MAX_THUMB_SOURCE_PIXELS = 50_000_000  # bigger images get no thumbnail (decompression bombs)


class AttachmentManager:
    """Downloads in the background with bounded concurrency; state lives in the store."""

    def __init__(
        self,
        store: AttachmentStore,
        client: AttachmentClient,
        data_dir: Path,
        *,
        concurrency: int = 2,
        delete_on_server: bool = True,
    ) -> None:
        self.store = store
        self.client = client
        self.dir = Path(data_dir) / "attachments"
        self.thumbs = self.dir / ".thumbnails"
        self.delete_on_server = delete_on_server
        self._sem = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[Path]] = set()
        self._inflight: dict[int, asyncio.Task[Path]] = {}

    # --- scheduling ------------------------------------------------------------------------
    def schedule(self, attachments: Iterable[Attachment] | None) -> None:
        """Start background downloads for freshly ingested attachments (never raises)."""
        for att in attachments or ():
            if att.remote_id and att.id not in self._inflight:
                self._start(att.id)

    def _start(self, attachment_id: int) -> asyncio.Task[Path]:
        task = asyncio.create_task(self._guarded(attachment_id))
        self._inflight[attachment_id] = task
        self._tasks.add(task)

        def _done(t: asyncio.Task[Path]) -> None:
            self._tasks.discard(t)
            self._inflight.pop(attachment_id, None)

        task.add_done_callback(_done)
        return task

    async def _guarded(self, attachment_id: int) -> Path:
        async with self._sem:
            return await self._download(attachment_id)

    async def drain(self, limit: float | None = None) -> None:
        """Wait for the downloads in flight (headless receive exits only after them)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=limit)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    # --- the download itself ---------------------------------------------------------------
    async def download(self, attachment_id: int) -> Path:
        """Download now (or join the download in flight); returns the local path."""
        att = await self.store.get_attachment(attachment_id)
        if att is not None and att.state == VIEWED:
            raise FileNotFoundError("a view-once attachment can be viewed only once")
        if att is not None and att.local_path and _exists(att.local_path):
            return Path(att.local_path)
        task = self._inflight.get(attachment_id) or self._start(attachment_id)
        return await asyncio.shield(task)

    async def _download(self, attachment_id: int) -> Path:
        att = await self.store.get_attachment(attachment_id)
        if att is None:
            raise FileNotFoundError(f"attachment {attachment_id} is not in the cache")
        if att.local_path and _exists(att.local_path):
            return Path(att.local_path)
        if att.state == VIEWED:
            raise FileNotFoundError("a view-once attachment can be viewed only once")
        if not att.remote_id:
            raise FileNotFoundError("the attachment has no server copy")
        await self.store.set_attachment_state(attachment_id, "downloading")
        try:
            data = await self.client.attachment(att.remote_id)
        except SignalApiError as exc:
            await self.store.set_attachment_state(attachment_id, "failed")
            if exc.kind is ErrorKind.NOT_FOUND:
                raise FileNotFoundError("the server no longer has this attachment") from None
            raise
        except BaseException:
            await _quiet(self.store.set_attachment_state(attachment_id, "pending"))
            raise
        path, thumb = await asyncio.to_thread(
            self._write, att.filename or att.remote_id, data, att.content_type or ""
        )
        await self.store.set_attachment_state(
            attachment_id,
            "done",
            local_path=str(path),
            thumbnail_path=str(thumb) if thumb else None,
        )
        if self.delete_on_server:
            try:
                await self.client.delete_attachment(att.remote_id)
            except SignalApiError as exc:  # housekeeping: the file is safe locally already
                log.info("could not delete attachment on the server: %s", exc)
        return path

    def _write(self, name: str, data: bytes, content_type: str) -> tuple[Path, Path | None]:
        """Blocking part (thread): pick a safe unused name, write 0600, make a thumbnail."""
        private_dir(self.dir)
        path = _write_new(self.dir, name, data)
        thumb = None
        if content_type.startswith("image/"):
            thumb = _thumbnail(path, self.thumbs)
        return path, thumb

    # --- view-once -------------------------------------------------------------------------
    async def viewed_once(self, attachment_id: int) -> None:
        """The view-once attachment was shown: remove the local file and its thumbnail."""
        att = await self.store.get_attachment(attachment_id)
        if att is None:
            return
        for p in (att.local_path, att.thumbnail_path):
            if p:
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(os.unlink, p)
        # "viewed": not in the Attachment.state Literal yet (the store keeps any text); the
        # store cannot clear local_path, so the state is what says the file is gone for good.
        await self.store.set_attachment_state(attachment_id, VIEWED)


def _write_new(folder: Path, name: str, data: bytes) -> Path:
    """Create the file exclusively so two downloads with one name can never overwrite."""
    for _ in range(50):
        path = path_inside(folder, name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return path
    path = path_inside(folder, f"{os.urandom(6).hex()}-{name}")
    write_private(path, data)
    return path


def _thumbnail(source: Path, folder: Path) -> Path | None:
    try:
        from PIL import Image

        with Image.open(source) as img:
            if img.width * img.height > MAX_THUMB_SOURCE_PIXELS:
                return None
            img.thumbnail(THUMB_SIZE)
            out = img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()
        private_dir(folder)
        target = path_inside(folder, source.stem + ".png", fallback="thumb.png")
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            out.save(fh, format="PNG")
        return target
    except Exception as exc:  # hostile or broken image: no thumbnail, no crash
        log.info("no thumbnail for %s: %s", source.name, exc)
        return None


async def _quiet(coro: Awaitable[object]) -> None:
    with contextlib.suppress(Exception):
        await coro


def _exists(path: str) -> bool:
    """A stat call; cheap enough for the loop (a local file system, no network)."""
    return os.path.exists(path)

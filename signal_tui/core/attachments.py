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
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from signal_tui.api.errors import ErrorKind, SignalApiError
from signal_tui.core.ports import AttachmentClient, AttachmentStore
from signal_tui.files import path_inside, private_dir
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
        # attachment id -> (bytes so far, total or None) while downloading
        self.progress: dict[int, tuple[int, int | None]] = {}
        self._progress_cbs: list[Callable[[int, int, int | None], None]] = []
        self._last_report: dict[int, float] = {}

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

    def on_progress(self, callback: Callable[[int, int, int | None], None]) -> Callable[[], None]:
        """`callback(attachment id, done, total)` as downloads go (at most ~4 times a second
        each); returns the unsubscribe function."""
        self._progress_cbs.append(callback)
        return lambda: (
            self._progress_cbs.remove(callback) if callback in self._progress_cbs else None
        )

    def _report(self, attachment_id: int, done: int, total: int | None) -> None:
        last = self.progress.get(attachment_id)
        self.progress[attachment_id] = (done, total)
        now = time.monotonic()
        if last is not None and now - self._last_report.get(attachment_id, 0.0) < 0.25:
            return
        self._last_report[attachment_id] = now
        for cb in list(self._progress_cbs):
            with contextlib.suppress(Exception):
                cb(attachment_id, done, total)

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
        private_dir(self.dir)
        partial = self.dir / f".partial-{attachment_id}-{os.urandom(4).hex()}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:  # streamed: memory stays bounded for any size

                def progress(done: int, total: int | None) -> None:
                    self._report(attachment_id, done, total)

                await self.client.download_attachment(att.remote_id, fh.write, progress)
        except SignalApiError as exc:
            _unlink(partial)
            await self.store.set_attachment_state(attachment_id, "failed")
            if exc.kind is ErrorKind.NOT_FOUND:
                raise FileNotFoundError("the server no longer has this attachment") from None
            raise
        except BaseException:
            _unlink(partial)
            await _quiet(self.store.set_attachment_state(attachment_id, "pending"))
            raise
        finally:
            self.progress.pop(attachment_id, None)
        path, thumb = await asyncio.to_thread(
            self._place, partial, att.filename or att.remote_id, att.content_type or ""
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

    def _place(self, partial: Path, name: str, content_type: str) -> tuple[Path, Path | None]:
        """Blocking part (thread): move the finished file to a safe unused name (never over an
        existing file), make a thumbnail."""
        path = _link_new(self.dir, name, partial)
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


def _link_new(folder: Path, name: str, partial: Path) -> Path:
    """Give the downloaded file its safe name: a hard link fails if the name exists, so two
    downloads with one name can never overwrite each other."""
    for _ in range(50):
        path = path_inside(folder, name)
        try:
            os.link(partial, path)
        except FileExistsError:
            continue
        _unlink(partial)
        return path
    path = path_inside(folder, f"{os.urandom(6).hex()}-{name}")
    os.replace(partial, path)
    return path


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


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

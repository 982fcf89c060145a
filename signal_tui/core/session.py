"""Session: one account's engine — client, store, ingest, receiver, outbox, attachments, messenger.

`open()` touches only the local cache (instant, works offline), so the UI can paint cached
conversations before any network call. `start()` then runs the receiver and the outbox in
background tasks. The receiver's batches are written to disk FIRST (one transaction per batch),
and only then do downloads, group refreshes and listeners run: a message is on disk before it is
on screen, and a crash after the write loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signal_tui.api.errors import SignalApiError
from signal_tui.api.models import ReceiverState
from signal_tui.config import Config
from signal_tui.core.attachments import AttachmentManager
from signal_tui.core.errors import SessionError
from signal_tui.core.messenger import Messenger
from signal_tui.core.outbox import Outbox
from signal_tui.core.spool import Spool
from signal_tui.store.models import Message
from signal_tui.text import one_line

if TYPE_CHECKING:  # the client and the receiver (httpx, websockets) load when first used
    from signal_tui.api.client import SignalClient
    from signal_tui.api.models import Contact
    from signal_tui.api.receiver import Receiver
    from signal_tui.core.admin import Admin
    from signal_tui.store import Store

log = logging.getLogger(__name__)

__all__ = ["ReceiverState", "Session", "SessionError"]

StateCallback = Callable[[ReceiverState], None]
TypingCallback = Callable[[int, int, bool], None]  # conversation id, recipient id, started
MessagesCallback = Callable[[list[Message]], None]


class Session:
    """Builds and owns everything one account needs. Usable from the UI, the CLI or a script."""

    def __init__(
        self,
        config: Config,
        *,
        account: str | None = None,
        client: SignalClient | None = None,
        receiver_options: dict[str, Any] | None = None,
        outbox_options: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.account = account or config.account or ""
        self.data_dir: Path = config.account_data_dir(self.account or None)
        self._client = client
        self.receiver_options = dict(receiver_options or {})
        self.outbox_options = dict(outbox_options or {})
        self.store: Store | None = None
        self.outbox: Outbox | None = None
        self.attachments: AttachmentManager | None = None
        self.messenger: Messenger | None = None
        self.receiver: Receiver | None = None
        self._admin: Admin | None = None
        self.spool = Spool(self.data_dir / "receive-spool.jsonl")
        self._expiry_task: asyncio.Task[Any] | None = None
        self._state = ReceiverState("offline")
        self._state_cbs: list[StateCallback] = []
        self._typing_cbs: list[TypingCallback] = []
        self._message_cbs: list[MessagesCallback] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._receiver_task: asyncio.Task[None] | None = None
        self._groups_pending: set[str] = set()
        self._groups_task: asyncio.Task[None] | None = None
        self.batches = 0  # batches written (for tests and stats)
        self.receiver_error: Exception | None = None  # why run() ended, if it failed

    # --- properties ------------------------------------------------------------------------
    @property
    def client(self) -> SignalClient:
        if self._client is None:
            if not self.config.url:
                raise SessionError("no server URL is configured (set `url`)")
            from signal_tui.api.client import SignalClient

            self._client = SignalClient.from_config(self.config)
        return self._client

    @property
    def admin(self) -> Admin:
        """Administration commands for this account, built on first use (one per session, so
        every admin screen shares its group details)."""
        if self._admin is None:
            if self.store is None:
                raise SessionError("the account's cache is not open yet")
            from signal_tui.core.admin import Admin

            self._admin = Admin(
                self._client or _LazyClient(self), self.store, self.account, self.data_dir
            )
        return self._admin

    @property
    def receiver_state(self) -> ReceiverState:
        return self._state

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "cache.sqlite3"

    # --- lifecycle -------------------------------------------------------------------------
    async def open(self, *, owner: bool = True) -> None:
        """Open the cache only (no network): instant and offline-capable. `owner=False` for
        tools that only read it (export, stats): they may run beside the app."""
        if self.store is not None:
            return
        if not self.account:
            raise SessionError("no account is configured (set `account`)")
        from signal_tui.store import CacheBusy, Store, StoreError

        try:
            self.store = await Store.open(self.cache_path, account=self.account, owner=owner)
        except (CacheBusy, StoreError) as exc:  # busy, damaged, newer schema: a sentence
            raise SessionError(str(exc)) from None
        client = self._client if self._client is not None else _LazyClient(self)
        self.outbox = Outbox(
            self.store,
            client,
            self.account,
            min_interval=self.config.send_interval,
            **self.outbox_options,
        )
        self.outbox.subscribe(self._on_outbox_change)
        self.attachments = AttachmentManager(self.store, client, self.data_dir)
        self.messenger = Messenger(
            self.store,
            client,
            self.outbox,
            self.account,
            attachments=self.attachments,
            send_read_receipts=self.config.send_read_receipts,
            send_typing=self.config.send_typing,
        )

    async def start(self, *, receive: bool = True, send: bool = True) -> None:
        """Start the receiver and the outbox in background tasks."""
        await self.open()
        assert self.outbox is not None
        if send:
            await self.outbox.start()
        if receive and self._receiver_task is None:
            opts = {
                "poll_timeout": self.config.poll_timeout,
                "max_messages": self.config.poll_max_messages,
                **self.receiver_options,
            }
            from signal_tui.api.receiver import Receiver

            self.receiver = Receiver(
                self.client, self.account, self._on_batch, self._on_state, **opts
            )
            self._receiver_task = asyncio.create_task(self._run_receiver(), name="receiver")
            self._spawn(self.refresh_contacts())
            self._spawn(self.refresh_groups())
            self._spawn(self._resume_downloads())
        if self._expiry_task is None:
            self._expiry_task = self._spawn(self._expire_messages())
        if self.spool.has_items():  # fetched by an earlier run, never stored: store it now
            self._spawn(self._drain_spool())

    async def _run_receiver(self) -> None:
        assert self.receiver is not None
        try:
            await self.receiver.run()
        except asyncio.CancelledError:
            raise
        except SignalApiError as exc:  # idle_exit with the server unreachable
            self.receiver_error = exc
            self._on_state(ReceiverState("error", error=exc.user_message()))
        except Exception as exc:  # the receiver should never die; if it does, say so
            log.exception("receiver stopped")
            self.receiver_error = exc
            self._on_state(ReceiverState("error", error=str(exc)))

    async def wait_receiver(self) -> None:
        """Until the receiver returns (idle_exit) — used by `receive` without --follow."""
        if self._receiver_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._receiver_task

    async def stop(self) -> None:
        """Stop background work and close the cache and the client."""
        if self.receiver is not None:
            with contextlib.suppress(Exception):
                self.receiver.stop()
        task, self._receiver_task = self._receiver_task, None
        if task is not None:
            task.cancel()
            await _settle([task], "the receiver")
        if self.outbox is not None:
            await _bounded(self.outbox.stop(), "the outbox")
        if self.attachments is not None:
            await _bounded(self.attachments.close(), "the downloads")
        for t in list(self._tasks):
            t.cancel()
        await _settle(list(self._tasks), "background tasks")
        if self.store is not None:
            await self.store.close()
            self.store = None
            self._admin = None
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Session:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- listeners -------------------------------------------------------------------------
    def subscribe_state(self, callback: StateCallback) -> Callable[[], None]:
        self._state_cbs.append(callback)
        return lambda: _remove(self._state_cbs, callback)

    def on_typing(self, callback: TypingCallback) -> Callable[[], None]:
        self._typing_cbs.append(callback)
        return lambda: _remove(self._typing_cbs, callback)

    def on_messages(self, callback: MessagesCallback) -> Callable[[], None]:
        """New messages (after they are on disk): notifications, headless printing."""
        self._message_cbs.append(callback)
        return lambda: _remove(self._message_cbs, callback)

    def _on_state(self, state: ReceiverState) -> None:
        was_connected = self._state.state == "connected"
        self._state = state
        if state.state == "connected" and not was_connected and self.outbox is not None:
            self._spawn(self.outbox.retry_now())  # the server is back: queued sends go now
        _call_all(self._state_cbs, state)

    def _on_outbox_change(self, _item_id: int, state: str) -> None:
        """A send went through while the receiver waits out a backoff: the server is back."""
        if state == "sent" and self.receiver is not None and self._state.state == "reconnecting":
            self.receiver.retry_now()

    # --- the receive path ------------------------------------------------------------------
    async def _on_batch(self, items: list[dict[str, Any]]) -> None:
        """Persist first (one transaction), then everything that may be slow or fail. What the
        cache cannot take goes to the spool (fsync'd) and is stored once the cache works again."""
        assert self.store is not None
        kept = self.spool.read() if self.spool.has_items() else []
        try:
            result = await self.store.ingest_batch(kept + items)
        except Exception as exc:
            from signal_tui.api.receiver import BatchKept

            try:
                self.spool.append(items)  # the kept ones are there already
            except OSError:
                raise exc from None  # not even the spool: the receiver holds the batch
            n = len(kept) + len(items)
            raise BatchKept(
                f"could not store received messages ({one_line(str(exc), 120)}); "
                f"{n} kept safely on disk, they are stored when the cache works again"
            ) from exc
        if kept:
            self.spool.clear()
        self.batches += 1
        if self.attachments is not None and self.config.download_attachments:
            self.attachments.schedule(result.attachments_to_fetch)
        self._groups_pending.update(result.group_updates)
        if self._groups_pending and (self._groups_task is None or self._groups_task.done()):
            self._groups_task = self._spawn(self._refresh_groups())
        for conv_id, rcpt_id, started in result.typing:
            _call_all(self._typing_cbs, conv_id, rcpt_id, started)
        if result.new_messages:
            _call_all(self._message_cbs, list(result.new_messages))

    async def _drain_spool(self) -> None:
        try:
            await self._on_batch([])
        except Exception as exc:  # still failing: the receiver retries with its next batch
            log.warning("receive spool not stored yet: %s", exc)

    async def _expire_messages(self) -> None:
        """Disappearing messages go when their timer runs out (while the session runs; what
        ran out meanwhile goes at the next start). Sleeps until the next one is due, woken by
        any commit (a message read starts its timer)."""
        store = self.store
        assert store is not None
        wake = asyncio.Event()
        unsubscribe = store.subscribe(lambda _changes: wake.set())
        try:
            while True:
                due = await store.next_expiry()
                now = time.time() * 1000
                if due is not None and due <= now:
                    await store.delete_expired(int(now))
                    continue
                wait = 3600.0 if due is None else min(3600.0, (due - now) / 1000)
                wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=wait)
        finally:
            unsubscribe()

    async def _resume_downloads(self) -> None:
        """Downloads a previous run did not finish (crash, quit, server down)."""
        if self.attachments is None or not self.config.download_attachments:
            return
        try:
            left = await self.store.attachments_in_state(("pending", "downloading"))
        except Exception as exc:
            log.info("cannot list unfinished downloads: %s", exc)
            return
        self.attachments.schedule(left)

    async def _refresh_groups(self) -> None:
        """Group changes arrive as UPDATE envelopes: re-read the groups from the server."""
        await asyncio.sleep(0.2)  # coalesce a burst of updates into one request
        wanted, self._groups_pending = self._groups_pending, set()
        try:
            groups = await self.client.groups(self.account)
        except SignalApiError as exc:
            log.info("group refresh failed: %s", exc)
            return
        for g in groups:
            if wanted and g.id not in wanted and await self.store.find_conversation(g.id):
                continue
            await self.store.upsert_group(
                g.id,
                name=g.name or "",
                description=g.description or "",
                members=list(g.members or ()),
                admins=list(g.admins or ()),
                blocked=bool(g.blocked),
                left=not g.member,
            )

    async def refresh_groups(self) -> None:
        """Load every group from the server into the cache (best effort)."""
        self._groups_pending = set()
        try:
            await self._refresh_groups()
        except SessionError as exc:
            log.info("group refresh skipped: %s", exc)

    async def refresh_contacts(self) -> None:
        """Names from the server's contact list (profile and contact names); best effort."""
        try:
            contacts = await self.client.contacts(self.account)
        except (SignalApiError, SessionError) as exc:
            log.info("contacts refresh failed: %s", exc)
            return
        assert self.store is not None
        for c in contacts:
            if not (c.uuid or c.number):
                continue
            with contextlib.suppress(Exception):
                await self.store.upsert_recipient(
                    uuid=c.uuid or None,
                    number=c.number or None,
                    profile_name=_profile_name(c),
                    contact_name=c.name or None,
                    username=c.username or None,
                )

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


class _LazyClient:
    """Lets the outbox/messenger exist before a URL is configured (offline UI)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session.client, name)


def _profile_name(contact: Contact) -> str | None:
    if contact.profile_name:
        return str(contact.profile_name)
    given = contact.given_name or contact.profile.given_name or ""
    return f"{given} {contact.profile.lastname or ''}".strip() or None


STOP_STEP = 5.0  # seconds each part of stop() may take; the cache is closed whatever happens


async def _settle(tasks: list[asyncio.Task[Any]], what: str) -> None:
    """Wait (bounded) for cancelled tasks to finish; never raises."""
    if not tasks:
        return
    with contextlib.suppress(BaseException):
        _done, pending = await asyncio.wait(tasks, timeout=STOP_STEP)
        if pending:
            log.warning("%s did not stop within %.0f s", what, STOP_STEP)


async def _bounded(step: Awaitable[Any], what: str) -> None:
    with contextlib.suppress(BaseException):
        try:
            await asyncio.wait_for(step, STOP_STEP)
        except TimeoutError:
            log.warning("%s did not stop within %.0f s", what, STOP_STEP)


def _remove(items: list[Any], item: Any) -> None:
    with contextlib.suppress(ValueError):
        items.remove(item)


def _call_all(callbacks: list[Any], *args: Any) -> None:
    for cb in list(callbacks):
        try:
            cb(*args)
        except Exception:
            log.exception("session listener failed")

"""The durable send queue: every outgoing action is a row in the store's outbox table.

Life of a row: ``queued -> sending -> sent | failed | unknown``. The rule that shapes everything
here: a send may be repeated ONLY when the request certainly never reached the server
(``SignalApiError.maybe_sent`` is False: connection refused, DNS, connect timeout). Anything that
may have been delivered (a read timeout after the body went out) becomes ``unknown`` and waits for
the user — a blind resend would duplicate the message on every phone of every recipient.

Rows survive restarts: on start, rows left in ``sending`` by a crash become ``unknown`` for the
same reason. So do the details of a failure (whom to trust, captcha challenge tokens): they are
stored with the row and loaded back into ``failures`` on start. Sends are paced per account (``min_interval``) so a burst does not trip Signal's rate
limiter. Typing indicators are not durable (stale ones are worse than none): fire and forget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from signal_tui.api.errors import ErrorKind, RecipientFailure, SignalApiError
from signal_tui.api.models import QuoteRef, SendResult
from signal_tui.core.outbox_support import (
    Failure,
    TypingState,
    copy_ids,
    failure_from_error,
    item_kind,
    item_payload,
    mention_ref,
    read_attachment,
    reason_text,
    recipient_failure,
)
from signal_tui.core.ports import OutboxClient, OutboxStore
from signal_tui.store.models import OutboxItem
from signal_tui.text import one_line

__all__ = ["TERMINAL_STATES", "Failure", "Outbox", "failure_from_error", "item_payload"]

log = logging.getLogger(__name__)

TERMINAL_STATES = frozenset({"sent", "failed", "unknown"})
# Signal rate-limits messages; these are paced by min_interval. Read receipts are not: a
# conversation read after a week away would otherwise hold the user's next message back.
PACED_KINDS = frozenset({"send", "edit", "react", "delete", "vote", "poll"})
TYPING_REFRESH = 8.0  # seconds between repeated "started" indicators (they expire after 15 s)


class Outbox:
    """Worker that drains the store's outbox table through the client.

    `on_change(item_id, state)` is called after every state change (the store also emits its own
    change notices; this hook is for headless callers waiting on one row).
    """

    def __init__(
        self,
        store: OutboxStore,
        client: OutboxClient,
        account: str,
        *,
        min_interval: float,
        on_change: Callable[[int, str], None] | None = None,
        retry_base: float = 1.0,
        retry_max: float = 60.0,
        idle_poll: float = 30.0,
    ) -> None:
        self.store = store
        self.client = client
        self.account = account
        self.min_interval = max(0.0, float(min_interval))
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.idle_poll = idle_poll
        self._on_change: list[Callable[[int, str], None]] = [on_change] if on_change else []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_send = 0.0  # monotonic time of the last request, for pacing
        self._typing: dict[object, TypingState] = {}
        self._send_lock = asyncio.Lock()  # pacing applies to typing too
        self.failures: dict[int, Failure] = {}  # outbox id -> details of the last failure
        # held while a multi-recipient batch is being queued, so the worker never sees half of it
        self.queue_lock = asyncio.Lock()

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Turn rows a crash left in 'sending' into 'unknown', load the stored failure details,
        then start the worker."""
        await self.store.outbox_reset_stale()
        for oid, details in (await self.store.outbox_failure_details()).items():
            failure = Failure.from_dict(details)
            if failure is not None:
                self.failures.setdefault(oid, failure)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="outbox")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for state in self._typing.values():
            for t in list(state.tasks):
                t.cancel()

    def wake(self) -> None:
        """Something was queued (or the server came back): look at the table now."""
        self._wake.set()

    def subscribe(self, callback: Callable[[int, str], None]) -> Callable[[], None]:
        self._on_change.append(callback)
        return lambda: self._on_change.remove(callback) if callback in self._on_change else None

    async def run(self) -> None:
        while True:
            try:
                did = await self.process_one()
            except asyncio.CancelledError:
                raise
            except Exception:  # a store hiccup must not kill the worker
                log.exception("outbox worker iteration failed")
                did = False
            if did:
                continue
            self._wake.clear()
            delay = await self._next_due_in()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _next_due_in(self) -> float:
        """Seconds until the earliest queued row may go (no busy polling while waiting)."""
        try:
            items = await self.store.outbox_items(["queued"])
        except Exception:
            return self.idle_poll
        now = time.time() * 1000
        dues = [i.not_before or 0 for i in items]
        if not dues:
            return self.idle_poll
        return max(0.05, min(self.idle_poll, (min(dues) - now) / 1000))

    # --- one row ---------------------------------------------------------------------------
    async def process_one(self) -> bool:
        """Send the next due row, if any. Returns whether a row was handled."""
        async with self.queue_lock:
            item = await self.store.outbox_next(int(time.time() * 1000))
            if item is None:
                return False
            if await self._waits_for_batch(item):
                await self._set(item.id, "sending")  # resolved by its batch's one API call
                return True
        paced = item_kind(item) in PACED_KINDS
        if paced:
            await self._pace()
        await self._set(item.id, "sending")
        try:
            await self._dispatch(item)
        except SignalApiError as exc:
            await self._failed(item, exc)
        except OSError as exc:  # an attachment file vanished or is unreadable
            failure = Failure("file", f"Could not read the attachment: {exc.strerror or exc}")
            await self._fail(item.id, "failed", failure)
        except Exception as exc:
            log.exception("outbox row %s failed unexpectedly", item.id)
            await self._fail(item.id, "failed", Failure("error", one_line(str(exc)) or "error"))
        finally:
            if paced:
                self._last_send = time.monotonic()
        return True

    async def retry_now(self) -> int:
        """The server is back: rows waiting out a backoff may go at once. Returns how many."""
        now = int(time.time() * 1000)
        n = 0
        for item in await self.store.outbox_items(["queued"]):
            if (item.not_before or 0) > now:
                await self.store.outbox_set(item.id, "queued", error=None, not_before=0)
                n += 1
        self.wake()
        return n

    async def _waits_for_batch(self, item: OutboxItem) -> bool:
        """A copy of a multi-recipient send goes out with its batch's primary row, unless that
        row is already finished (the user retried this copy alone)."""
        payload = item_payload(item)
        if not payload.get("copy"):
            return False
        batch = payload.get("batch")
        for other in await self.store.outbox_items(["queued", "sending"]):
            p = item_payload(other)
            if other.id != item.id and p.get("batch") == batch and not p.get("copy"):
                return True
        return False

    async def _pace(self) -> None:
        wait = self._last_send + self.min_interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _failed(self, item: OutboxItem, exc: SignalApiError) -> None:
        failure = failure_from_error(exc)
        if not exc.maybe_sent:
            # never reached the server: safe to retry, later, with capped jittered backoff
            attempts = (item.attempts or 0) + 1
            delay = min(self.retry_max, self.retry_base * 2 ** min(attempts - 1, 16))
            delay *= 0.75 + random.random() * 0.5
            not_before = int(time.time() * 1000 + delay * 1000)
            self.failures[item.id] = failure
            for oid in copy_ids(item):
                self.failures[oid] = failure
            await self.store.outbox_set(
                item.id,
                "queued",
                error=failure.message,
                not_before=not_before,
                attempts_inc=True,
                details=failure.to_dict(),
            )
            self._notify(item.id, "queued")
            return
        state = "unknown" if exc.kind is ErrorKind.TIMEOUT else "failed"
        if exc.kind is ErrorKind.UNREACHABLE:  # connection dropped mid-request: may be sent
            state = "unknown"
        await self._fail(item.id, state, failure)
        for oid in copy_ids(item):
            await self._fail(oid, state, failure)

    async def _fail(self, outbox_id: int, state: str, failure: Failure) -> None:
        self.failures[outbox_id] = failure
        await self.store.outbox_set(
            outbox_id, state, error=failure.message, attempts_inc=True, details=failure.to_dict()
        )
        self._notify(outbox_id, state)

    async def _set(self, outbox_id: int, state: str) -> None:
        await self.store.outbox_set(outbox_id, state)
        self._notify(outbox_id, state)

    def _notify(self, outbox_id: int, state: str) -> None:
        for cb in list(self._on_change):
            try:
                cb(outbox_id, state)
            except Exception:
                log.exception("outbox on_change callback failed")

    # --- dispatch per kind -----------------------------------------------------------------
    async def _dispatch(self, item: OutboxItem) -> None:
        kind = item_kind(item)
        payload = item_payload(item)
        handlers: dict[str, Callable[[OutboxItem, dict[str, Any]], Awaitable[None]]] = {
            "send": self._do_send,
            "edit": self._do_edit,
            "react": self._do_react,
            "delete": self._do_delete,
            "receipt": self._do_receipt,
            "vote": self._do_vote,
            "poll": self._do_poll,
        }
        handler = handlers.get(kind)
        if handler is None:
            await self._fail(item.id, "failed", Failure("error", f"Unknown outbox action {kind!r}"))
            return
        await handler(item, payload)

    async def _target_ts(self, payload: dict[str, Any]) -> int:
        """The target message's CURRENT sent timestamp (re-keyed to the server's after sending)."""
        mid = payload.get("target_message_id")
        if mid is not None:
            msg = await self.store.get_message(int(mid))
            if msg is not None:
                return int(msg.sent_ts)
        return int(payload["target_ts"])

    async def _do_send(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        recipients = list(payload.get("recipients") or item.recipients)
        body = payload.get("message", item.body)
        attachments = [read_attachment(a) for a in payload.get("attachments") or ()]
        quote = None
        if isinstance(payload.get("quote"), dict):
            q = payload["quote"]
            quote = QuoteRef(int(q["timestamp"]), str(q["author"]), q.get("message"))
        mentions = [mention_ref(m) for m in payload.get("mentions") or ()]
        result = await self.client.send(
            self.account,
            recipients,
            body or None,
            attachments=attachments,
            mentions=mentions,
            quote=quote,
            view_once=bool(payload.get("view_once", False)),
            sticker=payload.get("sticker") or None,
        )
        await self._sent(item, payload, result)

    async def _sent(self, item: OutboxItem, payload: dict[str, Any], result: SendResult) -> None:
        failed = {str(f.recipient): f for f in result.failures}
        copies = payload.get("copies")
        if isinstance(copies, list) and copies:
            await self._sent_copies(item, payload, copies, int(result.timestamp), failed)
            return
        texts = {who: reason_text(f) for who, f in failed.items()}
        # partial: what the UI needs to offer a fix for those recipients
        failure = recipient_failure(list(failed.values())) if failed else None
        await self.store.outbox_sent(
            item.id,
            int(result.timestamp),
            texts or None,
            details=failure.to_dict() if failure else None,
        )
        if failure is not None:
            self.failures[item.id] = failure
        self._notify(item.id, "sent")

    async def _sent_copies(
        self,
        item: OutboxItem,
        payload: dict[str, Any],
        copies: list[dict[str, Any]],
        ts: int,
        failed: dict[str, RecipientFailure],
    ) -> None:
        """A multi-recipient send: one API call, each conversation's copy gets its own result."""
        primary = str(payload.get("primary") or "")
        # The primary copy takes the server's timestamp. The store identifies a message by
        # (author, timestamp), so the other copies keep their own provisional timestamps:
        # receipts and reactions for this send resolve to the primary copy.
        await self.store.outbox_sent(item.id, ts, None)
        if primary in failed:
            await self._fail(item.id, "failed", recipient_failure([failed[primary]]))
        else:
            self._notify(item.id, "sent")
        for copy in copies:
            oid, rcpt = int(copy["outbox_id"]), str(copy["recipient"])
            if rcpt in failed:
                await self._fail(oid, "failed", recipient_failure([failed[rcpt]]))
                continue
            own_ts = ts
            mid = copy.get("message_id")
            msg = await self.store.get_message(int(mid)) if mid is not None else None
            if msg is not None:
                own_ts = int(msg.sent_ts)
            await self.store.outbox_sent(oid, own_ts, None)
            self._notify(oid, "sent")

    async def _do_edit(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        original = await self._target_ts(payload)  # ALWAYS the original timestamp
        result = await self.client.send(
            self.account,
            list(payload.get("recipients") or item.recipients),
            payload.get("message", item.body),
            edit_timestamp=original,
        )
        await self._done(item, result)

    async def _do_react(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        ts = await self._target_ts(payload)
        fn = self.client.remove_reaction if payload.get("remove") else self.client.react
        await fn(self.account, payload["recipient"], payload["emoji"], payload["target_author"], ts)
        await self._done(item, None)

    async def _do_delete(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        ts = await self._target_ts(payload)
        await self.client.remote_delete(self.account, payload["recipient"], ts)
        await self._done(item, None)

    async def _do_receipt(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        await self.client.send_receipt(
            self.account,
            payload["recipient"],
            int(payload["timestamp"]),
            payload.get("receipt_type", "read"),
        )
        await self._done(item, None)

    async def _do_vote(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        ts = await self._target_ts(payload)
        await self.client.vote_poll(
            self.account,
            payload["recipient"],
            payload["poll_author"],
            ts,
            [int(i) for i in payload["selected"]],
        )
        await self._done(item, None)

    async def _do_poll(self, item: OutboxItem, payload: dict[str, Any]) -> None:
        """A new poll: the server's timestamp becomes the poll message's (votes name it)."""
        ts = await self.client.create_poll(
            self.account,
            payload["recipient"],
            payload["question"],
            [str(a) for a in payload["answers"]],
            allow_multiple=bool(payload.get("allow_multiple", True)),
        )
        await self.store.outbox_sent(item.id, int(ts), None)
        self._notify(item.id, "sent")

    async def _done(self, item: OutboxItem, result: SendResult | None) -> None:
        """Actions other than a new message: mark the row sent (keeps its own timestamp)."""
        ts = int(result.timestamp if result is not None else 0) or int(time.time() * 1000)
        if item.message_id is not None and item_kind(item) == "send":
            await self.store.outbox_sent(item.id, ts, None)
        else:
            await self.store.outbox_set(item.id, "sent")
        self._notify(item.id, "sent")

    # --- typing: ephemeral -------------------------------------------------------------------
    def typing(self, recipient: str, started: bool, *, key: object = None) -> None:
        """Send a typing indicator in the background; rate limited; never raises.

        `key` identifies the conversation (default: the recipient). Pass the conversation id:
        a contact's address may change from number to UUID while they type.
        """
        state = self._typing.setdefault(recipient if key is None else key, TypingState())
        now = time.monotonic()
        if started:
            if state.active and now - state.last_started < TYPING_REFRESH:
                return
            state.active, state.last_started = True, now
        else:
            if not state.active:
                return
            state.active = False
        task = asyncio.create_task(self._send_typing(recipient, started))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)

    async def _send_typing(self, recipient: str, started: bool) -> None:
        try:
            await self.client.typing(self.account, recipient, started=started)
        except Exception as exc:  # fire and forget: a lost indicator is harmless
            log.debug("typing indicator failed: %s", exc)
